'use client';
import Link from 'next/link';
import { Anchor, SimpleGrid, Stack, Text } from '@mantine/core';
import { Fact, JsonBlock } from '../components.tsx';
import { ErrorAlert } from '../error-alert.tsx';
import type { ToolCredential } from '../forms/tool-action-fields.tsx';
import { useResource } from '../use-resource.ts';
import { NodeDetailsCard, type NodeRun } from './node-details-card.tsx';
import { NodeFacts } from './node-facts.tsx';
import { NodeSection } from './node-section.tsx';
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
          <NodeFacts
            node={node}
            kindFacts={
              <>
                <Fact label="Sends with">
                  <Anchor component={Link} href="/tools">
                    {sendsWith}
                  </Anchor>
                </Fact>
                <Fact label="Tries">
                  <span data-testid="node-tries">{node.tries}</span>
                </Fact>
              </>
            }
          />
          {node.error ? (
            <ErrorAlert
              error={node.error}
              color={retrying ? 'yellow' : 'red'}
              title={retrying ? 'The last try failed; it will be tried again' : 'Error'}
            />
          ) : null}
        </Stack>
        <Stack gap="sm">
          <NodeSection title="Input">
            {node.state === 'waiting' ? (
              <Text size="sm" c="dimmed">
                not started yet
              </Text>
            ) : (
              <JsonBlock value={node.input} />
            )}
          </NodeSection>
          <NodeSection title="Output">
            <JsonBlock value={node.output} />
          </NodeSection>
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
