'use client';
import { List, Text, UnstyledButton } from '@mantine/core';
import type { GraphProblem } from './workflow-graph.ts';

/** The API's problems with a graph it refused, each leading to its node or edge. */
export function SaveProblems(props: { problems: GraphProblem[]; onSelect(id: string): void }) {
  if (props.problems.length === 0) return null;
  return (
    <List size="sm" mt="xs" data-testid="save-problems">
      {props.problems.map((p, i) => (
        <List.Item key={i}>
          {p.where && p.target ? (
            <UnstyledButton
              fz="sm"
              fw={600}
              td="underline"
              onClick={() => props.onSelect(p.target!)}
            >
              {p.where}
            </UnstyledButton>
          ) : p.where ? (
            <Text span fz="sm" fw={600}>
              {p.where}
            </Text>
          ) : null}
          {p.where ? ': ' : ''}
          {p.message}
        </List.Item>
      ))}
    </List>
  );
}
