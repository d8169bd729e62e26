'use client';
import { useState } from 'react';
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { api } from '../../../ui/api.ts';
import { apiAction } from '../../../ui/api-action.ts';
import { FormError, useFormSubmit } from '../../../ui/form-submit.tsx';
import { PageHeader, ShownOnce, Time } from '../../../ui/components.tsx';
import type { ApiToken } from '../../../ui/types.ts';
import { ListTable } from '../../../ui/list-table.tsx';
import { useResource } from '../../../ui/use-resource.ts';
import { RowButton } from '../../../ui/row-actions.tsx';

const SCOPES = [
  ['events:read', 'read events'],
  ['events:write', 'create, change and delete events'],
  ['events:execute', 'decide what code runs (scripts, targets, schedules)'],
  ['runs:read', 'read runs and logs'],
  ['runs:write', 'trigger and cancel runs'],
  ['variables:read', 'read variables'],
  ['variables:write', 'write variables'],
  ['servers:read', 'read servers'],
  ['servers:write', 'change servers'],
  ['tools:read', 'read tool credentials (never their secrets)'],
  ['tools:write', 'store, change and test tool credentials'],
  ['webhooks:read', "read events' webhooks (never their secrets)"],
  ['webhooks:write', 'add, change, rotate and delete webhooks'],
  ['users:read', 'read users (admins)'],
  ['users:write', 'invite and disable users (admins)'],
  ['audit:read', 'read the audit log (admins)'],
  ['tokens:read', 'read API tokens'],
  ['tokens:write', 'create and revoke API tokens'],
] as const;

function NewToken({ onCreated }: { onCreated(token: string): void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['events:read', 'runs:read']);
  const [days, setDays] = useState('90');
  const form = useFormSubmit(async () => {
    const expiresAt = days.trim()
      ? new Date(Date.now() + Number(days) * 86_400_000).toISOString()
      : null;
    const created = await api<{ token: string }>('POST', '/tokens', { name, scopes, expiresAt });
    onCreated(created.token);
  });
  const errors = form.fieldErrors;
  return (
    <form onSubmit={form.submit} aria-label="New API token">
      <Stack>
        <FormError error={form.error} />
        <TextInput
          label="Name"
          description="What uses it, e.g. ci-deploy"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={errors.name}
        />
        <TextInput
          label="Expires after (days)"
          description="Empty: never (not recommended)"
          inputMode="numeric"
          value={days}
          onChange={(e) => setDays(e.currentTarget.value.replace(/\D/g, ''))}
          error={errors.expiresAt}
        />
        <Checkbox.Group
          label="Scopes"
          description="Give only what it needs"
          value={scopes}
          onChange={setScopes}
          error={errors.scopes}
        >
          <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs">
            {SCOPES.map(([scope, what]) => (
              <Checkbox key={scope} value={scope} label={scope} description={what} />
            ))}
          </SimpleGrid>
        </Checkbox.Group>
        <Group justify="flex-end">
          <Button type="submit" loading={form.busy}>
            Create token
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export default function TokensPage() {
  const tokens = useResource<ApiToken[]>('/tokens');
  const [opened, { open, close }] = useDisclosure(false);
  const [created, setCreated] = useState<string>();
  const finish = () => {
    close();
    setCreated(undefined);
  };
  const revoke = async (token: ApiToken) => {
    await apiAction(() => api('DELETE', `/tokens/${token.id}`), {
      done: `Token ${token.name} revoked`,
      failed: 'The token could not be revoked',
    });
    await tokens.reload();
  };
  const list = tokens.data ?? [];
  return (
    <>
      <PageHeader
        title="API tokens"
        description="For scripts and programs that call Cronium's REST API (Authorization: Bearer …)"
        actions={<Button onClick={open}>New token</Button>}
      />
      <ListTable
        resource={tokens}
        empty={list.length === 0}
        emptyTitle="No API tokens"
        emptyText="A token lets a program use the REST API as you, limited to the scopes you choose."
        emptyAction={<Button onClick={open}>Create a token</Button>}
        label="API tokens"
        head={
          <>
            <Table.Th>Name</Table.Th>
            <Table.Th>Scopes</Table.Th>
            <Table.Th visibleFrom="sm">Expires</Table.Th>
            <Table.Th visibleFrom="sm">Last used</Table.Th>
            <Table.Th />
          </>
        }
      >
        {list.map((t) => (
          <Table.Tr key={t.id}>
            <Table.Td>
              {t.name}
              <Text size="xs" c="dimmed" className="cr-mono">
                {t.prefix}…
              </Text>
            </Table.Td>
            <Table.Td>
              <Text size="xs">{t.scopes.join(', ')}</Text>
            </Table.Td>
            <Table.Td visibleFrom="sm">
              {t.expiresAt ? <Time value={t.expiresAt} /> : 'never'}
            </Table.Td>
            <Table.Td visibleFrom="sm">
              <Time value={t.lastUsedAt} />
            </Table.Td>
            <Table.Td>
              {t.revokedAt ? (
                <Badge color="gray" variant="light">
                  revoked
                </Badge>
              ) : (
                <RowButton danger onClick={() => revoke(t)} aria-label={`Revoke ${t.name}`}>
                  Revoke
                </RowButton>
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <Modal
        opened={opened}
        onClose={finish}
        title={created ? 'Your new token' : 'New API token'}
        size="lg"
      >
        {created ? (
          <ShownOnce
            value={created}
            testId="new-token"
            copyLabel="Copy"
            onDone={() => {
              finish();
              void tokens.reload();
            }}
          >
            <Alert color="yellow" title="Copy it now">
              This is the only time the token is shown. Store it where your program reads its
              secrets.
            </Alert>
          </ShownOnce>
        ) : (
          <NewToken
            onCreated={(token) => {
              setCreated(token);
              void tokens.reload();
            }}
          />
        )}
      </Modal>
    </>
  );
}
