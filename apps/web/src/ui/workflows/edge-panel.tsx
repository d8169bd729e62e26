'use client';
import { Button, Group, Radio, Stack, Text, Title } from '@mantine/core';
import type { EdgeOn } from '../types.ts';
import type { PanelProblems } from './node-panel.tsx';
import { EDGE_ONS, type DraftEdge } from './workflow-graph.ts';

/** The selected edge: when it fires (its `on`), and Delete. */
export function EdgePanel(props: {
  edge: DraftEdge;
  fromName: string;
  toName: string;
  problems: PanelProblems;
  onChange(on: EdgeOn): void;
  onSelect(id: string): void;
  onRemove(): void;
}) {
  const onProblem = props.problems
    ?.filter((p) => p.field === 'on')
    .map((p) => p.message)
    .join('; ');
  const other = props.problems
    ?.filter((p) => p.field !== 'on')
    .map((p) => p.message)
    .join('; ');
  return (
    <Stack gap="sm" data-testid="edge-panel">
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Title order={2} size="h5" style={{ flex: 1, minWidth: 0, overflowWrap: 'anywhere' }}>
          Edge {props.fromName} → {props.toName}
        </Title>
        <Button
          size="xs"
          variant="subtle"
          color="red"
          style={{ flexShrink: 0 }}
          onClick={props.onRemove}
        >
          Delete edge
        </Button>
      </Group>
      {other ? (
        <Text size="sm" c="red" role="alert">
          {other}
        </Text>
      ) : null}
      <Radio.Group
        label={`${props.toName} may start`}
        value={props.edge.on}
        onChange={(on) => props.onChange(on as EdgeOn)}
        error={onProblem || undefined}
      >
        <Stack gap={8} mt={6}>
          {EDGE_ONS.map((o) => (
            <Radio key={o.value} value={o.value} label={o.label} description={o.description} />
          ))}
        </Stack>
      </Radio.Group>
      <Group gap="xs">
        <Button size="xs" variant="default" onClick={() => props.onSelect(props.edge.from)}>
          Select {props.fromName}
        </Button>
        <Button size="xs" variant="default" onClick={() => props.onSelect(props.edge.to)}>
          Select {props.toName}
        </Button>
      </Group>
    </Stack>
  );
}
