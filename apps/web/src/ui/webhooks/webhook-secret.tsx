'use client';
import { Alert, Code, Group, Stack, Text } from '@mantine/core';
import { ShownOnce } from '../components.tsx';
import { CopyValue } from './copy-value.tsx';

/** A new or rotated secret with the URL it goes with: the only time the secret is shown. */
export function WebhookSecret(props: {
  url: string;
  secret: string;
  authMode: string;
  onDone(): void;
}) {
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
