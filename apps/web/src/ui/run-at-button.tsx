'use client';
import { useState } from 'react';
import { useRouter } from 'next/navigation';
import { Button, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { api } from './api.ts';
import { FormError, useFormSubmit } from './form-submit.tsx';

/** `YYYY-MM-DDTHH:mm` of a moment in the browser's time zone (a datetime-local value). */
function localInputValue(at: Date): string {
  const local = new Date(at.getTime() - at.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/**
 * "Run at…" of an event: a date and time in the browser's time zone; the run waits as
 * `scheduled` until then, then the run's page (where it can be cancelled).
 */
export function RunAtButton({ eventId }: { eventId: number }) {
  const router = useRouter();
  const [opened, { open, close }] = useDisclosure(false);
  const [value, setValue] = useState('');
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const submit = useFormSubmit(
    async () => {
      // A datetime-local value has no zone: the browser reads it as its own local time.
      const at = new Date(value);
      if (!value || Number.isNaN(at.getTime())) {
        submit.fail('Choose a date and time.', { runAt: 'Choose a date and time' });
        return;
      }
      const created = await api<{ id: number }>('POST', `/events/${eventId}/runs`, {
        runAt: at.toISOString(),
      });
      close();
      router.push(`/runs/${created.id}`);
    },
    { leaves: true },
  );
  const show = () => {
    setValue(localInputValue(new Date(Date.now() + 3_600_000)));
    open();
  };

  return (
    <>
      <Button variant="default" onClick={show}>
        Run at…
      </Button>
      <Modal
        opened={opened}
        onClose={close}
        title="Run at a time"
        closeButtonProps={{ 'aria-label': 'Close' }}
      >
        <form onSubmit={(event) => void submit.submit(event)}>
          <Stack>
            <Text size="sm">
              The run waits as scheduled until then (up to a year ahead), and can be cancelled
              meanwhile. The event&apos;s concurrency policy applies at that time.
            </Text>
            <FormError error={submit.error} />
            <TextInput
              type="datetime-local"
              label={`Date and time (${zone})`}
              required
              value={value}
              onChange={(event) => setValue(event.currentTarget.value)}
              error={submit.fieldErrors.runAt}
            />
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button type="submit" loading={submit.busy}>
                Schedule run
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}
