'use client';
import { useState } from 'react';
import { Button, Group, Modal, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { EventPicker } from '../forms/event-picker.tsx';
import { NODE_NAME_RULE, nodeNameFrom } from './workflow-graph.ts';
import type { Target } from './use-target-names.ts';
import { WorkflowPicker } from './workflow-picker.tsx';

/** "Add node": one of the user's events (or workflows), and the node's name. */
export function AddNodeModal(props: {
  opened: boolean;
  onClose(): void;
  onAdd(node: { name: string; target: Target; targetName: string }): void;
  /** Names in use (a new node's name is made unique among them). */
  taken: string[];
  /** The workflow being edited: not offered as a node of itself. */
  workflowId?: number;
}) {
  const [kind, setKind] = useState<Target['kind']>('event');
  const [id, setId] = useState<string | null>(null);
  const [targetName, setTargetName] = useState('');
  const [name, setName] = useState('');
  const [named, setNamed] = useState(false);

  const reset = () => {
    setId(null);
    setTargetName('');
    setName('');
    setNamed(false);
  };
  const close = () => {
    reset();
    props.onClose();
  };
  const pick = (value: string | null, label: string | undefined) => {
    setId(value);
    setTargetName(label ?? '');
    // The name follows what is picked until the user types one.
    if (!named) setName(label ? nodeNameFrom(label, props.taken) : '');
  };
  const add = () => {
    if (!id) return;
    props.onAdd({
      name: name.trim() || nodeNameFrom(targetName, props.taken),
      target: { kind, id: Number(id) },
      targetName,
    });
    close();
  };

  return (
    <Modal opened={props.opened} onClose={close} title="Add a node">
      <Stack>
        <SegmentedControl
          aria-label="The node runs"
          data={[
            { value: 'event', label: 'An event' },
            { value: 'workflow', label: 'A workflow' },
          ]}
          value={kind}
          onChange={(v) => {
            setKind(v as Target['kind']);
            pick(null, undefined);
          }}
        />
        {kind === 'event' ? (
          <EventPicker
            label="Event"
            placeholder="Search your events"
            value={id}
            onChange={(value, option) => pick(value, option?.label)}
            nothingFoundMessage="No event matches"
            data-autofocus
          />
        ) : (
          <WorkflowPicker
            label="Workflow"
            description="Its run is this node's run; its output, the node's output"
            placeholder="Search your workflows"
            value={id}
            exclude={props.workflowId}
            onChange={(value, option) => pick(value, option?.label)}
            nothingFoundMessage="No workflow matches"
          />
        )}
        <TextInput
          label="Node name"
          description={`How edges and input mappings name it: ${NODE_NAME_RULE}`}
          classNames={{ input: 'cr-mono' }}
          value={name}
          onChange={(e) => {
            setName(e.currentTarget.value);
            setNamed(true);
          }}
        />
        {!id ? (
          <Text size="xs" c="dimmed">
            Choose what the node runs first.
          </Text>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button onClick={add} disabled={!id}>
            Add node
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
