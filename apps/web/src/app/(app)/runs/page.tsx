'use client';
import { Suspense, useState } from 'react';
import { useSearchParams } from 'next/navigation';
import { Group, Select, TextInput, type ComboboxItem } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { PageHeader } from '../../../ui/components.tsx';
import { RunsTable } from '../../../ui/runs-table.tsx';
import { useResource } from '../../../ui/use-resource.ts';
import type { EventItem, EventListItem } from '../../../ui/types.ts';

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
  const [eventSearch, setEventSearch] = useState('');
  const [status, setStatus] = useState<string | null>(params.get('status'));
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [search] = useDebouncedValue(eventSearch, 250);
  const events = useResource<{ events: EventListItem[] }>('/events', {
    q: search,
    limit: 50,
    sort: 'name',
  });
  // The chosen event keeps its name when a search no longer lists it, or when it came from
  // the address (?eventId=) and is not among the first events by name.
  const [picked, setPicked] = useState<ComboboxItem | null>(null);
  const fromAddress = useResource<EventItem>(eventId && !picked ? `/events/${eventId}` : null);
  const chosen =
    picked ??
    (fromAddress.data
      ? { value: String(fromAddress.data.id), label: fromAddress.data.name }
      : null);
  const options = (events.data?.events ?? []).map((e) => ({ value: String(e.id), label: e.name }));
  if (chosen && chosen.value === eventId && !options.some((o) => o.value === chosen.value))
    options.unshift(chosen);
  return (
    <>
      <PageHeader title="Runs" description="Every run of your events, newest first" />
      <Group gap="xs" mb="sm" align="flex-end">
        <Select
          label="Event"
          placeholder="Any"
          searchable
          clearable
          onSearchChange={setEventSearch}
          data={options}
          value={eventId}
          onChange={(value, option) => {
            setEventId(value);
            setPicked(value ? option : null);
          }}
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
