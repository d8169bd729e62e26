'use client';
import { useMemo } from 'react';
import Link from 'next/link';
import { useParams, useRouter } from 'next/navigation';
import {
  Button,
  Card,
  Group,
  Modal,
  SimpleGrid,
  Stack,
  Text,
  Title,
  useMatches,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { api } from '../../../../ui/api.ts';
import {
  DataState,
  Fact,
  PageHeader,
  StatusBadge,
  Time,
  notifyDone,
  notifyError,
} from '../../../../ui/components.tsx';
import { RunNowButton } from '../../../../ui/run-now-button.tsx';
import type { Workflow } from '../../../../ui/types.ts';
import { useResource } from '../../../../ui/use-resource.ts';
import { TargetWebhooks } from '../../../../ui/webhooks/target-webhooks.tsx';
import { WorkflowCanvas } from '../../../../ui/workflows/canvas.tsx';
import { workflowGraph } from '../../../../ui/workflows/canvas-graph.ts';
import { useTargetNames } from '../../../../ui/workflows/use-target-names.ts';
import { WorkflowRunsTable } from '../../../../ui/workflows/workflow-runs-table.tsx';

export default function WorkflowPage() {
  const { id } = useParams<{ id: string }>();
  const router = useRouter();
  const workflow = useResource<Workflow>(`/workflows/${id}`);
  const [deleting, { open: askDelete, close: cancelDelete }] = useDisclosure(false);
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

  const toggle = async () => {
    if (!w) return;
    const status = w.status === 'active' ? 'paused' : 'active';
    workflow.setData((current) => current && { ...current, status });
    try {
      await api('PATCH', `/workflows/${w.id}`, { status });
      notifyDone(status === 'paused' ? 'Workflow paused' : 'Workflow resumed');
    } catch (problem) {
      notifyError('The workflow could not be changed', problem);
    }
    await workflow.reload();
  };

  const remove = async () => {
    try {
      await api('DELETE', `/workflows/${id}`);
      notifyDone('Workflow deleted');
      router.replace('/workflows');
    } catch (problem) {
      notifyError('The workflow could not be deleted', problem);
      cancelDelete();
    }
  };

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
                <Button variant="default" component={Link} href={`/workflows/${w.id}/edit`}>
                  Edit
                </Button>
                <Button variant="default" onClick={toggle}>
                  {w.status === 'active' ? 'Pause' : 'Resume'}
                </Button>
                <Button variant="subtle" color="red" onClick={askDelete}>
                  Delete
                </Button>
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
          <Card withBorder>
            <Title order={2} size="h4" mb="sm">
              Graph
            </Title>
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
          </Card>
          <Card withBorder>
            <Title order={2} size="h4" mb="sm">
              Runs
            </Title>
            <WorkflowRunsTable workflowId={w.id} />
          </Card>
          <Card withBorder id="webhooks">
            <Title order={2} size="h4" mb="sm">
              Webhooks
            </Title>
            <TargetWebhooks target={{ kind: 'workflow', id: w.id }} />
          </Card>
          <Modal opened={deleting} onClose={cancelDelete} title={`Delete ${w.name}?`}>
            <Stack>
              <Text size="sm">
                The workflow and the history of its runs are deleted; its events, and their runs,
                stay. This cannot be undone.
              </Text>
              <Group justify="flex-end">
                <Button variant="default" onClick={cancelDelete}>
                  Keep it
                </Button>
                <Button color="red" onClick={remove}>
                  Delete
                </Button>
              </Group>
            </Stack>
          </Modal>
        </Stack>
      ) : null}
    </DataState>
  );
}
