'use client';
import { useEffect, useState } from 'react';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { Anchor, Card, Code, SimpleGrid, Stack, Table, Tabs, Text } from '@mantine/core';
import { DataState, PageHeader, StatusBadge, Time, Fact } from '../../../../ui/components.tsx';
import { EventActionsList } from '../../../../ui/event-actions-list.tsx';
import { RunNowButton } from '../../../../ui/run-now-button.tsx';
import { RunAtButton } from '../../../../ui/run-at-button.tsx';
import { RunsTable } from '../../../../ui/runs-table.tsx';
import { TargetControls } from '../../../../ui/target-controls.tsx';
import type { EventItem } from '../../../../ui/types.ts';
import { useResource } from '../../../../ui/use-resource.ts';
import { TargetWebhooks } from '../../../../ui/webhooks/target-webhooks.tsx';

interface Tick {
  slot: string;
  outcome: string;
  reason: string | null;
  runId: number | null;
  recordedAt: string;
}

export default function EventPage() {
  const { id } = useParams<{ id: string }>();
  const event = useResource<EventItem>(`/events/${id}`);
  const [tab, setTab] = useState<string | null>('runs');
  // `/events/1#webhooks` opens that tab (the page a new webhook's owner is sent to).
  useEffect(() => {
    if (window.location.hash === '#webhooks') setTab('webhooks');
  }, []);
  const ticks = useResource<Tick[]>(tab === 'ticks' ? `/events/${id}/ticks` : null, {
    limit: 200,
  });
  const e = event.data;

  return (
    <DataState loading={event.loading} error={event.error} hasData={!!e} onRetry={event.reload}>
      {e ? (
        <>
          <PageHeader
            title={e.name}
            description={e.description || undefined}
            actions={
              <>
                <RunNowButton eventId={e.id} />
                <RunAtButton eventId={e.id} />
                <TargetControls
                  kind="event"
                  resource={event}
                  deleteText="The event, its schedule and its runs' history are deleted. This cannot be undone."
                />
              </>
            }
          />
          <Card withBorder mb="md">
            <SimpleGrid cols={{ base: 2, sm: 4 }}>
              <Fact label="Status">
                <StatusBadge status={e.status} />
              </Fact>
              <Fact label="Type">{e.type}</Fact>
              <Fact label="Target">
                {e.type === 'http' || e.type === 'tool' ? 'from the orchestrator' : e.targetKind}
                {e.targetKind === 'container' && e.image ? ` (${e.image})` : ''}
                {e.targetKind === 'ssh' ? ` (${e.serverIds.length} servers)` : ''}
              </Fact>
              <Fact label="Schedule">
                {e.schedule ? (
                  <>
                    <Code>{e.schedule.cron}</Code> {e.schedule.timezone}
                  </>
                ) : (
                  'by hand or API only'
                )}
              </Fact>
              <Fact label="Timeout">{e.timeoutSeconds} s</Fact>
              <Fact label="Attempts">{e.retry.maxAttempts}</Fact>
              <Fact label="Concurrency">
                {e.concurrency.policy} (max {e.concurrency.max})
              </Fact>
              <Fact label="Tags">{e.tags.length ? e.tags.join(', ') : '—'}</Fact>
            </SimpleGrid>
          </Card>
          <Tabs value={tab} onChange={setTab} keepMounted={false}>
            <Tabs.List mb="sm">
              <Tabs.Tab value="runs">Runs</Tabs.Tab>
              {e.schedule ? <Tabs.Tab value="ticks">Schedule ledger</Tabs.Tab> : null}
              <Tabs.Tab value="definition">
                {e.type === 'http' ? 'Request' : e.type === 'tool' ? 'Action' : 'Script'}
              </Tabs.Tab>
              <Tabs.Tab value="actions">After each run ({e.actions?.length ?? 0})</Tabs.Tab>
              <Tabs.Tab value="webhooks">Webhooks</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="runs">
              <RunsTable filter={{ eventId: e.id }} showEvent={false} />
            </Tabs.Panel>
            <Tabs.Panel value="ticks">
              <Text size="sm" c="dimmed" mb="xs">
                Every slot the schedule was due, and what became of it.
              </Text>
              <DataState
                loading={ticks.loading}
                error={ticks.error}
                hasData={!!ticks.data}
                empty={ticks.data?.length === 0}
                emptyTitle="No slot was due yet"
              >
                <div className="cr-table-scroll" tabIndex={0}>
                  <Table aria-label="Schedule ledger">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>Slot</Table.Th>
                        <Table.Th>Outcome</Table.Th>
                        <Table.Th>Reason</Table.Th>
                        <Table.Th>Run</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {(ticks.data ?? []).map((t) => (
                        <Table.Tr key={t.slot}>
                          <Table.Td>
                            <Time value={t.slot} zone={e.schedule?.timezone} />
                          </Table.Td>
                          <Table.Td>
                            <StatusBadge status={t.outcome} />
                          </Table.Td>
                          <Table.Td>{t.reason ?? '—'}</Table.Td>
                          <Table.Td>
                            {t.runId ? (
                              <Anchor component={Link} href={`/runs/${t.runId}`}>
                                #{t.runId}
                              </Anchor>
                            ) : (
                              '—'
                            )}
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </div>
              </DataState>
            </Tabs.Panel>
            <Tabs.Panel value="definition">
              {e.type === 'http' && e.http ? (
                <Stack gap="xs">
                  <Code>
                    {e.http.method} {e.http.url}
                  </Code>
                  {e.http.body ? <Code block>{e.http.body}</Code> : null}
                </Stack>
              ) : e.type === 'tool' && e.tool ? (
                <EventActionsList actions={[{ on: 'always', tool: e.tool }]} toolOnly />
              ) : (
                <Code block>{e.script}</Code>
              )}
            </Tabs.Panel>
            <Tabs.Panel value="actions">
              <EventActionsList actions={e.actions ?? []} />
            </Tabs.Panel>
            <Tabs.Panel value="webhooks">
              <TargetWebhooks target={{ kind: 'event', id: e.id }} />
            </Tabs.Panel>
          </Tabs>
        </>
      ) : null}
    </DataState>
  );
}
