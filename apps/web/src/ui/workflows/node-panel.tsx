'use client';
import { useState } from 'react';
import {
  ActionIcon,
  Button,
  Group,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import type { ToolCredential } from '../forms/tool-action-fields.tsx';
import { InputMapping } from './input-mapping.tsx';
import { NodeTargetFields } from './node-target-fields.tsx';
import type { EdgeOn } from '../types.ts';
import type { Target } from './use-target-names.ts';
import {
  EDGE_ONS,
  NODE_NAME_RULE,
  upstreamOf,
  type DraftEdge,
  type DraftNode,
} from './workflow-graph.ts';

export type PanelProblems = { field: string; message: string }[] | undefined;

// Shown at their field; a tool node's are all shown in its fields.
const KNOWN_FIELDS = /^(name|event\/id|workflow\/id|join|input(\/.*)?|tool(\/.*)?)$/;

/** The selected node's settings: name, what it does, join, input mapping, its edges. */
export function NodePanel(props: {
  node: DraftNode;
  nodes: DraftNode[];
  edges: DraftEdge[];
  problems: PanelProblems;
  workflowId?: number;
  credentials: ToolCredential[] | undefined;
  remember(target: Target, name: string): void;
  onChange(patch: Partial<DraftNode>): void;
  onConnect(to: string): void;
  onEdgeChange(id: string, on: EdgeOn): void;
  onSelect(id: string): void;
  onRemove(ids: string[]): void;
}) {
  const { node } = props;
  const [connectTo, setConnectTo] = useState<string | null>(null);
  const problem = (test: (field: string) => boolean) =>
    props.problems
      ?.filter((p) => test(p.field))
      .map((p) => p.message)
      .join('; ') || undefined;
  const nameOf = new Map(props.nodes.map((n) => [n.id, n.name]));
  const outgoing = props.edges.filter((e) => e.from === node.id);
  const incoming = props.edges.filter((e) => e.to === node.id);
  const upstream = upstreamOf(node.id, props.edges);
  const sources = [
    'input',
    ...props.nodes.filter((n) => upstream.has(n.id) && n.name).map((n) => n.name),
  ];
  const connectable = props.nodes.filter(
    (n) => n.id !== node.id && !outgoing.some((e) => e.to === n.id),
  );
  const other = problem((f) => !KNOWN_FIELDS.test(f));

  return (
    <Stack gap="sm" data-testid="node-panel">
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Title order={2} size="h5" style={{ flex: 1, minWidth: 0, overflowWrap: 'anywhere' }}>
          Node {node.name || '(no name)'}
        </Title>
        <Button
          size="xs"
          variant="subtle"
          color="red"
          style={{ flexShrink: 0 }}
          onClick={() => props.onRemove([node.id])}
        >
          Delete node
        </Button>
      </Group>
      {other ? (
        <Text size="sm" c="red" role="alert">
          {other}
        </Text>
      ) : null}
      <TextInput
        label="Name"
        description={NODE_NAME_RULE}
        classNames={{ input: 'cr-mono' }}
        value={node.name}
        onChange={(e) => props.onChange({ name: e.currentTarget.value })}
        error={problem((f) => f === 'name')}
      />
      <NodeTargetFields
        target={node.target}
        onChange={(target) => props.onChange({ target })}
        problems={props.problems}
        credentials={props.credentials}
        workflowId={props.workflowId}
        remember={props.remember}
      />
      <div>
        <Text size="sm" fw={500} id={`join-${node.id}`}>
          With several parents, start
        </Text>
        <SegmentedControl
          aria-labelledby={`join-${node.id}`}
          size="xs"
          fullWidth
          data={[
            { value: 'all', label: 'when all edges fired' },
            { value: 'any', label: 'at the first' },
          ]}
          value={node.join}
          onChange={(join) => props.onChange({ join: join as DraftNode['join'] })}
        />
        {problem((f) => f === 'join') ? (
          <Text size="xs" c="red">
            {problem((f) => f === 'join')}
          </Text>
        ) : null}
      </div>
      <InputMapping
        input={node.input}
        hasParents={incoming.length > 0}
        sources={sources}
        problem={(key) => problem((f) => f === `input/${key}`)}
        onChange={(input) => props.onChange({ input })}
      />
      <Stack gap={6}>
        <Text size="sm" fw={500}>
          Edges
        </Text>
        {incoming.length + outgoing.length === 0 ? (
          <Text size="xs" c="dimmed">
            None yet: drag from the handle at its bottom to another node, or connect it here.
          </Text>
        ) : null}
        {incoming.map((e) => (
          <Group key={e.id} gap={6} wrap="nowrap">
            <Text size="sm" className="cr-mono" style={{ flex: 1 }} truncate>
              ← {nameOf.get(e.from)}
            </Text>
            <Button size="compact-xs" variant="default" onClick={() => props.onSelect(e.id)}>
              {EDGE_ONS.find((o) => o.value === e.on)?.label}
            </Button>
          </Group>
        ))}
        {outgoing.map((e) => (
          <Group key={e.id} gap={6} wrap="nowrap">
            <Text size="sm" className="cr-mono" style={{ flex: 1 }} truncate>
              → {nameOf.get(e.to)}
            </Text>
            <Select
              aria-label={`When the edge to ${nameOf.get(e.to)} fires`}
              size="xs"
              w={130}
              data={EDGE_ONS.map((o) => ({ value: o.value, label: o.label }))}
              value={e.on}
              allowDeselect={false}
              onChange={(on) => on && props.onEdgeChange(e.id, on as EdgeOn)}
            />
            <ActionIcon
              variant="subtle"
              color="red"
              aria-label={`Remove the edge to ${nameOf.get(e.to)}`}
              onClick={() => props.onRemove([e.id])}
            >
              ×
            </ActionIcon>
          </Group>
        ))}
        <Group gap={6} wrap="nowrap" align="flex-end">
          <Select
            label="Connect to"
            placeholder={connectable.length ? 'Choose a node' : 'No other node'}
            size="xs"
            data={connectable.map((n) => ({ value: n.id, label: n.name || '(no name)' }))}
            value={connectTo}
            onChange={setConnectTo}
            style={{ flex: 1 }}
          />
          <Button
            size="xs"
            variant="light"
            disabled={!connectTo}
            onClick={() => {
              if (connectTo) props.onConnect(connectTo);
              setConnectTo(null);
            }}
          >
            Connect
          </Button>
        </Group>
      </Stack>
    </Stack>
  );
}
