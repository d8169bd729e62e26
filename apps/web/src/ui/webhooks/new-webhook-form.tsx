'use client';
import { useState } from 'react';
import {
  Button,
  Group,
  NumberInput,
  SegmentedControl,
  Stack,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { api } from '../api.ts';
import { FormError, useFormSubmit } from '../form-submit.tsx';
import type { WebhookWithSecret } from '../types.ts';
import { webhooksPath, type WebhookTarget } from './webhook-target.ts';

const MODES = [
  { value: 'hmac', label: 'Signed (HMAC)' },
  { value: 'bearer', label: 'Bearer secret' },
];

/** Adds a webhook to an event or a workflow; the answer carries its secret, shown once. */
export function NewWebhookForm({
  target,
  onCreated,
}: {
  target: WebhookTarget;
  onCreated(created: WebhookWithSecret): void;
}) {
  const [name, setName] = useState('');
  const [authMode, setAuthMode] = useState('hmac');
  const [headers, setHeaders] = useState<string[]>([]);
  const [rate, setRate] = useState<number | string>(60);
  const form = useFormSubmit(async () => {
    onCreated(
      await api<WebhookWithSecret>('POST', webhooksPath(target), {
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
