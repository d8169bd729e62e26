'use client';
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { Alert, Button, Group, JsonInput, Modal, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { api } from './api.ts';
import type { Run } from './types.ts';

/** "Run now": an optional JSON input, then the run's page. */
export function RunNowButton({ eventId }: { eventId: number }) {
  const router = useRouter();
  const [opened, { open, close }] = useDisclosure(false);
  const [input, setInput] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const run = async () => {
    let parsed: unknown;
    if (input.trim()) {
      try {
        parsed = JSON.parse(input);
      } catch (e) {
        setError(`The input is not valid JSON: ${(e as Error).message}`);
        return;
      }
    }
    setBusy(true);
    setError(undefined);
    try {
      const created = await api<Run>(
        'POST',
        `/events/${eventId}/runs`,
        parsed === undefined ? {} : { input: parsed },
      );
      close();
      router.push(`/runs/${created.id}`);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button onClick={open}>Run now</Button>
      <Modal opened={opened} onClose={close} title="Run now">
        <Stack>
          <Text size="sm">The script reads this with getInput (leave it empty for no input).</Text>
          {error ? (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          ) : null}
          <JsonInput
            label="Input (JSON)"
            placeholder='{"name": "Ada"}'
            validationError="Not valid JSON"
            formatOnBlur
            autosize
            minRows={4}
            value={input}
            onChange={setInput}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button onClick={run} loading={busy}>
              Run
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
