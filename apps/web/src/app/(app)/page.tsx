'use client';
import Link from 'next/link';
import { Anchor, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { DataState, PageHeader, StatusBadge, Time, relative } from '../../ui/components.tsx';
import { useResource } from '../../ui/use-resource.ts';
import { useLiveStatuses } from '../../ui/live-socket.ts';
import type { RunSummary } from '../../ui/types.ts';

const ORDER = ['running', 'queued', 'succeeded', 'failed', 'timed_out', 'cancelled'];

export default function DashboardPage() {
  const summary = useResource<RunSummary>('/runs/summary', { hours: 24 });
  // Any status change of the user's runs reads the summary again (at most once a second).
  useLiveStatuses(() => void summary.reload());
  const data = summary.data;
  return (
    <>
      <PageHeader title="Dashboard" description="The last 24 hours of your runs" />
      <DataState
        loading={summary.loading}
        error={summary.error}
        hasData={!!data}
        onRetry={summary.reload}
      >
        {data ? (
          <Stack gap="lg">
            <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} aria-label="Runs by status">
              {ORDER.map((status) => (
                <Card key={status} withBorder padding="sm">
                  <Text size="xs" c="dimmed" tt="uppercase">
                    {status.replace('_', ' ')}
                  </Text>
                  <Text fw={700} size="xl" data-testid={`count-${status}`}>
                    {data.byStatus[status] ?? 0}
                  </Text>
                </Card>
              ))}
            </SimpleGrid>
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <Section title="Running now" empty="Nothing is running.">
                {data.running.map((run) => (
                  <Table.Tr key={run.id}>
                    <Table.Td>
                      <Anchor component={Link} href={`/runs/${run.id}`}>
                        #{run.id}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{run.eventName ?? `event ${run.eventId}`}</Table.Td>
                    <Table.Td>
                      <StatusBadge status={run.status} />
                    </Table.Td>
                    <Table.Td>{run.startedAt ? relative(run.startedAt) : '—'}</Table.Td>
                  </Table.Tr>
                ))}
              </Section>
              <Section title="Next scheduled fires" empty="No active schedule.">
                {data.nextFires.map((fire) => (
                  <Table.Tr key={fire.eventId}>
                    <Table.Td>
                      <Anchor component={Link} href={`/events/${fire.eventId}`}>
                        {fire.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      <Time value={fire.at} zone={fire.timezone} />
                    </Table.Td>
                    <Table.Td>{relative(fire.at)}</Table.Td>
                  </Table.Tr>
                ))}
              </Section>
            </SimpleGrid>
            <Section title="Recent failures" empty="No failure in the last 24 hours.">
              {data.recentFailures.map((run) => (
                <Table.Tr key={run.id}>
                  <Table.Td>
                    <Anchor component={Link} href={`/runs/${run.id}`}>
                      #{run.id}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>{run.eventName ?? `event ${run.eventId}`}</Table.Td>
                  <Table.Td>
                    <StatusBadge status={run.status} />
                  </Table.Td>
                  <Table.Td visibleFrom="sm">
                    <Text size="sm" lineClamp={2}>
                      {run.error ?? '—'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Time value={run.finishedAt} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Section>
          </Stack>
        ) : null}
      </DataState>
    </>
  );
}

function Section(props: { title: string; empty: string; children: React.ReactNode[] }) {
  return (
    <Card withBorder padding="sm">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4">
          {props.title}
        </Title>
      </Group>
      {props.children.length === 0 ? (
        <Text c="dimmed" size="sm">
          {props.empty}
        </Text>
      ) : (
        <div className="cr-table-scroll" tabIndex={0}>
          <Table>
            <Table.Tbody>{props.children}</Table.Tbody>
          </Table>
        </div>
      )}
    </Card>
  );
}
