'use client';
import { useState } from 'react';
import Link from 'next/link';
import { Anchor, Button, Group, Table, Text } from '@mantine/core';
import type { Query } from './api.ts';
import { DataState, StatusBadge, Time, formatDuration } from './components.tsx';
import { useLiveStatuses } from './live-socket.ts';
import type { Run } from './types.ts';
import { useResource } from './use-resource.ts';

/**
 * A page of runs (newest first) with keyset paging; statuses follow live: any change to one
 * of the user's runs reads the page again.
 */
export function RunsTable(props: { filter: Query; showEvent?: boolean; pageSize?: number }) {
  const [cursors, setCursors] = useState<number[]>([]);
  const before = cursors.at(-1);
  const page = useResource<{ runs: Run[]; nextBefore: number | null }>('/runs', {
    ...props.filter,
    before,
    limit: props.pageSize ?? 25,
  });
  useLiveStatuses(() => void page.reload());
  const filterKey = JSON.stringify(props.filter);
  const [lastFilter, setLastFilter] = useState(filterKey);
  if (filterKey !== lastFilter) {
    setLastFilter(filterKey);
    setCursors([]);
  }
  const runs = page.data?.runs ?? [];
  return (
    <DataState
      loading={page.loading}
      error={page.error}
      hasData={!!page.data}
      onRetry={page.reload}
      empty={runs.length === 0 && cursors.length === 0}
      emptyTitle="No runs"
      emptyText="Runs appear here when an event runs: on its schedule, by hand or from the API."
    >
      <div className="cr-table-scroll" tabIndex={0}>
        <Table highlightOnHover verticalSpacing="xs" aria-label="Runs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Run</Table.Th>
              {props.showEvent !== false ? <Table.Th>Event</Table.Th> : null}
              <Table.Th>Status</Table.Th>
              <Table.Th visibleFrom="sm">Trigger</Table.Th>
              <Table.Th>Created</Table.Th>
              <Table.Th visibleFrom="sm">Duration</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {runs.map((run) => (
              <Table.Tr key={run.id}>
                <Table.Td>
                  <Anchor component={Link} href={`/runs/${run.id}`}>
                    #{run.id}
                  </Anchor>
                </Table.Td>
                {props.showEvent !== false ? (
                  <Table.Td>
                    <Anchor component={Link} href={`/events/${run.eventId}`}>
                      {run.eventName ?? `event ${run.eventId}`}
                    </Anchor>
                  </Table.Td>
                ) : null}
                <Table.Td>
                  <StatusBadge status={run.status} />
                  {run.attempt > 1 ? (
                    <Text span size="xs" c="dimmed">
                      {' '}
                      attempt {run.attempt}
                    </Text>
                  ) : null}
                </Table.Td>
                <Table.Td visibleFrom="sm">{run.trigger}</Table.Td>
                <Table.Td>
                  <Time value={run.createdAt} />
                </Table.Td>
                <Table.Td visibleFrom="sm">{formatDuration(run.durationMs)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </div>
      <Group justify="flex-end" mt="sm" gap="xs">
        <Button
          size="xs"
          variant="default"
          disabled={cursors.length === 0}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          Newer
        </Button>
        <Button
          size="xs"
          variant="default"
          disabled={!page.data?.nextBefore}
          onClick={() => page.data?.nextBefore && setCursors((c) => [...c, page.data!.nextBefore!])}
        >
          Older
        </Button>
      </Group>
    </DataState>
  );
}
