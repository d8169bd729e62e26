'use client';
import { useEffect, useRef, type ReactNode } from 'react';
import { Card, Group, Title } from '@mantine/core';
import type { WorkflowRun } from '../types.ts';

export type NodeRun = WorkflowRun['nodes'][number];

/** How long the node took, once it ended. */
export const nodeDuration = (node: NodeRun) =>
  node.startedAt && node.finishedAt
    ? new Date(node.finishedAt).getTime() - new Date(node.startedAt).getTime()
    : null;

/** The card of one node of a workflow run: its name, links to what it started, the details. */
export function NodeDetailsCard(props: { node: NodeRun; links?: ReactNode; children: ReactNode }) {
  const card = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Chosen on the canvas above: brought into view when it opened below the fold.
    card.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, []);
  return (
    <Card
      withBorder
      data-testid="node-details"
      data-node={props.node.name}
      data-kind={props.node.kind}
      ref={card}
    >
      <Group justify="space-between" mb="sm" gap="xs">
        <Title order={2} size="h4">
          Node {props.node.name}
        </Title>
        {props.links ? <Group gap="xs">{props.links}</Group> : null}
      </Group>
      {props.children}
    </Card>
  );
}
