'use client';
import { useState } from 'react';
import { Alert, Code, Group, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { DataState, PageHeader, Time } from '../../../ui/components.tsx';
import { KeysetPager, useKeyset } from '../../../ui/keyset-pager.tsx';
import { useMe } from '../../../ui/session.tsx';
import { useResource } from '../../../ui/use-resource.ts';

interface Entry {
  id: number;
  occurredAt: string;
  actorKind: string;
  actorId: number | null;
  actorRef: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: unknown;
  ip: string | null;
}

const instant = (local: string) => (local ? new Date(local).toISOString() : undefined);

export default function AuditPage() {
  const me = useMe();
  const [action, setAction] = useState('');
  const [actorId, setActorId] = useState('');
  const [targetType, setTargetType] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [filters] = useDebouncedValue({ action, actorId, targetType, from, to }, 300);
  const keyset = useKeyset(JSON.stringify(filters));
  const page = useResource<{ entries: Entry[]; nextBefore: number | null }>(
    me.role === 'admin' ? '/audit' : null,
    {
      action: filters.action,
      actorId: filters.actorId,
      targetType: filters.targetType,
      from: instant(filters.from),
      to: instant(filters.to),
      before: keyset.before,
      limit: 50,
    },
  );
  if (me.role !== 'admin')
    return (
      <Alert color="yellow" title="Admins only">
        Only an admin reads the audit log.
      </Alert>
    );
  const entries = page.data?.entries ?? [];
  return (
    <>
      <PageHeader title="Audit log" description="Who did what, and when" />
      <Group gap="xs" mb="sm" align="flex-end">
        <TextInput
          label="Action"
          placeholder="e.g. event. or user.sign_in"
          value={action}
          onChange={(e) => setAction(e.currentTarget.value)}
          w={{ base: '100%', sm: 200 }}
        />
        <TextInput
          label="Actor id"
          inputMode="numeric"
          value={actorId}
          onChange={(e) => setActorId(e.currentTarget.value.replace(/\D/g, ''))}
          w={{ base: '47%', sm: 100 }}
        />
        <TextInput
          label="Target type"
          placeholder="event, run, user…"
          value={targetType}
          onChange={(e) => setTargetType(e.currentTarget.value)}
          w={{ base: '47%', sm: 140 }}
        />
        <TextInput
          type="datetime-local"
          label="From"
          value={from}
          onChange={(e) => setFrom(e.currentTarget.value)}
          w={{ base: '47%', sm: 210 }}
        />
        <TextInput
          type="datetime-local"
          label="Before"
          value={to}
          onChange={(e) => setTo(e.currentTarget.value)}
          w={{ base: '47%', sm: 210 }}
        />
      </Group>
      <DataState
        loading={page.loading}
        error={page.error}
        hasData={!!page.data}
        onRetry={page.reload}
        empty={entries.length === 0}
        emptyTitle="No entries match"
      >
        <div className="cr-table-scroll" tabIndex={0}>
          <Table aria-label="Audit log" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Action</Table.Th>
                <Table.Th>Actor</Table.Th>
                <Table.Th>Target</Table.Th>
                <Table.Th visibleFrom="md">Details</Table.Th>
                <Table.Th visibleFrom="sm">Address</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {entries.map((e) => (
                <Table.Tr key={e.id}>
                  <Table.Td>
                    <Time value={e.occurredAt} />
                  </Table.Td>
                  <Table.Td className="cr-mono">{e.action}</Table.Td>
                  <Table.Td>
                    {e.actorKind}
                    {e.actorId !== null ? ` ${e.actorId}` : ''}
                    {e.actorRef ? (
                      <Text size="xs" c="dimmed">
                        {e.actorRef}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>{e.targetType ? `${e.targetType} ${e.targetId ?? ''}` : '—'}</Table.Td>
                  <Table.Td visibleFrom="md">
                    {e.details && Object.keys(e.details as object).length > 0 ? (
                      <Code style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                        {JSON.stringify(e.details)}
                      </Code>
                    ) : (
                      '—'
                    )}
                  </Table.Td>
                  <Table.Td visibleFrom="sm">{e.ip ?? '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
        <KeysetPager keyset={keyset} nextBefore={page.data?.nextBefore} />
      </DataState>
    </>
  );
}
