'use client';
import type { ReactNode } from 'react';
import { SimpleGrid } from '@mantine/core';
import { Fact, StatusBadge, Time, formatDuration } from '../components.tsx';
import { nodeDuration, type NodeRun } from './node-details-card.tsx';

/**
 * The facts every node of a workflow run has, in the order its details list them: its state,
 * what is particular to its kind (`kindFacts`: what it runs, or what it sends with), its
 * timings and its join, then `moreFacts`.
 */
export function NodeFacts({
  node,
  kindFacts,
  moreFacts,
}: {
  node: NodeRun;
  kindFacts: ReactNode;
  moreFacts?: ReactNode;
}) {
  return (
    <SimpleGrid cols={{ base: 2, sm: 3 }}>
      <Fact label="State">
        <span data-testid="node-state">
          <StatusBadge status={node.state} />
        </span>
      </Fact>
      {kindFacts}
      <Fact label="Started">
        <Time value={node.startedAt} />
      </Fact>
      <Fact label="Finished">
        <Time value={node.finishedAt} />
      </Fact>
      <Fact label="Duration">{formatDuration(nodeDuration(node))}</Fact>
      <Fact label="Join">{node.join}</Fact>
      {moreFacts}
    </SimpleGrid>
  );
}
