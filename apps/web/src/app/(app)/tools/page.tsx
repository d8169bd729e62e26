'use client';
import { useState } from 'react';
import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  NumberInput,
  PasswordInput,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { api } from '../../../ui/api.ts';
import { apiAction } from '../../../ui/api-action.ts';
import { FormError, useFormSubmit } from '../../../ui/form-submit.tsx';
import { PageHeader, Time, notifyDone } from '../../../ui/components.tsx';
import { ListTable } from '../../../ui/list-table.tsx';
import { useResource } from '../../../ui/use-resource.ts';
import { RowActions, RowButton } from '../../../ui/row-actions.tsx';

interface Credential {
  id: number;
  kind: Kind;
  name: string;
  createdAt: string;
  updatedAt: string;
}
type Kind = 'email' | 'slack' | 'discord' | 'teams' | 'webhook';
interface ToolResult {
  ok: boolean;
  status?: number;
  detail?: string;
  error?: string;
  retryable?: boolean;
}

const KINDS: { value: Kind; label: string }[] = [
  { value: 'email', label: 'Email (SMTP)' },
  { value: 'slack', label: 'Slack' },
  { value: 'discord', label: 'Discord' },
  { value: 'teams', label: 'Microsoft Teams' },
  { value: 'webhook', label: 'Webhook' },
];
const KIND_LABEL = Object.fromEntries(KINDS.map((k) => [k.value, k.label])) as Record<Kind, string>;

/** The form's fields for every kind; only the chosen kind's are sent. */
const EMPTY = {
  host: '',
  port: 587 as number | string,
  tls: 'starttls',
  username: '',
  password: '',
  from: '',
  slackMode: 'webhook',
  webhookUrl: '',
  botToken: '',
  channel: '',
  url: '',
  method: 'POST',
  signingSecret: '',
};
type Fields = typeof EMPTY;

function configOf(kind: Kind, f: Fields): Record<string, unknown> {
  switch (kind) {
    case 'email':
      return {
        host: f.host,
        port: Number(f.port),
        tls: f.tls,
        from: f.from,
        ...(f.username ? { username: f.username } : {}),
        ...(f.password ? { password: f.password } : {}),
      };
    case 'slack':
      return f.slackMode === 'bot'
        ? { botToken: f.botToken, channel: f.channel }
        : { webhookUrl: f.webhookUrl };
    case 'discord':
    case 'teams':
      return { webhookUrl: f.webhookUrl };
    case 'webhook':
      return {
        url: f.url,
        method: f.method,
        ...(f.signingSecret ? { signingSecret: f.signingSecret } : {}),
      };
  }
}

