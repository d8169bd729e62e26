'use client';
import Link from 'next/link';
import { Anchor, Table, Text } from '@mantine/core';
import { StatusBadge, Time, formatDuration } from '../components.tsx';
import { KeysetPager } from '../keyset-pager.tsx';
import { ListTable } from '../list-table.tsx';
import type { WorkflowRunListItem } from '../types.ts';
import { useLiveRunsPage } from '../use-live-runs-page.ts';

const durationOf = (run: WorkflowRunListItem) =>
  run.finishedAt ? new Date(run.finishedAt).getTime() - new Date(run.createdAt).getTime() : null;

/**
 * A workflow's runs, newest first, paged; read again when one of the user's workflow runs
 * moves or one of their runs changes status, so a running row ends by itself.
 */
export function WorkflowRunsTable({ workflowId }: { workflowId: number }) {
  const { keyset, page, runs } = useLiveRunsPage<WorkflowRunListItem>(
    `/workflows/${workflowId}/runs`,
    {},
    25,
    true,
  );
  return (
    <ListTable
      resource={page}
      empty={runs.length === 0 && keyset.newest}
      emptyTitle="No runs yet"
      emptyText="Run now starts one; each node's run is also listed under Runs."
      label="Workflow runs"
      highlightOnHover
      verticalSpacing="xs"
      head={
        <>
          <Table.Th>Run</Table.Th>
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
            <Anchor component={Link} href={`/workflow-runs/${run.id}`}>
              #{run.id}
            </Anchor>
          </Table.Td>
          <Table.Td>
            <StatusBadge status={run.status} />
            {run.error ? (
              <Text size="xs" c="dimmed" lineClamp={1} maw={280}>
                {run.error}
              </Text>
            ) : null}
          </Table.Td>
          <Table.Td visibleFrom="sm">
            {run.trigger}
            {run.rerunOf ? (
              <Text span size="xs" c="dimmed">
                {' '}
                of #{run.rerunOf}
              </Text>
            ) : null}
          </Table.Td>
          <Table.Td>
            <Time value={run.createdAt} />
          </Table.Td>
          <Table.Td visibleFrom="sm">{formatDuration(durationOf(run))}</Table.Td>
        </Table.Tr>
      ))}
    </ListTable>
  );
}
