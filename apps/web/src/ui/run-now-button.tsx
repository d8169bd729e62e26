'use client';
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { Button, Group, JsonInput, Modal, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { api } from './api.ts';
import { FormError, useFormSubmit } from './form-submit.tsx';

/** "Run now" of an event or a workflow: an optional JSON input, then the run's page. */
export function RunNowButton(props: { eventId: number } | { workflowId: number }) {
  const [path, page] =
    'eventId' in props
      ? [`/events/${props.eventId}/runs`, '/runs']
      : [`/workflows/${props.workflowId}/runs`, '/workflow-runs'];
  const router = useRouter();
  const [opened, { open, close }] = useDisclosure(false);
  const [input, setInput] = useState('');
  const submit = useFormSubmit(
    async () => {
      let parsed: unknown;
      try {
        parsed = input.trim() ? JSON.parse(input) : undefined;
      } catch (e) {
        throw new Error(`The input is not valid JSON: ${(e as Error).message}`, { cause: e });
      }
      const created = await api<{ id: number }>(
        'POST',
        path,
        parsed === undefined ? {} : { input: parsed },
      );
      close();
      router.push(`${page}/${created.id}`);
    },
    { leaves: true },
  );

  return (
    <>
      <Button onClick={open}>Run now</Button>
      <Modal
        opened={opened}
        onClose={close}
        title="Run now"
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        <Stack>
          <Text size="sm">
            {'eventId' in props
              ? 'The script reads this with getInput (leave it empty for no input).'
              : 'The first nodes read this with getInput, and input mappings as input (leave it empty for no input).'}
          </Text>
          <FormError error={submit.error} />
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
            <Button onClick={() => submit.submit()} loading={submit.busy}>
              Run
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
