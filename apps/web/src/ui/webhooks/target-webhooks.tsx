'use client';
// The Webhooks tab of the event page and the Webhooks section of the workflow page: the
// inbound webhooks of an event or a workflow (docs/webhooks.md), each with its URL; add one
// (its secret shown once), rotate its secret, enable, disable, delete.
import { useState } from 'react';
import { Button, Group, Modal, Text } from '@mantine/core';
import { api } from '../api.ts';
import { DataState, notifyDone, notifyError } from '../components.tsx';
import type { Webhook } from '../types.ts';
import { useResource } from '../use-resource.ts';
import { NewWebhookForm } from './new-webhook-form.tsx';
import { RotateWebhookForm } from './rotate-webhook-form.tsx';
import { WebhookSecret } from './webhook-secret.tsx';
import { webhooksPath, type WebhookTarget } from './webhook-target.ts';
import { WebhooksTable } from './webhooks-table.tsx';

type Dialog =
  | { kind: 'new' }
  | { kind: 'rotate'; hook: Webhook }
  | { kind: 'secret'; url: string; secret: string; authMode: string };

export function TargetWebhooks({ target }: { target: WebhookTarget }) {
  const list = useResource<Webhook[]>(webhooksPath(target));
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
  const runs = target.kind === 'event' ? "the run's input" : "the workflow run's input";
  return (
    <>
      <Group justify="space-between" mb="xs">
        <Text size="sm" c="dimmed">
          Other systems start this {target.kind} by calling a webhook&apos;s URL with its secret;
          the request becomes {runs}.
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
        emptyText={`A webhook gives this ${target.kind} a URL that GitHub, a payment service or your own scripts can call to run it.`}
        emptyAction={add}
      >
        <WebhooksTable
          hooks={hooks}
          onToggle={toggle}
          onRotate={(hook) => setDialog({ kind: 'rotate', hook })}
          onDelete={remove}
        />
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
          <NewWebhookForm
            target={target}
            onCreated={({ webhook, secret }) => {
              setDialog({ kind: 'secret', url: webhook.url, secret, authMode: webhook.authMode });
              void list.reload();
            }}
          />
        ) : dialog?.kind === 'rotate' ? (
          <RotateWebhookForm
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
          <WebhookSecret {...dialog} onDone={close} />
        ) : null}
      </Modal>
    </>
  );
}
