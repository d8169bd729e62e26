'use client';
import Link from 'next/link';
import { Anchor, SimpleGrid, Stack, Text } from '@mantine/core';
import { Fact, JsonBlock, StatusBadge } from '../components.tsx';
import { ErrorAlert } from '../error-alert.tsx';
import { LiveLog } from '../live-log.tsx';
import type { Run } from '../types.ts';
import { useResource } from '../use-resource.ts';
import { NodeDetailsCard, type NodeRun } from './node-details-card.tsx';
import { NodeFacts } from './node-facts.tsx';
import { NodeSection } from './node-section.tsx';
import { ToolNodeRunDetails } from './tool-node-run-details.tsx';

interface Props {
  node: NodeRun;
  /** "event: Nightly report". */
  runsWhat: string;
  /** Its run's status changed (the log's live status): read the workflow run again. */
  onRunStatus(): void;
}

/**
 * One node of a workflow run: a tool node's send, or an event's or workflow's node with its
 * run (or child workflow run).
 */
export function NodeRunDetails(props: Props) {
  return props.node.kind === 'tool' ? (
    <ToolNodeRunDetails node={props.node} />
  ) : (
    <RunNodeDetails {...props} />
  );
}

/**
 * A node that started a run: its state, what it ran, its input (its run's), output, error
 * and its run's live log, with a link to the run's page.
 */
function RunNodeDetails({ node, runsWhat, onRunStatus }: Props) {
  const run = useResource<Run>(node.runId ? `/runs/${node.runId}` : null);
  return (
    <NodeDetailsCard
      node={node}
      links={
        <>
          {node.runId ? (
            <Anchor component={Link} href={`/runs/${node.runId}`} size="sm">
              Open run #{node.runId}
            </Anchor>
          ) : null}
          {node.childRunId ? (
            <Anchor component={Link} href={`/workflow-runs/${node.childRunId}`} size="sm">
              Open workflow run #{node.childRunId}
            </Anchor>
          ) : null}
        </>
      }
    >
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        <Stack gap="sm">
          <NodeFacts
            node={node}
            kindFacts={
              <>
                <Fact label="Runs">
                  {node.eventId !== null ? (
                    <Anchor component={Link} href={`/events/${node.eventId}`}>
                      {runsWhat}
                    </Anchor>
                  ) : node.workflowId !== null ? (
                    <Anchor component={Link} href={`/workflows/${node.workflowId}`}>
                      {runsWhat}
                    </Anchor>
                  ) : (
                    runsWhat
                  )}
                </Fact>
                <Fact label="Its run">
                  {node.runStatus ? <StatusBadge status={node.runStatus} /> : '—'}
                  {node.reused ? (
                    <Text size="xs" c="dimmed">
                      reused from the run before
                    </Text>
                  ) : null}
                </Fact>
              </>
            }
            moreFacts={
              <Fact label="Condition">
                {node.condition === null ? 'not set' : String(node.condition)}
              </Fact>
            }
          />
          {node.error ? <ErrorAlert error={node.error} /> : null}
          <NodeSection title="Input">
            {node.runId ? (
              <JsonBlock value={run.data?.input} />
            ) : (
              <Text size="sm" c="dimmed">
                {node.state === 'waiting' ? 'not started yet' : 'no run'}
              </Text>
            )}
          </NodeSection>
          <NodeSection title="Output">
            <JsonBlock value={node.output} />
          </NodeSection>
        </Stack>
        <NodeSection title="Log">
          {node.runId ? (
            <LiveLog runId={node.runId} onStatus={onRunStatus} />
          ) : (
            <Text size="sm" c="dimmed">
              {node.childRunId
                ? 'This node runs a workflow: its nodes’ logs are on its run’s page.'
                : 'The node has no run (yet).'}
            </Text>
          )}
        </NodeSection>
      </SimpleGrid>
    </NodeDetailsCard>
  );
}
