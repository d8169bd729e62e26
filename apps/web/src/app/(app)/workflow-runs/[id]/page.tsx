'use client';
import { useMemo, useState } from 'react';
import Link from 'next/link';
import { useParams, useRouter } from 'next/navigation';
import { Anchor, Button, Card, SimpleGrid, Stack, useMatches } from '@mantine/core';
import { api } from '../../../../ui/api.ts';
import { apiAction } from '../../../../ui/api-action.ts';
import {
  DataState,
  Fact,
  JsonBlock,
  PageHeader,
  StatusBadge,
  Time,
  formatDuration,
  notifyDone,
  notifyError,
} from '../../../../ui/components.tsx';
import { ErrorAlert } from '../../../../ui/error-alert.tsx';
import { SectionCard } from '../../../../ui/section-card.tsx';
import type { Workflow, WorkflowRun } from '../../../../ui/types.ts';
import { useResource } from '../../../../ui/use-resource.ts';
import { WorkflowCanvas } from '../../../../ui/workflows/canvas.tsx';
import { runGraph } from '../../../../ui/workflows/canvas-graph.ts';
import { LiveReload } from '../../../../ui/workflows/live-reload.tsx';
import { NodeRunDetails } from '../../../../ui/workflows/node-run-details.tsx';
import { useTargetNames, type Target } from '../../../../ui/workflows/use-target-names.ts';

const RERUNNABLE = new Set(['failed', 'cancelled', 'timed_out']);

const targetOf = (n: WorkflowRun['nodes'][number]): Target =>
  n.workflowId !== null ? { kind: 'workflow', id: n.workflowId } : { kind: 'event', id: n.eventId };

export default function WorkflowRunPage() {
  const { id } = useParams<{ id: string }>();
  const router = useRouter();
  const run = useResource<WorkflowRun>(`/workflow-runs/${id}`);
  const r = run.data;
  // Where each node is drawn: the workflow's canvas as it is now.
  const workflow = useResource<Workflow>(r ? `/workflows/${r.workflowId}` : null);
  const names = useTargetNames((r?.nodes ?? []).map(targetOf));
  const graph = useMemo(
    () => (r ? runGraph(r, workflow.data, names.describe) : undefined),
    [r, workflow.data, names.describe],
  );
  const [selected, setSelected] = useState<string | null>(null);
  const node = r?.nodes.find((n) => n.name === selected);
  const canvasHeight = useMatches({ base: 340, md: 440 });
  const [busy, setBusy] = useState(false);

  const cancel = async () => {
    setBusy(true);
    await apiAction(() => api('POST', `/workflow-runs/${id}/cancel`), {
      done: 'Workflow run cancelled',
      failed: 'The run could not be cancelled',
    });
    setBusy(false);
    await run.reload();
  };

  const rerun = async () => {
    setBusy(true);
    try {
      const again = await api<WorkflowRun>('POST', `/workflow-runs/${id}/rerun`);
      notifyDone(`Run #${again.id} started`);
      router.push(`/workflow-runs/${again.id}`);
    } catch (problem) {
      notifyError('The run could not be started again', problem);
      setBusy(false);
    }
  };

  return (
    <DataState loading={run.loading} error={run.error} hasData={!!r} onRetry={run.reload}>
      {r && graph ? (
        <Stack gap="md">
          {r.status === 'running' ? <LiveReload onChange={() => void run.reload()} /> : null}
          <PageHeader
            title={`Workflow run #${r.id}`}
            description={
              <>
                of{' '}
                <Anchor component={Link} href={`/workflows/${r.workflowId}`}>
                  {r.workflowName}
                </Anchor>
              </>
            }
            actions={
              r.status === 'running' ? (
                <Button color="red" variant="light" onClick={cancel} loading={busy}>
                  Cancel run
                </Button>
              ) : RERUNNABLE.has(r.status) ? (
                <Button onClick={rerun} loading={busy}>
                  Re-run from failed
                </Button>
              ) : null
            }
          />
          <Card withBorder>
            <SimpleGrid cols={{ base: 2, sm: 4 }}>
              <Fact label="Status">
                <span data-testid="workflow-run-status">
                  <StatusBadge status={r.status} />
                </span>
              </Fact>
              <Fact label="Trigger">
                {r.trigger}
                {r.rerunOf ? (
                  <>
                    {' of '}
                    <Anchor component={Link} href={`/workflow-runs/${r.rerunOf}`}>
                      #{r.rerunOf}
                    </Anchor>
                  </>
                ) : null}
                {r.parentRunId ? (
                  <>
                    {' in '}
                    <Anchor component={Link} href={`/workflow-runs/${r.parentRunId}`}>
                      #{r.parentRunId}
                    </Anchor>
                  </>
                ) : null}
              </Fact>
              <Fact label="Nodes">
                {r.nodes.filter((n) => n.state === 'succeeded').length} of {r.nodes.length}{' '}
                succeeded
              </Fact>
              <Fact label="Created">
                <Time value={r.createdAt} />
              </Fact>
              <Fact label="Finished">
                <Time value={r.finishedAt} />
              </Fact>
              <Fact label="Duration">
                {formatDuration(
                  r.finishedAt
                    ? new Date(r.finishedAt).getTime() - new Date(r.createdAt).getTime()
                    : null,
                )}
              </Fact>
              <Fact label="Deadline">
                <Time value={r.deadlineAt} />
              </Fact>
            </SimpleGrid>
          </Card>
          {r.error ? <ErrorAlert error={r.error} role="alert" /> : null}
          <SectionCard
            title="Graph"
            description={
              <>
                {r.status === 'running' ? 'Updates as the nodes run. ' : ''}
                Select a node to see its input, output and log.
              </>
            }
          >
            <WorkflowCanvas
              nodes={graph.nodes}
              edges={graph.edges}
              selected={selected}
              onSelect={(name) =>
                setSelected(name && r.nodes.some((n) => n.name === name) ? name : null)
              }
              label={`The graph of run ${r.id}, each node with its state`}
              height={canvasHeight}
            />
          </SectionCard>
          {node ? (
            <NodeRunDetails
              key={node.name}
              node={node}
              runsWhat={names.describe(targetOf(node))}
              onRunStatus={() => void run.reload()}
            />
          ) : null}
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            <SectionCard title="Input" size="h5">
              <JsonBlock value={r.input} />
            </SectionCard>
            <SectionCard title="Output" size="h5">
              <JsonBlock value={r.output} />
            </SectionCard>
          </SimpleGrid>
        </Stack>
      ) : null}
    </DataState>
  );
}
