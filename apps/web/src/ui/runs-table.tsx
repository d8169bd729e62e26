'use client';
import Link from 'next/link';
import { Anchor, Button, Table, Text } from '@mantine/core';
import { api, type Query } from './api.ts';
import { apiAction } from './api-action.ts';
import { StatusBadge, Time, formatDuration } from './components.tsx';
import { KeysetPager } from './keyset-pager.tsx';
import { ListTable } from './list-table.tsx';
import type { Run } from './types.ts';
import { useLiveRunsPage } from './use-live-runs-page.ts';

/** A page of runs (newest first) with keyset paging, whose statuses follow live. */
export function RunsTable(props: { filter: Query; showEvent?: boolean; pageSize?: number }) {
  const { keyset, page, runs } = useLiveRunsPage<Run>('/runs', props.filter, props.pageSize);
  const cancel = async (runId: number) => {
    await apiAction(() => api('POST', `/runs/${runId}/cancel`), {
      done: `Run #${runId} cancelled`,
      failed: `Run #${runId} could not be cancelled`,
    });
    void page.reload();
  };
  return (
    <ListTable
      resource={page}
      empty={runs.length === 0 && keyset.newest}
      emptyTitle="No runs"
      emptyText="Runs appear here when an event runs: on its schedule, by hand or from the API."
      label="Runs"
      highlightOnHover
      verticalSpacing="xs"
      head={
        <>
          <Table.Th>Run</Table.Th>
          {props.showEvent !== false ? <Table.Th>Event</Table.Th> : null}
          <Table.Th>Status</Table.Th>
          <Table.Th visibleFrom="sm">Trigger</Table.Th>
          <Table.Th>Created</Table.Th>
          <Table.Th visibleFrom="sm">Duration</Table.Th>
        </>
      }
      footer={<KeysetPager keyset={keyset} nextBefore={page.data?.nextBefore} />}
    >
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
            {run.status === 'scheduled' ? (
              <Text span size="xs" display="block">
                for <Time value={run.runAt} />{' '}
                <Button
                  size="compact-xs"
                  variant="subtle"
                  color="red"
                  onClick={() => void cancel(run.id)}
                  aria-label={`Cancel scheduled run #${run.id}`}
                >
                  Cancel
                </Button>
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
    </ListTable>
  );
}
