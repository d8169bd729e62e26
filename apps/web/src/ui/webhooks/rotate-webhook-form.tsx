'use client';
import { useState } from 'react';
import { Button, Group, Select, Stack, Text } from '@mantine/core';
import { api } from '../api.ts';
import { FormError, useFormSubmit } from '../form-submit.tsx';
import type { Webhook, WebhookWithSecret } from '../types.ts';

const GRACE = [
  { value: '0', label: 'Stop accepting it now' },
  { value: '3600', label: '1 hour' },
  { value: '86400', label: '24 hours' },
  { value: '604800', label: '7 days' },
];

/** Gives a webhook a new secret; the old one keeps working for the grace period chosen. */
export function RotateWebhookForm({
  hook,
  onRotated,
}: {
  hook: Webhook;
  onRotated(secret: string): void;
}) {
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