function NewCredential({ onDone }: { onDone(): void }) {
  const [kind, setKind] = useState<Kind>('slack');
  const [name, setName] = useState('');
  const [f, setF] = useState<Fields>(EMPTY);
  const set = (key: keyof Fields) => (value: string | number) =>
    setF((s) => ({ ...s, [key]: value }));
  const text = (key: keyof Fields) => (e: { currentTarget: { value: string } }) =>
    set(key)(e.currentTarget.value);
  const form = useFormSubmit(
    async () => {
      await api('POST', '/tools/credentials', { kind, name, config: configOf(kind, f) });
      notifyDone(`Credential ${name} saved`);
      onDone();
    },
    { leaves: true },
  );
  const errors = form.fieldErrors;
  const field = (key: string) => errors[`config.${key}`];
  return (
    <form onSubmit={form.submit} aria-label="New tool credential">
      <Stack>
        <FormError error={form.error} />
        <Select
          label="Tool"
          data={KINDS}
          value={kind}
          onChange={(value) => value && setKind(value as Kind)}
          allowDeselect={false}
        />
        <TextInput
          label="Name"
          description="How events and scripts refer to it, e.g. ops-channel"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={errors.name}
        />
        {kind === 'email' ? (
          <>
            <Group grow align="flex-start">
              <TextInput
                label="SMTP host"
                required
                value={f.host}
                onChange={text('host')}
                error={field('host')}
              />
              <NumberInput
                label="Port"
                min={1}
                max={65535}
                value={f.port}
                onChange={set('port')}
                error={field('port')}
              />
            </Group>
            <Select
              label="TLS"
              data={[
                { value: 'starttls', label: 'STARTTLS, required (port 587)' },
                { value: 'implicit', label: 'TLS from the start (port 465)' },
                { value: 'none', label: 'None (a relay on a trusted network only)' },
              ]}
              value={f.tls}
              onChange={(value) => value && set('tls')(value)}
              allowDeselect={false}
            />
            <TextInput
              label="User name"
              value={f.username}
              onChange={text('username')}
              error={field('username')}
            />
            <PasswordInput
              label="Password"
              value={f.password}
              onChange={text('password')}
              error={field('password')}
            />
            <TextInput
              label="From"
              description='An address, or "Name <address>"'
              required
              value={f.from}
              onChange={text('from')}
              error={field('from')}
            />
          </>
        ) : null}
        {kind === 'slack' ? (
          <SegmentedControl
            aria-label="Slack connection"
            data={[
              { value: 'webhook', label: 'Incoming webhook' },
              { value: 'bot', label: 'Bot token' },
            ]}
            value={f.slackMode}
            onChange={set('slackMode')}
          />
        ) : null}
        {kind === 'slack' && f.slackMode === 'bot' ? (
          <>
            <PasswordInput
              label="Bot token"
              description="xoxb-…"
              required
              value={f.botToken}
              onChange={text('botToken')}
              error={field('botToken')}
            />
            <TextInput
              label="Channel"
              description="Its id (C0123…) or name; the bot must be in it"
              required
              value={f.channel}
              onChange={text('channel')}
              error={field('channel')}
            />
          </>
        ) : null}
        {(kind === 'slack' && f.slackMode === 'webhook') ||
        kind === 'discord' ||
        kind === 'teams' ? (
          <PasswordInput
            label="Webhook URL"
            description={
              kind === 'teams'
                ? 'A Teams Workflows webhook ("when a webhook request is received")'
                : 'It holds the secret: it is stored encrypted and never shown again'
            }
            required
            value={f.webhookUrl}
            onChange={text('webhookUrl')}
            error={field('webhookUrl')}
          />
        ) : null}
        {kind === 'webhook' ? (
          <>
            <TextInput
              label="URL"
              required
              value={f.url}
              onChange={text('url')}
              error={field('url')}
            />
            <Select
              label="Method"
              data={['POST', 'PUT', 'PATCH']}
              value={f.method}
              onChange={(value) => value && set('method')(value)}
              allowDeselect={false}
            />
            <PasswordInput
              label="Signing secret"
              description="Optional, 16+ characters: requests are signed with HMAC-SHA256 (X-Cronium-Signature)"
              value={f.signingSecret}
              onChange={text('signingSecret')}
              error={field('signingSecret')}
            />
          </>
        ) : null}
        <Text size="xs" c="dimmed">
          Stored encrypted; never shown again, nor written to logs or the audit log.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={form.busy}>
            Save credential
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Sends a test message (an email asks where to) and shows how it went. */
function TestMessage({ credential, onDone }: { credential: Credential; onDone(): void }) {
  const [to, setTo] = useState('');
  const [result, setResult] = useState<ToolResult>();
  const form = useFormSubmit(async () => {
    setResult(undefined);
    setResult(
      await api<ToolResult>(
        'POST',
        `/tools/credentials/${credential.id}/test`,
        credential.kind === 'email' ? { to: [to] } : {},
      ),
    );
  });
  return (
    <form onSubmit={form.submit} aria-label={`Test ${credential.name}`}>
      <Stack>
        <FormError error={form.error} />
        {credential.kind === 'email' ? (
          <TextInput
            label="Send the test email to"
            type="email"
            required
            value={to}
            onChange={(e) => setTo(e.currentTarget.value)}
            error={form.fieldErrors['to.0'] ?? form.fieldErrors.to}
          />
        ) : (
          <Text size="sm">Cronium sends “This is a test message from Cronium” with it.</Text>
        )}
        {result ? (
          result.ok ? (
            <Alert color="green" title="Sent" role="status">
              {result.detail}
            </Alert>
          ) : (
            <Alert color="red" title="Not sent" role="alert">
              {result.error}
              {result.retryable ? ' (this may work later)' : ''}
            </Alert>
          )
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Close
          </Button>
          <Button type="submit" loading={form.busy}>
            Send test message
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export default function ToolsPage() {
  const list = useResource<Credential[]>('/tools/credentials');
  const [dialog, setDialog] = useState<'new' | Credential>();
  const [opened, { open, close }] = useDisclosure(false);
  const show = (d: 'new' | Credential) => {
    setDialog(d);
    open();
  };
  const done = () => {
    close();
    void list.reload();
  };
  const remove = async (credential: Credential) => {
    await apiAction(() => api('DELETE', `/tools/credentials/${credential.id}`), {
      done: `Credential ${credential.name} deleted`,
      failed: 'The credential could not be deleted',
    });
    await list.reload();
  };
  const credentials = list.data ?? [];
  return (
    <>
      <PageHeader
        title="Tools"
        description="Credentials for email, Slack, Discord, Teams and webhooks: for tool events, actions after a run, and executeToolAction in scripts"
        actions={<Button onClick={() => show('new')}>New credential</Button>}
      />
      <ListTable
        resource={list}
        empty={credentials.length === 0}
        emptyTitle="No tool credentials yet"
        emptyText="A credential lets Cronium send an email or a message for you when a run ends, or from a script."
        emptyAction={<Button onClick={() => show('new')}>Add a credential</Button>}
        label="Tool credentials"
        head={
          <>
            <Table.Th>Name</Table.Th>
            <Table.Th>Tool</Table.Th>
            <Table.Th visibleFrom="sm">Updated</Table.Th>
            <Table.Th />
          </>
        }
      >
        {credentials.map((c) => (
          <Table.Tr key={c.id}>
            <Table.Td className="cr-mono">{c.name}</Table.Td>
            <Table.Td>
              <Badge variant="light">{KIND_LABEL[c.kind] ?? c.kind}</Badge>
            </Table.Td>
            <Table.Td visibleFrom="sm">
              <Time value={c.updatedAt} />
            </Table.Td>
            <Table.Td>
              <RowActions>
                <RowButton onClick={() => show(c)} aria-label={`Test ${c.name}`}>
                  Test
                </RowButton>
                <RowButton danger onClick={() => remove(c)} aria-label={`Delete ${c.name}`}>
                  Delete
                </RowButton>
              </RowActions>
            </Table.Td>
          </Table.Tr>
        ))}
      </ListTable>
      <Modal
        opened={opened}
        onClose={close}
        title={dialog === 'new' ? 'New tool credential' : `Test ${dialog?.name ?? ''}`}
        size="lg"
      >
        {dialog === 'new' ? (
          <NewCredential onDone={done} />
        ) : dialog ? (
          <TestMessage key={dialog.id} credential={dialog} onDone={close} />
        ) : null}
      </Modal>
    </>
  );
}
