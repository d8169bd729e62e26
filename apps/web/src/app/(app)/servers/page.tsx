'use client';
import { useState } from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import {
  Anchor,
  Badge,
  Button,
  Group,
  Modal,
  NumberInput,
  PasswordInput,
  SegmentedControl,
  Stack,
  Table,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { api } from '../../../ui/api.ts';
import { FormError, useFormSubmit } from '../../../ui/form-submit.tsx';
import { DataState, PageHeader } from '../../../ui/components.tsx';
import type { Server } from '../../../ui/types.ts';
import { useResource } from '../../../ui/use-resource.ts';

function AddServer({ onClose }: { onClose(): void }) {
  const router = useRouter();
  const [f, setF] = useState({
    name: '',
    host: '',
    port: 22 as number | string,
    username: '',
    method: 'private_key',
    privateKey: '',
    passphrase: '',
    password: '',
  });
  const set = (key: keyof typeof f) => (v: string | number) => setF((s) => ({ ...s, [key]: v }));

  const form = useFormSubmit(
    async () => {
      const server = await api<Server>('POST', '/servers', {
        name: f.name,
        host: f.host,
        port: Number(f.port),
        username: f.username,
        auth:
          f.method === 'password'
            ? { method: 'password', password: f.password }
            : {
                method: 'private_key',
                privateKey: f.privateKey,
                ...(f.passphrase ? { passphrase: f.passphrase } : {}),
              },
      });
      onClose();
      // Next: scan and confirm its host key.
      router.push(`/servers/${server.id}`);
    },
    { leaves: true },
  );
  const errors = form.fieldErrors;

  return (
    <form onSubmit={form.submit} aria-label="Add a server">
      <Stack>
        <FormError error={form.error} />
        <TextInput
          label="Name"
          required
          value={f.name}
          onChange={(e) => set('name')(e.currentTarget.value)}
          error={errors.name}
        />
        <Group grow align="flex-start">
          <TextInput
            label="Host"
            required
            value={f.host}
            onChange={(e) => set('host')(e.currentTarget.value)}
            error={errors.host}
          />
          <NumberInput
            label="Port"
            min={1}
            max={65535}
            value={f.port}
            onChange={set('port')}
            error={errors.port}
            maw={110}
          />
        </Group>
        <TextInput
          label="User"
          required
          value={f.username}
          onChange={(e) => set('username')(e.currentTarget.value)}
          error={errors.username}
        />
        <SegmentedControl
          aria-label="Sign in with"
          data={[
            { value: 'private_key', label: 'Private key' },
            { value: 'password', label: 'Password' },
          ]}
          value={f.method}
          onChange={set('method')}
        />
        {f.method === 'private_key' ? (
          <>
            <Textarea
              label="Private key"
              description="OpenSSH or PEM; stored encrypted, never shown again"
              required
              autosize
              minRows={4}
              className="cr-mono"
              value={f.privateKey}
              onChange={(e) => set('privateKey')(e.currentTarget.value)}
              error={errors['auth.privateKey'] ?? errors.auth}
            />
            <PasswordInput
              label="Passphrase (if the key has one)"
              value={f.passphrase}
              onChange={(e) => set('passphrase')(e.currentTarget.value)}
            />
          </>
        ) : (
          <PasswordInput
            label="Password"
            required
            value={f.password}
            onChange={(e) => set('password')(e.currentTarget.value)}
            error={errors['auth.password'] ?? errors.auth}
          />
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={form.busy}>
            Add server
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export default function ServersPage() {
  const servers = useResource<Server[]>('/servers');
  const [adding, { open, close }] = useDisclosure(false);
  return (
    <>
      <PageHeader
        title="Servers"
        description="Machines your events run on over SSH; each host key is pinned"
        actions={<Button onClick={open}>Add server</Button>}
      />
      <DataState
        loading={servers.loading}
        error={servers.error}
        hasData={!!servers.data}
        onRetry={servers.reload}
        empty={servers.data?.length === 0}
        emptyTitle="No servers yet"
        emptyText="Add a server to run scripts on it over SSH. Cronium shows its host key for you to confirm before it connects."
        emptyAction={<Button onClick={open}>Add a server</Button>}
      >
        <div className="cr-table-scroll" tabIndex={0}>
          <Table highlightOnHover aria-label="Servers">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Address</Table.Th>
                <Table.Th>Host key</Table.Th>
                <Table.Th visibleFrom="sm">Events</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(servers.data ?? []).map((s) => (
                <Table.Tr key={s.id}>
                  <Table.Td>
                    <Anchor component={Link} href={`/servers/${s.id}`}>
                      {s.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td className="cr-mono">
                    {s.username}@{s.host}:{s.port}
                  </Table.Td>
                  <Table.Td>
                    {s.hostKeyConfirmedAt ? (
                      <Badge color="teal" variant="light">
                        confirmed
                      </Badge>
                    ) : (
                      <Badge color="orange" variant="light">
                        not confirmed
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td visibleFrom="sm">{s.eventIds.length}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      </DataState>
      <Modal opened={adding} onClose={close} title="Add a server" size="lg">
        <AddServer onClose={close} />
      </Modal>
    </>
  );
}
