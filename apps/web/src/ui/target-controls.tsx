'use client';
import type { ReactNode } from 'react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { api } from './api.ts';
import { apiAction } from './api-action.ts';
import type { Resource } from './use-resource.ts';

/**
 * Edit, Pause/Resume and Delete on the page of an event or a workflow (both are paused and
 * deleted the same way). Pausing shows the new status at once and reloads the truth; Delete
 * asks first, with `deleteText` saying what goes with it, and leaves for the list once done.
 */
export function TargetControls<T extends { id: number; name: string; status: string }>({
  kind,
  resource,
  deleteText,
}: {
  kind: 'event' | 'workflow';
  /** The page's own resource: the one shown, changed at once, and read again. */
  resource: Resource<T>;
  deleteText: ReactNode;
}) {
  const router = useRouter();
  const [deleting, { open: askDelete, close: cancelDelete }] = useDisclosure(false);
  if (!resource.data) return null;
  const { id, name, status } = resource.data;
  const noun = kind === 'event' ? 'Event' : 'Workflow';

  const toggle = async () => {
    const next = status === 'active' ? 'paused' : 'active';
    resource.setData((current) => current && { ...current, status: next });
    await apiAction(() => api('PATCH', `/${kind}s/${id}`, { status: next }), {
      done: `${noun} ${next === 'paused' ? 'paused' : 'resumed'}`,
      failed: `The ${kind} could not be changed`,
    });
    await resource.reload();
  };

  const remove = async () => {
    const deleted = await apiAction(() => api('DELETE', `/${kind}s/${id}`), {
      done: `${noun} deleted`,
      failed: `The ${kind} could not be deleted`,
    });
    if (deleted) router.replace(`/${kind}s`);
    else cancelDelete();
  };

  return (
    <>
      <Button variant="default" component={Link} href={`/${kind}s/${id}/edit`}>
        Edit
      </Button>
      <Button variant="default" onClick={toggle}>
        {status === 'active' ? 'Pause' : 'Resume'}
      </Button>
      <Button variant="subtle" color="red" onClick={askDelete}>
        Delete
      </Button>
      <Modal opened={deleting} onClose={cancelDelete} title={`Delete ${name}?`}>
        <Stack>
          <Text size="sm">{deleteText}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={cancelDelete}>
              Keep it
            </Button>
            <Button color="red" onClick={remove}>
              Delete
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
