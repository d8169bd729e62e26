'use client';
import { Suspense, useState } from 'react';
import { useSearchParams } from 'next/navigation';
import { Group, Select, TextInput } from '@mantine/core';
import { PageHeader } from '../../../ui/components.tsx';
import { RunsTable } from '../../../ui/runs-table.tsx';
import { EventPicker } from '../../../ui/forms/event-picker.tsx';

const STATUSES = [
  'scheduled',
  'queued',
  'running',
  'cancelling',
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
];

/** `datetime-local` text (the viewer's zone) as an ISO instant, or undefined. */
const instant = (local: string) => (local ? new Date(local).toISOString() : undefined);

function RunHistory() {
  const params = useSearchParams();
  const [eventId, setEventId] = useState<string | null>(params.get('eventId'));
  const [status, setStatus] = useState<string | null>(params.get('status'));
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  return (
    <>
      <PageHeader title="Runs" description="Every run of your events, newest first" />
      <Group gap="xs" mb="sm" align="flex-end">
        <EventPicker
          label="Event"
          placeholder="Any"
          clearable
          value={eventId}
          onChange={setEventId}
          w={{ base: '100%', sm: 220 }}
        />
        <Select
          label="Status"
          placeholder="Any"
          clearable
          data={STATUSES}
          value={status}
          onChange={setStatus}
          w={{ base: '100%', sm: 150 }}
        />
        <TextInput
          type="datetime-local"
          label="Created from"
          value={from}
          onChange={(e) => setFrom(e.currentTarget.value)}
          w={{ base: '47%', sm: 210 }}
        />
        <TextInput
          type="datetime-local"
          label="Created before"
          value={to}
          onChange={(e) => setTo(e.currentTarget.value)}
          w={{ base: '47%', sm: 210 }}
        />
      </Group>
      <RunsTable filter={{ eventId, status, from: instant(from), to: instant(to) }} />
    </>
  );
}

export default function RunsPage() {
  return (
    <Suspense>
      <RunHistory />
    </Suspense>
  );
}
