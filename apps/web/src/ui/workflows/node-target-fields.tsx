'use client';
import { Anchor, SegmentedControl, Stack } from '@mantine/core';
import { EventPicker } from '../forms/event-picker.tsx';
import type { ToolCredential } from '../forms/tool-action-fields.tsx';
import { ToolNodeFields } from './tool-node-fields.tsx';
import type { Target } from './use-target-names.ts';
import { NODE_KINDS, emptyTarget, type NodeTarget } from './workflow-graph.ts';
import { WorkflowPicker } from './workflow-picker.tsx';

/** What the selected node does: the event or workflow it runs, or the message it sends. */
export function NodeTargetFields(props: {
  target: NodeTarget;
  onChange(target: NodeTarget): void;
  /** The API's problems with the node (paths under it). */
  problems: { field: string; message: string }[] | undefined;
  credentials: ToolCredential[] | undefined;
  workflowId?: number;
  remember(target: Target, name: string): void;
}) {
  const { target } = props;
  const problem = (field: string) =>
    props.problems
      ?.filter((p) => p.field === field)
      .map((p) => p.message)
      .join('; ') || undefined;
  const pick = (kind: 'event' | 'workflow', value: string | null, name: string | undefined) => {
    const next = { kind, id: value ? Number(value) : null };
    if (name) props.remember(next, name);
    props.onChange(next);
  };

  return (
    <Stack gap={4}>
      <SegmentedControl
        aria-label="What the node does"
        size="xs"
        data={NODE_KINDS}
        value={target.kind}
        onChange={(kind) => props.onChange(emptyTarget(kind as NodeTarget['kind']))}
      />
      {target.kind === 'tool' ? (
        <ToolNodeFields
          target={target}
          onChange={props.onChange}
          credentials={props.credentials}
          problems={props.problems}
        />
      ) : target.kind === 'event' ? (
        <EventPicker
          label="Event"
          placeholder="Search your events"
          value={target.id === null ? null : String(target.id)}
          onChange={(value, option) => pick('event', value, option?.label)}
          nothingFoundMessage="No event matches"
          error={problem('event/id')}
        />
      ) : (
        <WorkflowPicker
          label="Workflow"
          placeholder="Search your workflows"
          value={target.id === null ? null : String(target.id)}
          exclude={props.workflowId}
          onChange={(value, option) => pick('workflow', value, option?.label)}
          nothingFoundMessage="No workflow matches"
          error={problem('workflow/id')}
        />
      )}
      {target.kind === 'tool' ? (
        <Anchor size="xs" href="/tools" target="_blank" rel="noopener">
          Open your tool credentials in a new tab
        </Anchor>
      ) : target.id !== null ? (
        <Anchor size="xs" href={`/${target.kind}s/${target.id}`} target="_blank" rel="noopener">
          Open the {target.kind} in a new tab
        </Anchor>
      ) : null}
    </Stack>
  );
}
