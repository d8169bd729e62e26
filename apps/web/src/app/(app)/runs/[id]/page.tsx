'use client';
import { useMemo } from 'react';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { Anchor, Button, Card, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { api } from '../../../../ui/api.ts';
import { apiAction } from '../../../../ui/api-action.ts';
import {
  DataState,
  JsonBlock,
  PageHeader,
  StatusBadge,
  Time,
  formatDuration,
  Fact,
} from '../../../../ui/components.tsx';
import { ErrorAlert } from '../../../../ui/error-alert.tsx';
import { LiveLog } from '../../../../ui/live-log.tsx';
import { SectionCard } from '../../../../ui/section-card.tsx';
import type { Run, Server } from '../../../../ui/types.ts';
import { useResource } from '../../../../ui/use-resource.ts';

type RunDetail = Run & {
  targets?: {
    serverId: number;
    attempt: number;
    status: string;
    exitCode: number | null;
    error: string | null;
    startedAt: string | null;
    finishedAt: string | null;
  }[];
};

const CANCELLABLE = new Set(['scheduled', 'queued', 'running']);

export default function RunPage() {
  const { id } = useParams<{ id: string }>();
  const run = useResource<RunDetail>(`/runs/${id}`);
  const hasTargets = (run.data?.targets?.length ?? 0) > 0;
  const servers = useResource<Server[]>(hasTargets ? '/servers' : null);
  const serverNames = useMemo(
    () => new Map((servers.data ?? []).map((s) => [s.id, s.name])),
    [servers.data],
  );
  const r = run.data;

  const cancel = async () => {
    await apiAction(() => api('POST', `/runs/${id}/cancel`), {
      done: 'Cancel requested',
      failed: 'The run could not be cancelled',
    });
    await run.reload();
  };

  return (
    <DataState loading={run.loading} error={run.error} hasData={!!r} onRetry={run.reload}>
      {r ? (
        <Stack gap="md">
          <PageHeader
            title={`Run #${r.id}`}
            description={
              <>
                of{' '}
                <Anchor component={Link} href={`/events/${r.eventId}`}>
                  {r.eventName ?? `event ${r.eventId}`}
                </Anchor>
                {r.workflowRunId !== null ? (
                  <>
                    <br />
                    <Anchor component={Link} href={`/workflow-runs/${r.workflowRunId}`}>
                      Part of workflow run #{r.workflowRunId}
                    </Anchor>
                  </>
                ) : null}
              </>
            }
            actions={
              CANCELLABLE.has(r.status) ? (
                <Button color="red" variant="light" onClick={cancel}>
                  Cancel run
                </Button>
              ) : null
            }
          />
          <Card withBorder>
            <SimpleGrid cols={{ base: 2, sm: 4 }}>
              <Fact label="Status">
                <span data-testid="run-status">
                  <StatusBadge status={r.status} />
                </span>
              </Fact>
              <Fact label="Trigger">{r.trigger}</Fact>
              <Fact label="Attempt">
                {r.attempt} of {r.maxAttempts}
              </Fact>
              <Fact label="Exit code">{r.exitCode ?? '—'}</Fact>
              <Fact label="Created">
                <Time value={r.createdAt} />
              </Fact>
              <Fact label="Started">
                <Time value={r.startedAt} />
              </Fact>
              <Fact label="Finished">
                <Time value={r.finishedAt} />
              </Fact>
              <Fact label="Duration">{formatDuration(r.durationMs)}</Fact>
            </SimpleGrid>
          </Card>
          {r.error ? <ErrorAlert error={r.error} role="alert" /> : null}
          <SectionCard title="Log">
            <LiveLog runId={r.id} onStatus={() => void run.reload()} serverNames={serverNames} />
          </SectionCard>
          {hasTargets ? (
            <SectionCard title="Servers">
              <div className="cr-table-scroll" tabIndex={0}>
                <Table aria-label="Results per server">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>Server</Table.Th>
                      <Table.Th>Attempt</Table.Th>
                      <Table.Th>Status</Table.Th>
                      <Table.Th>Exit code</Table.Th>
                      <Table.Th>Error</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {r.targets!.map((t) => (
                      <Table.Tr key={`${t.serverId}-${t.attempt}`}>
                        <Table.Td>
                          <Anchor component={Link} href={`/servers/${t.serverId}`}>
                            {serverNames.get(t.serverId) ?? `server ${t.serverId}`}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>{t.attempt}</Table.Td>
                        <Table.Td>
                          <StatusBadge status={t.status} />
                        </Table.Td>
                        <Table.Td>{t.exitCode ?? '—'}</Table.Td>
                        <Table.Td>{t.error ?? '—'}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </div>
            </SectionCard>
          ) : null}
          <SimpleGrid cols={{ base: 1, md: 3 }}>
            <SectionCard title="Output" size="h5">
              <JsonBlock value={r.output} />
            </SectionCard>
            <SectionCard title="Condition" size="h5">
              <Text size="sm">{r.condition === null ? 'not set' : String(r.condition)}</Text>
            </SectionCard>
            <SectionCard title="Input" size="h5">
              <JsonBlock value={r.input} />
            </SectionCard>
          </SimpleGrid>
          {r.result !== null && r.result !== undefined ? (
            <SectionCard title="Result" size="h5">
              <JsonBlock value={r.result} />
            </SectionCard>
          ) : null}
        </Stack>
      ) : null}
    </DataState>
  );
}
