'use client';
import { useMemo } from 'react';
import { useParams } from 'next/navigation';
import { Card, SimpleGrid, Stack, Text, useMatches } from '@mantine/core';
import { DataState, Fact, PageHeader, StatusBadge, Time } from '../../../../ui/components.tsx';
import { RunNowButton } from '../../../../ui/run-now-button.tsx';
import { SectionCard } from '../../../../ui/section-card.tsx';
import { TargetControls } from '../../../../ui/target-controls.tsx';
import type { Workflow } from '../../../../ui/types.ts';
import { useResource } from '../../../../ui/use-resource.ts';
import { TargetWebhooks } from '../../../../ui/webhooks/target-webhooks.tsx';
import { WorkflowCanvas } from '../../../../ui/workflows/canvas.tsx';
import { workflowGraph } from '../../../../ui/workflows/canvas-graph.ts';
import { useTargetNames } from '../../../../ui/workflows/use-target-names.ts';
import { WorkflowRunsTable } from '../../../../ui/workflows/workflow-runs-table.tsx';

export default function WorkflowPage() {
  const { id } = useParams<{ id: string }>();
  const workflow = useResource<Workflow>(`/workflows/${id}`);
  const w = workflow.data;
  const names = useTargetNames(
    (w?.nodes ?? []).map((n) =>
      n.workflow
        ? { kind: 'workflow' as const, id: n.workflow.id }
        : { kind: 'event' as const, id: n.event?.id ?? null },
    ),
  );
  const graph = useMemo(
    () => (w ? workflowGraph(w, names.describe) : undefined),
    [w, names.describe],
  );
  const canvasHeight = useMatches({ base: 320, md: 420 });

  return (
    <DataState
      loading={workflow.loading}
      error={workflow.error}
      hasData={!!w}
      onRetry={workflow.reload}
    >
      {w && graph ? (
        <Stack gap="md">
          <PageHeader
            title={w.name}
            description={w.description || undefined}
            actions={
              <>
                <RunNowButton workflowId={w.id} />
                <TargetControls
                  kind="workflow"
                  resource={workflow}
                  deleteText="The workflow and the history of its runs are deleted; its events, and their runs, stay. This cannot be undone."
                />
              </>
            }
          />
          <Card withBorder>
            <SimpleGrid cols={{ base: 2, sm: 5 }}>
              <Fact label="Status">
                <StatusBadge status={w.status} />
              </Fact>
              <Fact label="Nodes">
                {w.nodes.length} nodes, {w.edges.length} edges
              </Fact>
              <Fact label="Concurrency">
                {w.concurrency.policy === 'skip' ? 'skip while one runs' : 'runs alongside'}
              </Fact>
              <Fact label="Timeout">{w.timeoutSeconds.toLocaleString('en')} s</Fact>
              <Fact label="Changed">
                <Time value={w.updatedAt} />
              </Fact>
            </SimpleGrid>
          </Card>
          <SectionCard title="Graph">
            {w.nodes.length === 0 ? (
              <Text size="sm" c="dimmed">
                No nodes.
              </Text>
            ) : (
              <WorkflowCanvas
                nodes={graph.nodes}
                edges={graph.edges}
                selected={null}
                label={`The graph of ${w.name}`}
                height={canvasHeight}
              />
            )}
          </SectionCard>
          <SectionCard title="Runs">
            <WorkflowRunsTable workflowId={w.id} />
          </SectionCard>
          <SectionCard title="Webhooks" id="webhooks">
            <TargetWebhooks target={{ kind: 'workflow', id: w.id }} />
          </SectionCard>
        </Stack>
      ) : null}
    </DataState>
  );
}
