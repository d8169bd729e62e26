'use client';
import Link from 'next/link';
import { Alert, Anchor, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Fact, JsonBlock, StatusBadge, Time, formatDuration } from '../components.tsx';
import type { ToolCredential } from '../forms/tool-action-fields.tsx';
import { useResource } from '../use-resource.ts';
import { NodeDetailsCard, nodeDuration, type NodeRun } from './node-details-card.tsx';
import { describeCredential } from './use-target-names.ts';

/**
 * A tool node of a workflow run: the credential it sends with, its state and tries, its input
 * (from its parents' outputs), the tool's answer as its output, and why it failed. It has no
 * run, so no log: an orchestrator sends it.
 */
export function ToolNodeRunDetails({ node }: { node: NodeRun }) {
  const id = node.toolCredentialId;
  const credential = useResource<ToolCredential>(id ? `/tools/credentials/${id}` : null);
  const sendsWith = credential.data
    ? describeCredential(credential.data)
    : `tool credential #${id}${credential.error ? ' (not found)' : ''}`;
  // Still being sent, after a try that may pass later: the error is the last try's.
  const retrying = node.state === 'started' && node.error !== null;
  return (
    <NodeDetailsCard node={node}>
      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 2, sm: 3 }}>
            <Fact label="State">
              <span data-testid="node-state">
                <StatusBadge status={node.state} />
              </span>
            </Fact>
            <Fact label="Sends with">
              <Anchor component={Link} href="/tools">
                {sendsWith}
              </Anchor>
            </Fact>
            <Fact label="Tries">
              <span data-testid="node-tries">{node.tries}</span>
            </Fact>
            <Fact label="Started">
              <Time value={node.startedAt} />
            </Fact>
            <Fact label="Finished">
              <Time value={node.finishedAt} />
            </Fact>
            <Fact label="Duration">{formatDuration(nodeDuration(node))}</Fact>
            <Fact label="Join">{node.join}</Fact>
          </SimpleGrid>
          {node.error ? (
            <Alert
              color={retrying ? 'yellow' : 'red'}
              title={retrying ? 'The last try failed; it will be tried again' : 'Error'}
            >
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                {node.error}
              </Text>
            </Alert>
          ) : null}
        </Stack>
        <Stack gap="sm">
          <div>
            <Title order={3} size="h6" mb={4}>
              Input
            </Title>
            {node.state === 'waiting' ? (
              <Text size="sm" c="dimmed">
                not started yet
              </Text>
            ) : (
              <JsonBlock value={node.input} />
            )}
          </div>
          <div>
            <Title order={3} size="h6" mb={4}>
              Output
            </Title>
            <JsonBlock value={node.output} />
          </div>
          <Text size="xs" c="dimmed">
            A message node has no run and no log: an orchestrator sends it with the templates filled
            from the input above. A failure that may pass later (429, 5xx, a network error) is tried
            again, up to 5 tries with backoff; the output is the tool&apos;s answer (its kind,
            status and detail).
          </Text>
        </Stack>
      </SimpleGrid>
    </NodeDetailsCard>
  );
}
