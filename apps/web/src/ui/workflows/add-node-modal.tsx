'use client';
import { useState } from 'react';
import { Button, Group, Modal, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import { EventPicker } from '../forms/event-picker.tsx';
import type { ToolCredential } from '../forms/tool-action-fields.tsx';
import { ToolNodeFields } from './tool-node-fields.tsx';
import {
  NODE_KINDS,
  NODE_NAME_RULE,
  emptyTarget,
  nodeNameFrom,
  type NodeTarget,
} from './workflow-graph.ts';
import { WorkflowPicker } from './workflow-picker.tsx';

/**
 * "Add node": one of the user's events (or workflows), or a message sent with one of their
 * tool credentials; and the node's name, which follows what is chosen until the user types one.
 */
export function AddNodeModal(props: {
  opened: boolean;
  onClose(): void;
  /** `targetName`: the event's or workflow's name, known from the picker. */
  onAdd(node: { name: string; target: NodeTarget; targetName?: string }): void;
  /** Names in use (a new node's name is made unique among them). */
  taken: string[];
  /** The workflow being edited: not offered as a node of itself. */
  workflowId?: number;
  credentials: ToolCredential[] | undefined;
}) {
  const [target, setTarget] = useState<NodeTarget>(emptyTarget('event'));
  const [targetName, setTargetName] = useState('');
  const [name, setName] = useState('');
  const [named, setNamed] = useState(false);
  const chosen = target.kind === 'tool' ? target.credentialId !== null : target.id !== null;

  const reset = () => {
    setTarget(emptyTarget('event'));
    setTargetName('');
    setName('');
    setNamed(false);
  };
  const close = () => {
    reset();
    props.onClose();
  };
  const follow = (label: string | undefined) => {
    if (!named) setName(label ? nodeNameFrom(label, props.taken) : '');
  };
  const pick = (kind: 'event' | 'workflow', value: string | null, label: string | undefined) => {
    setTarget({ kind, id: value ? Number(value) : null });
    setTargetName(label ?? '');
    follow(label);
  };
  const add = () => {
    if (!chosen) return;
    const fallback = target.kind === 'tool' ? 'message' : targetName;
    props.onAdd({
      name: name.trim() || nodeNameFrom(fallback, props.taken),
      target,
      ...(target.kind === 'tool' ? {} : { targetName }),
    });
    close();
  };

  return (
    <Modal
      opened={props.opened}
      onClose={close}
      title="Add a node"
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <Stack>
        <SegmentedControl
          aria-label="What the node does"
          data={NODE_KINDS}
          value={target.kind}
          onChange={(kind) => {
            setTarget(emptyTarget(kind as NodeTarget['kind']));
            setTargetName('');
            follow(undefined);
          }}
        />
        {target.kind === 'tool' ? (
          <ToolNodeFields
            target={target}
            credentials={props.credentials}
            onChange={(next) => {
              if (next.credentialId !== target.credentialId)
                follow(props.credentials?.find((c) => c.id === next.credentialId)?.name);
              setTarget(next);
            }}
          />
        ) : target.kind === 'event' ? (
          <EventPicker
            label="Event"
            placeholder="Search your events"
            value={target.id === null ? null : String(target.id)}
            onChange={(value, option) => pick('event', value, option?.label)}
            nothingFoundMessage="No event matches"
            data-autofocus
          />
        ) : (
          <WorkflowPicker
            label="Workflow"
            description="Its run is this node's run; its output, the node's output"
            placeholder="Search your workflows"
            value={target.id === null ? null : String(target.id)}
            exclude={props.workflowId}
            onChange={(value, option) => pick('workflow', value, option?.label)}
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
        {!chosen ? (
          <Text size="xs" c="dimmed">
            {target.kind === 'tool'
              ? 'Choose the credential to send with first.'
              : 'Choose what the node runs first.'}
          </Text>
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button onClick={add} disabled={!chosen}>
            Add node
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
