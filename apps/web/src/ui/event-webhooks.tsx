'use client';
// The event page's Webhooks tab: an event's inbound webhooks (docs/webhooks.md), each with
// its URL; add one (its secret shown once), rotate its secret, enable, disable, delete.
import { useState } from 'react';
import {
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Table,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { api } from './api.ts';
import { DataState, ShownOnce, Time, notifyDone, notifyError } from './components.tsx';
import { FormError, useFormSubmit } from './form-submit.tsx';
import type { Webhook, WebhookWithSecret } from './types.ts';
import { useResource } from './use-resource.ts';

const MODES = [
  { value: 'hmac', label: 'Signed (HMAC)' },
  { value: 'bearer', label: 'Bearer secret' },
];
const GRACE = [
  { value: '0', label: 'Stop accepting it now' },
  { value: '3600', label: '1 hour' },
  { value: '86400', label: '24 hours' },
  { value: '604800', label: '7 days' },
];

function CopyValue({ value, label }: { value: string; label: string }) {
  return (
    <CopyButton value={value}>
      {({ copied, copy }) => (
        <Button
          size="compact-sm"
          variant="light"
          onClick={copy}
          aria-label={label}
          style={{ flex: 'none' }}
        >
          {copied ? 'Copied' : 'Copy'}
        </Button>
      )}
    </CopyButton>
  );
}

function NewWebhook({
  eventId,
  onCreated,
}: {
  eventId: number;
  onCreated(created: WebhookWithSecret): void;
}) {
  const [name, setName] = useState('');
  const [authMode, setAuthMode] = useState('hmac');
  const [headers, setHeaders] = useState<string[]>([]);
  const [rate, setRate] = useState<number | string>(60);
  const form = useFormSubmit(async () => {
    onCreated(
      await api<WebhookWithSecret>('POST', `/events/${eventId}/webhooks`, {
        name,
        authMode,
        headers,
        rateLimitPerMinute: Number(rate),
      }),
    );
  });
  const errors = form.fieldErrors;
  return (
    <form onSubmit={form.submit} aria-label="New webhook">
      <Stack>
        <FormError error={form.error} />
        <TextInput
          label="Name"
          description="Who calls it, e.g. github push"
          required
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={errors.name}
        />
        <Stack gap={4}>
          <Text size="sm" fw={500} id="webhook-mode-label">
            Authentication
          </Text>
          <SegmentedControl
            aria-labelledby="webhook-mode-label"
            data={MODES}
            value={authMode}
            onChange={setAuthMode}
          />
          <Text size="xs" c="dimmed">
            {authMode === 'hmac'
              ? 'Each request is signed with the secret (X-Cronium-Timestamp and X-Cronium-Signature): the secret never travels, and old requests are refused.'
              : 'Each request sends the secret as Authorization: Bearer. Only over HTTPS; prefer signed requests.'}
          </Text>
        </Stack>
        <TagsInput
          label="Headers to pass to the run"
          description="Copied into the run's input (e.g. X-GitHub-Event); press Enter after each"
          value={headers}
          onChange={setHeaders}
          maxTags={20}
          error={
            errors.headers ?? Object.entries(errors).find(([k]) => k.startsWith('headers.'))?.[1]
          }
        />
        <NumberInput
          label="Calls per minute"
          description="More are refused with 429 (1-600)"
          min={1}
          max={600}
          value={rate}
          onChange={setRate}
          error={errors.rateLimitPerMinute}
        />
        <Group justify="flex-end">
          <Button type="submit" loading={form.busy}>
            Add webhook
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function Rotate({ hook, onRotated }: { hook: Webhook; onRotated(secret: string): void }) {
  const [grace, setGrace] = useState<string | null>('86400');
  const form = useFormSubmit(async () => {
    const rotated = await api<WebhookWithSecret>('POST', `/webhooks/${hook.id}/rotate`, {
      graceSeconds: Number(grace),
    });
    onRotated(rotated.secret);
  });
  return (
    <form onSubmit={form.submit} aria-label={`Rotate the secret of ${hook.name}`}>
      <Stack>
        <FormError error={form.error} />
        <Text size="sm">
          The webhook gets a new secret, shown once. Senders still using the old one keep working
          for the time you choose, then are refused.
        </Text>
        <Select
          label="Keep accepting the old secret for"
          data={GRACE}
          value={grace}
          onChange={setGrace}
          allowDeselect={false}
        />
        <Group justify="flex-end">
          <Button type="submit" loading={form.busy}>
            Rotate secret
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function SecretShown(props: { url: string; secret: string; authMode: string; onDone(): void }) {
  return (
    <ShownOnce
      value={props.secret}
      testId="webhook-secret"
      copyLabel="Copy secret"
      onDone={props.onDone}
    >
      <Alert color="yellow" title="Copy the secret now">
        This is the only time the secret is shown. Store it where the sender keeps its secrets.
        {props.authMode === 'hmac'
          ? ' Sign each request with it: X-Cronium-Signature is sha256= and the HMAC-SHA256 of "<timestamp>.<body>", X-Cronium-Timestamp the Unix time.'
          : ' Send it with each request as Authorization: Bearer <secret>.'}
      </Alert>
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          URL
        </Text>
        <Group gap="xs" wrap="nowrap">
          <Code data-testid="webhook-url" className="cr-mono" style={{ overflowWrap: 'anywhere' }}>
            {props.url}
          </Code>
          <CopyValue value={props.url} label="Copy URL" />
        </Group>
      </Stack>
      <Text size="sm" fw={500}>
        Secret
      </Text>
    </ShownOnce>
  );
}

type Dialog =
  | { kind: 'new' }
  | { kind: 'rotate'; hook: Webhook }
  | { kind: 'secret'; url: string; secret: string; authMode: string };

export function EventWebhooks({ eventId }: { eventId: number }) {
  const list = useResource<Webhook[]>(`/events/${eventId}/webhooks`);
  const [dialog, setDialog] = useState<Dialog>();
  const close = () => {
    setDialog(undefined);
    void list.reload();
  };
  const toggle = async (hook: Webhook) => {
    try {
      await api('PATCH', `/webhooks/${hook.id}`, { enabled: !hook.enabled });
      notifyDone(`Webhook ${hook.name} ${hook.enabled ? 'disabled' : 'enabled'}`);
    } catch (problem) {
      notifyError('The webhook could not be changed', problem);
    }
    await list.reload();
  };
  const remove = async (hook: Webhook) => {
    try {
      await api('DELETE', `/webhooks/${hook.id}`);
      notifyDone(`Webhook ${hook.name} deleted`);
    } catch (problem) {
      notifyError('The webhook could not be deleted', problem);
    }
    await list.reload();
  };
  const hooks = list.data ?? [];
  const add = <Button onClick={() => setDialog({ kind: 'new' })}>Add webhook</Button>;
  return (
    <>
      <Group justify="space-between" mb="xs">
        <Text size="sm" c="dimmed">
          Other systems start this event by calling a webhook&apos;s URL with its secret; the
          request becomes the run&apos;s input.
        </Text>
        {hooks.length > 0 ? add : null}
      </Group>
      <DataState
        loading={list.loading}
        error={list.error}
        hasData={!!list.data}
        onRetry={list.reload}
        empty={hooks.length === 0}
        emptyTitle="No webhooks"
        emptyText="A webhook gives this event a URL that GitHub, a payment service or your own scripts can call to run it."
        emptyAction={add}
      >
        <div className="cr-table-scroll" tabIndex={0}>
          <Table aria-label="Webhooks">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>URL</Table.Th>
                <Table.Th visibleFrom="sm">Authentication</Table.Th>
                <Table.Th visibleFrom="sm">Last called</Table.Th>
                <Table.Th>Enabled</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {hooks.map((h) => (
                <Table.Tr key={h.id}>
                  <Table.Td miw={140}>
                    {h.name}
                    <Text size="xs" c="dimmed" className="cr-mono">
                      {h.secretPrefix}…
                    </Text>
                    {h.previousSecretExpiresAt ? (
                      <Text size="xs" c="dimmed">
                        old secret until <Time value={h.previousSecretExpiresAt} />
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      <Text
                        size="xs"
                        className="cr-mono"
                        miw={220}
                        style={{ overflowWrap: 'anywhere' }}
                      >
                        {h.url}
                      </Text>
                      <CopyValue value={h.url} label={`Copy the URL of ${h.name}`} />
                    </Group>
                  </Table.Td>
                  <Table.Td visibleFrom="sm">
                    <Badge variant="light" color={h.authMode === 'hmac' ? 'blue' : 'gray'}>
                      {h.authMode === 'hmac' ? 'signed' : 'bearer'}
                    </Badge>
                  </Table.Td>
                  <Table.Td visibleFrom="sm">
                    <Time value={h.lastTriggeredAt} />
                  </Table.Td>
                  <Table.Td>
                    <Switch
                      checked={h.enabled}
                      onChange={() => toggle(h)}
                      aria-label={`${h.name} enabled`}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} justify="flex-end" wrap="nowrap">
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        onClick={() => setDialog({ kind: 'rotate', hook: h })}
                        aria-label={`Rotate the secret of ${h.name}`}
                      >
                        Rotate
                      </Button>
                      <Button
                        size="compact-sm"
                        variant="subtle"
                        color="red"
                        onClick={() => remove(h)}
                        aria-label={`Delete ${h.name}`}
                      >
                        Delete
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      </DataState>
      <Modal
        opened={dialog !== undefined}
        onClose={close}
        size="lg"
        title={
          dialog?.kind === 'new'
            ? 'New webhook'
            : dialog?.kind === 'rotate'
              ? `Rotate the secret of ${dialog.hook.name}`
              : 'Your webhook'
        }
      >
        {dialog?.kind === 'new' ? (
          <NewWebhook
            eventId={eventId}
            onCreated={({ webhook, secret }) => {
              setDialog({ kind: 'secret', url: webhook.url, secret, authMode: webhook.authMode });
              void list.reload();
            }}
          />
        ) : dialog?.kind === 'rotate' ? (
          <Rotate
            hook={dialog.hook}
            onRotated={(secret) => {
              setDialog({
                kind: 'secret',
                url: dialog.hook.url,
                secret,
                authMode: dialog.hook.authMode,
              });
              void list.reload();
            }}
          />
        ) : dialog?.kind === 'secret' ? (
          <SecretShown {...dialog} onDone={close} />
        ) : null}
      </Modal>
    </>
  );
}
