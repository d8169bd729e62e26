'use client';
import { Button, Stack, Text } from '@mantine/core';
import { edgeOnLabel, type Draft, type DraftNode } from './workflow-graph.ts';

/**
 * The panel with nothing selected: the nodes (each with what it does) and edges, each a way
 * to select it.
 */
export function GraphOverview(props: {
  draft: Draft;
  /** "event: Nightly report", "slack: ops channel". */
  describe(node: DraftNode): string;
  onSelect(id: string): void;
  onAdd(): void;
}) {
  const { nodes, edges } = props.draft;
  const nameOf = new Map(nodes.map((n) => [n.id, n.name]));
  if (nodes.length === 0)
    return (
      <Stack gap="xs" align="flex-start">
        <Text fw={600}>No node yet</Text>
        <Text size="sm" c="dimmed">
          A node runs one of your events (or another workflow), or sends a message with one of your
          tool credentials. Roots start when the run starts; each edge starts the next node when its
          parent ended the way the edge says.
        </Text>
        <Button size="xs" variant="light" onClick={props.onAdd}>
          Add the first node
        </Button>
      </Stack>
    );
  return (
    <Stack gap="xs">
      <Text size="sm" c="dimmed">
        Select a node or an edge to change it.
      </Text>
      <Text size="sm" fw={500}>
        Nodes
      </Text>
      <Stack gap={4} align="flex-start">
        {nodes.map((n) => (
          <Button
            key={n.id}
            size="compact-sm"
            variant="default"
            onClick={() => props.onSelect(n.id)}
            maw="100%"
          >
            <span className="cr-mono">{n.name || '(no name)'}</span>
            <Text span size="xs" c="dimmed" ml={6} truncate>
              {props.describe(n)}
            </Text>
          </Button>
        ))}
      </Stack>
      {edges.length > 0 ? (
        <>
          <Text size="sm" fw={500}>
            Edges
          </Text>
          <Stack gap={4} align="flex-start">
            {edges.map((e) => (
              <Button
                key={e.id}
                size="compact-sm"
                variant="default"
                onClick={() => props.onSelect(e.id)}
              >
                {nameOf.get(e.from)} → {nameOf.get(e.to)}: {edgeOnLabel(e.on)}
              </Button>
            ))}
          </Stack>
        </>
      ) : null}
    </Stack>
  );
}
