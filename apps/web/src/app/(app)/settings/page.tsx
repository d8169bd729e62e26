'use client';
import { Card, Code, List, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { DataState, Fact, PageHeader } from '../../../ui/components.tsx';
import { useMe } from '../../../ui/session.tsx';
import type { Settings } from '../../../ui/types.ts';
import { useResource } from '../../../ui/use-resource.ts';

const LOCAL: Record<string, string> = {
  everyone: 'every user (each as their own system user)',
  admins: 'admins only',
  off: 'nobody (turned off)',
};

export default function SettingsPage() {
  const me = useMe();
  const settings = useResource<Settings>('/settings');
  const s = settings.data;
  return (
    <>
      <PageHeader
        title="Settings"
        description={
          <>
            What applies to events on this installation. These are set where Cronium is deployed, in
            the services' environment (each variable is named below; see{' '}
            <Code>docs/configuration.md</Code>), and take effect when the services restart: an admin
            session alone cannot open local execution or internal addresses to scripts.
          </>
        }
      />
      <DataState
        loading={settings.loading}
        error={settings.error}
        hasData={!!s}
        onRetry={settings.reload}
      >
        {s ? (
          <Stack>
            <Card withBorder>
              <Title order={2} size="h4" mb="sm">
                Where scripts run
              </Title>
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                <Fact label="Containers">
                  {s.targets.containers
                    ? 'available (a Docker engine answered)'
                    : 'not available (no Docker engine)'}
                </Fact>
                <Fact label="Local processes (ORCHESTRATOR_LOCAL)">
                  {LOCAL[s.targets.local] ?? s.targets.local}
                </Fact>
              </SimpleGrid>
            </Card>
            <Card withBorder>
              <Title order={2} size="h4" mb="sm">
                Container caps
              </Title>
              {s.containerCaps ? (
                <SimpleGrid cols={{ base: 2, sm: 4 }}>
                  <Fact label="Memory (CONTAINER_MAX_MEMORY_MB)">
                    at most {s.containerCaps.memoryMb} MB
                  </Fact>
                  <Fact label="CPU (CONTAINER_MAX_CPU_MILLIS)">
                    at most {s.containerCaps.cpuMillis} millicores
                  </Fact>
                  <Fact label="Processes (CONTAINER_MAX_PIDS)">at most {s.containerCaps.pids}</Fact>
                  <Fact label="Network (CONTAINER_NETWORK)">
                    {s.containerCaps.network ? 'events may ask for it' : 'none'}
                  </Fact>
                </SimpleGrid>
              ) : (
                <Text size="sm" c="dimmed">
                  No orchestrator has published its caps yet.
                </Text>
              )}
            </Card>
            {s.limits ? (
              <Card withBorder>
                <Title order={2} size="h4" mb="sm">
                  Your limits
                </Title>
                <SimpleGrid cols={{ base: 2, sm: 4 }}>
                  <Fact label="Events">{s.limits.events}</Fact>
                  <Fact label="Variables">{s.limits.variables}</Fact>
                  <Fact label="Servers">{s.limits.servers}</Fact>
                  <Fact label="API tokens">{s.limits.apiTokens}</Fact>
                  <Fact label="Queued runs">{s.limits.queuedRuns}</Fact>
                  <Fact label="Longest timeout">{s.limits.maxTimeoutSeconds} s</Fact>
                </SimpleGrid>
              </Card>
            ) : null}
            {me.role === 'admin' && s.egress ? (
              <Card withBorder>
                <Title order={2} size="h4" mb="sm">
                  Egress policy
                </Title>
                <Text size="sm" mb="xs">
                  Outbound requests (HTTP events, server scans and tests) may reach public
                  addresses. Internal ones (loopback, private, link-local…) are open to admins, and
                  to other users only when <Code>EGRESS_ALLOW</Code> lists them. Cloud metadata
                  endpoints are refused to everyone unless <Code>EGRESS_ALLOW_METADATA</Code> lists
                  them.
                </Text>
                <SimpleGrid cols={{ base: 1, sm: 2 }}>
                  <Fact label="EGRESS_ALLOW">
                    {s.egress.allow.length ? (
                      <List size="sm">
                        {s.egress.allow.map((a) => (
                          <List.Item key={a}>
                            <Code>{a}</Code>
                          </List.Item>
                        ))}
                      </List>
                    ) : (
                      'nothing internal'
                    )}
                  </Fact>
                  <Fact label="EGRESS_ALLOW_METADATA">
                    {s.egress.allowMetadata.length ? s.egress.allowMetadata.join(', ') : 'none'}
                  </Fact>
                </SimpleGrid>
              </Card>
            ) : null}
          </Stack>
        ) : null}
      </DataState>
    </>
  );
}
