'use client';
import { useState } from 'react';
import Link from 'next/link';
import { useParams, useRouter } from 'next/navigation';
import {
  Alert,
  Anchor,
  Button,
  Card,
  Code,
  Group,
  List,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { api } from '../../../../ui/api.ts';
import {
  DataState,
  PageHeader,
  Time,
  notifyDone,
  notifyError,
} from '../../../../ui/components.tsx';
import type { EventListItem, Server } from '../../../../ui/types.ts';
import { useResource } from '../../../../ui/use-resource.ts';

interface Scan {
  fingerprint: string;
  keyType: string;
  pinned: string | null;
  matches: boolean;
}
interface Report {
  ok: boolean;
  reachable: boolean;
  hostKey: { presented: string | null; pinned: string | null; matches: boolean };
  authenticated: boolean;
  runtimeApiForwarding: boolean;
  sftp: boolean;
  interpreters: { bash: string | null; python3: string | null; node: string | null };
  connectMs: number | null;
  error: string | null;
}

const yes = (ok: boolean) => (
  <Text span c={ok ? 'teal' : 'red'} fw={600}>
    {ok ? 'yes' : 'no'}
  </Text>
);

export default function ServerPage() {
  const { id } = useParams<{ id: string }>();
  const router = useRouter();
  const server = useResource<Server>(`/servers/${id}`);
  const events = useResource<{ events: EventListItem[] }>('/events', {
    targetKind: 'ssh',
    limit: 200,
  });
  const [scan, setScan] = useState<Scan>();
  const [report, setReport] = useState<Report>();
  const [busy, setBusy] = useState<string>();
  const s = server.data;
  const using = (events.data?.events ?? []).filter((e) => e.serverIds.includes(Number(id)));

  const act = async (name: string, work: () => Promise<void>) => {
    setBusy(name);
    try {
      await work();
    } catch (problem) {
      notifyError(`${name} failed`, problem);
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <DataState loading={server.loading} error={server.error} hasData={!!s} onRetry={server.reload}>
      {s ? (
        <Stack>
          <PageHeader
            title={s.name}
            description={`${s.username}@${s.host}:${s.port} · ${s.authMethod === 'password' ? 'password' : 'private key'}`}
            actions={
              <>
                <Button
                  variant="default"
                  loading={busy === 'Scan'}
                  onClick={() =>
                    act('Scan', async () =>
                      setScan(await api<Scan>('POST', `/servers/${id}/host-key/scan`)),
                    )
                  }
                >
                  Scan host key
                </Button>
                <Button
                  loading={busy === 'Test'}
                  onClick={() =>
                    act('Test', async () =>
                      setReport(await api<Report>('POST', `/servers/${id}/test`)),
                    )
                  }
                >
                  Test connection
                </Button>
                <Button
                  variant="subtle"
                  color="red"
                  onClick={() =>
                    act('Delete', async () => {
                      await api('DELETE', `/servers/${id}`);
                      notifyDone('Server deleted');
                      router.replace('/servers');
                    })
                  }
                >
                  Delete
                </Button>
              </>
            }
          />
          <Card withBorder>
            <Title order={2} size="h4" mb="xs">
              Host key
            </Title>
            {s.hostKeyFingerprint ? (
              <Text size="sm">
                Pinned: <Code>{s.hostKeyFingerprint}</Code>{' '}
                {s.hostKeyConfirmedAt ? (
                  <>
                    confirmed <Time value={s.hostKeyConfirmedAt} />
                  </>
                ) : null}
              </Text>
            ) : (
              <Alert color="orange" title="Not confirmed yet">
                Cronium connects only to a host whose key you confirmed. Scan the host key and
                compare it with the server&apos;s own (
                <Code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</Code> on the server).
              </Alert>
            )}
            {scan ? (
              <Stack gap="xs" mt="sm" data-testid="host-key-scan">
                <Text size="sm">The server presents a {scan.keyType} key with the fingerprint</Text>
                <Code block fz="md">
                  {scan.fingerprint}
                </Code>
                {scan.pinned && !scan.matches ? (
                  <Alert color="red" title="This is not the pinned key">
                    The server&apos;s key changed since you confirmed it. Confirm the new one only
                    if you know why it changed.
                  </Alert>
                ) : null}
                {scan.matches ? (
                  <Text size="sm" c="teal">
                    It matches the pinned key.
                  </Text>
                ) : (
                  <Button
                    w="fit-content"
                    loading={busy === 'Confirm'}
                    onClick={() =>
                      act('Confirm', async () => {
                        await api('PUT', `/servers/${id}/host-key`, {
                          fingerprint: scan.fingerprint,
                        });
                        notifyDone('Host key confirmed');
                        setScan(undefined);
                        await server.reload();
                      })
                    }
                  >
                    It is the server&apos;s key: confirm
                  </Button>
                )}
              </Stack>
            ) : null}
          </Card>
          {report ? (
            <Card withBorder data-testid="connection-report">
              <Title order={2} size="h4" mb="xs">
                Connection test: {report.ok ? 'passed' : 'failed'}
              </Title>
              {report.error ? (
                <Alert color="red" mb="sm">
                  {report.error}
                </Alert>
              ) : null}
              <List size="sm" spacing={4}>
                <List.Item>
                  Reachable: {yes(report.reachable)}
                  {report.connectMs !== null ? ` (${report.connectMs} ms)` : ''}
                </List.Item>
                <List.Item>
                  Host key matches the pinned one: {yes(report.hostKey.matches)}
                </List.Item>
                <List.Item>Signed in: {yes(report.authenticated)}</List.Item>
                <List.Item>Runtime API forwarding: {yes(report.runtimeApiForwarding)}</List.Item>
                <List.Item>SFTP: {yes(report.sftp)}</List.Item>
                <List.Item>
                  bash: {report.interpreters.bash ?? 'none'} · python3:{' '}
                  {report.interpreters.python3 ?? 'none'} · node:{' '}
                  {report.interpreters.node ?? 'none'}
                </List.Item>
              </List>
            </Card>
          ) : null}
          <Card withBorder>
            <Title order={2} size="h4" mb="xs">
              Events that use it
            </Title>
            {using.length === 0 ? (
              <Text size="sm" c="dimmed">
                None yet: choose it as a server of an event with the SSH target.
              </Text>
            ) : (
              <Table>
                <Table.Tbody>
                  {using.map((e) => (
                    <Table.Tr key={e.id}>
                      <Table.Td>
                        <Anchor component={Link} href={`/events/${e.id}`}>
                          {e.name}
                        </Anchor>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
          </Card>
          <Group>
            <Anchor component={Link} href="/servers" size="sm">
              All servers
            </Anchor>
          </Group>
        </Stack>
      ) : null}
    </DataState>
  );
}
