'use client';
import { useMemo, useState } from 'react';
import { useRouter } from 'next/navigation';
import { Button, Card, Flex, Group, Stack, Text, Title, useMatches } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { api, ApiProblem } from '../api.ts';
import { notifyDone } from '../components.tsx';
import { FormError, useFormSubmit } from '../form-submit.tsx';
import type { EdgeOn, Workflow } from '../types.ts';
import { AddNodeModal } from './add-node-modal.tsx';
import { WorkflowCanvas } from './canvas.tsx';
import { EdgePanel } from './edge-panel.tsx';
import { GraphOverview } from './graph-overview.tsx';
import { NodePanel } from './node-panel.tsx';
import { SaveProblems } from './save-problems.tsx';
import { WorkflowSettings } from './workflow-settings.tsx';
import { useTargetNames } from './use-target-names.ts';
import {
  bodyOf,
  draftOf,
  freshId,
  placeProblems,
  targetRef,
  type Draft,
  type DraftNode,
  type GraphProblems,
} from './workflow-graph.ts';
import type { Position } from './graph-layout.ts';

const NEXT_ROW = 130;

/** The canvas editor: creates (no `workflow`) or edits a workflow; saves the graph whole. */
export function WorkflowEditor({ workflow }: { workflow?: Workflow }) {
  const router = useRouter();
  const [draft, setDraft] = useState<Draft>(() => draftOf(workflow));
  const [selected, setSelected] = useState<string | null>(null);
  const [problems, setProblems] = useState<GraphProblems>();
  const [adding, { open: openAdd, close: closeAdd }] = useDisclosure(false);
  const names = useTargetNames(draft.nodes.map((n) => targetRef(n.target)));
  const canvasHeight = useMatches({ base: 380, md: 560 });
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));
  const nameOf = new Map(draft.nodes.map((n) => [n.id, n.name]));
  const forget = (id: string) =>
    setProblems((p) => (p?.at[id] ? { ...p, at: { ...p.at, [id]: [] } } : p));

  const addNode = (node: Pick<DraftNode, 'name' | 'target'>, targetName?: string) => {
    if (targetName) names.remember(targetRef(node.target), targetName);
    const id = freshId(
      'new',
      draft.nodes.map((n) => n.id),
    );
    const below = draft.nodes.find((n) => n.id === selected);
    const position: Position = below
      ? { x: below.position.x, y: below.position.y + NEXT_ROW }
      : draft.nodes.length === 0
        ? { x: 0, y: 0 }
        : { x: 0, y: Math.max(...draft.nodes.map((n) => n.position.y)) + NEXT_ROW };
    setDraft((d) => ({
      ...d,
      nodes: [...d.nodes, { ...node, id, join: 'all', input: null, label: '', position }],
    }));
    setSelected(id);
  };

  const changeNode = (id: string, patch: Partial<DraftNode>) => {
    forget(id);
    setDraft((d) => {
      const before = d.nodes.find((n) => n.id === id);
      const renamed = patch.name !== undefined && before && patch.name !== before.name;
      // Mappings that read the node by its old name follow the rename.
      const follow = (source: string) =>
        renamed && (source === before.name || source.startsWith(`${before.name}.`))
          ? patch.name + source.slice(before.name.length)
          : source;
      return {
        ...d,
        nodes: d.nodes.map((n) =>
          n.id === id
            ? { ...n, ...patch }
            : renamed && n.input
              ? { ...n, input: n.input.map(([k, v]) => [k, follow(v)] as [string, string]) }
              : n,
        ),
      };
    });
  };

  const moveNode = (id: string, position: Position) =>
    setDraft((d) => ({
      ...d,
      nodes: d.nodes.map((n) => (n.id === id ? { ...n, position } : n)),
    }));

  const connect = (from: string, to: string) => {
    const existing = draft.edges.find((e) => e.from === from && e.to === to);
    if (existing) return setSelected(existing.id);
    const id = freshId(
      'edge',
      draft.edges.map((e) => e.id),
    );
    setDraft((d) => ({ ...d, edges: [...d.edges, { id, from, to, on: 'always' }] }));
    setSelected(id);
  };

  const changeEdge = (id: string, on: EdgeOn) => {
    forget(id);
    setDraft((d) => ({ ...d, edges: d.edges.map((e) => (e.id === id ? { ...e, on } : e)) }));
  };

  const remove = (ids: string[]) => {
    const gone = new Set(ids);
    setDraft((d) => ({
      ...d,
      nodes: d.nodes.filter((n) => !gone.has(n.id)),
      edges: d.edges.filter((e) => !gone.has(e.id) && !gone.has(e.from) && !gone.has(e.to)),
    }));
    if (selected && gone.has(selected)) setSelected(null);
  };

  const save = useFormSubmit(
    async () => {
      const sent = draft;
      setProblems(undefined);
      try {
        const body = bodyOf(sent);
        const saved = workflow
          ? await api<Workflow>('PATCH', `/workflows/${workflow.id}`, body)
          : await api<Workflow>('POST', '/workflows', body);
        notifyDone(workflow ? 'Workflow saved' : 'Workflow created');
        router.push(`/workflows/${saved.id}`);
      } catch (problem) {
        if (problem instanceof ApiProblem && problem.errors.length > 0) {
          const placed = placeProblems(sent, problem.errors);
          setProblems(placed);
          const first = placed.list.find((p) => p.target)?.target;
          if (first) setSelected(first);
        }
        window.scrollTo({ top: 0, behavior: 'smooth' });
        throw problem;
      }
    },
    { leaves: true },
  );

  const canvasNodes = useMemo(
    () =>
      draft.nodes.map((n) => ({
        id: n.id,
        name: n.name,
        kind: n.target.kind,
        subtitle: names.describe(targetRef(n.target)),
        position: n.position,
        problems: problems?.at[n.id]?.map((p) => p.message),
      })),
    [draft.nodes, names.describe, problems],
  );
  const canvasEdges = useMemo(() => {
    const nameById = new Map(draft.nodes.map((n) => [n.id, n.name]));
    return draft.edges.map((e) => ({
      id: e.id,
      source: e.from,
      target: e.to,
      sourceName: nameById.get(e.from) ?? '?',
      targetName: nameById.get(e.to) ?? '?',
      on: e.on,
      problems: problems?.at[e.id]?.map((p) => p.message),
    }));
  }, [draft.nodes, draft.edges, problems]);

  const node = draft.nodes.find((n) => n.id === selected);
  const edge = draft.edges.find((e) => e.id === selected);

  return (
    <form
      onSubmit={save.submit}
      aria-label={workflow ? 'Edit workflow' : 'New workflow'}
      noValidate
    >
      <Stack gap="md">
        <FormError error={save.error} title="The workflow was not saved">
          {problems ? <SaveProblems problems={problems.list} onSelect={setSelected} /> : null}
        </FormError>
        <WorkflowSettings draft={draft} set={set} errors={problems?.fields ?? {}} />

        <Card withBorder>
          <Group justify="space-between" mb="xs">
            <Title order={2} size="h4">
              Graph
            </Title>
            <Button variant="light" onClick={openAdd}>
              Add node
            </Button>
          </Group>
          <Text size="xs" c="dimmed" mb="sm">
            Drag a node to move it; drag from the handle at a node&apos;s bottom to another node to
            connect them; select a node or an edge (click it, or Tab to it and press Enter) to
            change it in the panel; Delete removes what is selected.
          </Text>
          <Flex gap="md" direction={{ base: 'column', md: 'row' }} align="stretch">
            <div style={{ flex: 1, minWidth: 0 }}>
              <WorkflowCanvas
                nodes={canvasNodes}
                edges={canvasEdges}
                selected={selected}
                onSelect={setSelected}
                editable
                onMove={moveNode}
                onConnect={connect}
                onRemove={remove}
                label="The workflow's graph"
                height={canvasHeight}
              />
            </div>
            <Card withBorder w={{ base: '100%', md: 340 }} p="sm" style={{ flexShrink: 0 }}>
              {node ? (
                <NodePanel
                  key={node.id}
                  node={node}
                  nodes={draft.nodes}
                  edges={draft.edges}
                  problems={problems?.at[node.id]}
                  workflowId={workflow?.id}
                  credentials={names.credentials}
                  remember={names.remember}
                  onChange={(patch) => changeNode(node.id, patch)}
                  onConnect={(to) => connect(node.id, to)}
                  onEdgeChange={changeEdge}
                  onSelect={setSelected}
                  onRemove={remove}
                />
              ) : edge ? (
                <EdgePanel
                  key={edge.id}
                  edge={edge}
                  fromName={nameOf.get(edge.from) ?? '?'}
                  toName={nameOf.get(edge.to) ?? '?'}
                  problems={problems?.at[edge.id]}
                  onChange={(on) => changeEdge(edge.id, on)}
                  onSelect={setSelected}
                  onRemove={() => remove([edge.id])}
                />
              ) : (
                <GraphOverview
                  draft={draft}
                  describe={(n) => names.describe(targetRef(n.target))}
                  onSelect={setSelected}
                  onAdd={openAdd}
                />
              )}
            </Card>
          </Flex>
        </Card>

        <Group justify="flex-end">
          <Button variant="default" onClick={() => router.back()}>
            Cancel
          </Button>
          <Button type="submit" loading={save.busy}>
            {workflow ? 'Save changes' : 'Create workflow'}
          </Button>
        </Group>
      </Stack>
      <AddNodeModal
        opened={adding}
        onClose={closeAdd}
        onAdd={({ name, target, targetName }) => addNode({ name, target }, targetName)}
        taken={draft.nodes.map((n) => n.name)}
        workflowId={workflow?.id}
        credentials={names.credentials}
      />
    </form>
  );
}
