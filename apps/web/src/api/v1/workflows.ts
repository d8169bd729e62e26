import { Type } from '@sinclair/typebox';
import {
  cancelWorkflowRunFor,
  createWorkflow,
  deleteWorkflow,
  listWorkflowRuns,
  listWorkflowTicks,
  listWorkflows,
  readWorkflow,
  readWorkflowRun,
  rerunWorkflowRunFor,
  runWorkflow,
  updateWorkflow,
} from '@cronium/event-service';
import { answer, apiRoute } from '../api-route.ts';
import { idParam } from '../request-params.ts';
import { checkTriggerLimits } from '../trigger-limits.ts';
import {
  CreateWorkflowBody,
  UpdateWorkflowBody,
  Workflow,
  WorkflowListItem,
  WorkflowRun,
  WorkflowRunListItem,
} from './workflow-schemas.ts';

const tags = ['workflows'];
const problem = (description: string) => ({ description });
const notYours = problem('no such workflow of yours');
const Page = Type.Object({
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'ids below this one' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});

export const getWorkflows = apiRoute(
  'GET',
  '/api/v1/workflows',
  {
    summary: 'Your workflows, newest first, with their last run; ?q= searches names',
    tags,
    scope: 'workflows:read',
    query: Type.Object({ ...Page.properties, q: Type.Optional(Type.String({ maxLength: 200 })) }),
    responses: {
      200: {
        description: 'a page of workflows',
        schema: Type.Object({
          workflows: Type.Array(WorkflowListItem),
          nextBefore: Type.Union([Type.Integer(), Type.Null()]),
        }),
      },
    },
  },
  async ({ deps, principal, query }) => listWorkflows(deps.db, principal, query),
);

export const postWorkflow = apiRoute(
  'POST',
  '/api/v1/workflows',
  {
    summary: 'Create a workflow: its nodes (events or workflows) and the edges between them',
    tags,
    scope: 'workflows:write',
    body: CreateWorkflowBody,
    responses: {
      201: { description: 'created', schema: Workflow },
      422: problem('a cycle, an unknown event or workflow, a bad edge or mapping (with pointers)'),
    },
  },
  async ({ deps, principal, body, meta }) =>
    answer(
      201,
      await createWorkflow(deps.db, principal, { ...body, edges: body.edges ?? [] }, meta),
    ),
);

export const getWorkflow = apiRoute(
  'GET',
  '/api/v1/workflows/{id}',
  {
    summary: 'One workflow with its graph',
    tags,
    scope: 'workflows:read',
    responses: { 200: { description: 'the workflow', schema: Workflow }, 404: notYours },
  },
  async ({ deps, principal, params }) => readWorkflow(deps.db, principal, idParam(params.id)),
);

export const patchWorkflow = apiRoute(
  'PATCH',
  '/api/v1/workflows/{id}',
  {
    summary:
      'Change a workflow (the fields given); nodes and edges replace the graph (runs in flight keep theirs)',
    tags,
    scope: 'workflows:write',
    body: UpdateWorkflowBody,
    responses: {
      200: { description: 'the workflow', schema: Workflow },
      404: notYours,
      422: problem('the graph as a whole is not valid (with pointers)'),
    },
  },
  async ({ deps, principal, params, body, meta }) =>
    updateWorkflow(deps.db, principal, idParam(params.id), body, meta),
);

export const deleteWorkflowRoute = apiRoute(
  'DELETE',
  '/api/v1/workflows/{id}',
  {
    summary: 'Delete a workflow and its runs',
    tags,
    scope: 'workflows:write',
    responses: {
      204: { description: 'deleted' },
      404: notYours,
      409: problem('a run is running, or another workflow uses it as a node'),
    },
  },
  async ({ deps, principal, params, meta }) => {
    await deleteWorkflow(deps.db, principal, idParam(params.id), meta);
  },
);

export const postWorkflowRun = apiRoute(
  'POST',
  '/api/v1/workflows/{id}/runs',
  {
    summary: 'Run the workflow now, with an input value (any JSON) that every node can read',
    tags,
    scope: 'workflows:write',
    body: Type.Object({ input: Type.Optional(Type.Unknown()) }, { additionalProperties: false }),
    responses: {
      201: { description: 'the run, its root nodes queued', schema: WorkflowRun },
      404: notYours,
      409: problem('skipped by the concurrency policy'),
      429: problem('too many triggers per minute, or too many of your runs waiting'),
    },
  },
  async ({ deps, principal, params, body, meta }) => {
    await checkTriggerLimits(deps, principal);
    return answer(201, await runWorkflow(deps.db, principal, idParam(params.id), body.input, meta));
  },
);

export const getWorkflowRuns = apiRoute(
  'GET',
  '/api/v1/workflows/{id}/runs',
  {
    summary: 'The runs of a workflow, newest first; page with before',
    tags,
    scope: 'workflows:read',
    query: Page,
    responses: {
      200: {
        description: 'a page of runs',
        schema: Type.Object({
          runs: Type.Array(WorkflowRunListItem),
          nextBefore: Type.Union([Type.Integer(), Type.Null()]),
        }),
      },
      404: notYours,
    },
  },
  async ({ deps, principal, params, query }) =>
    listWorkflowRuns(deps.db, principal, idParam(params.id), query),
);

export const getWorkflowRun = apiRoute(
  'GET',
  '/api/v1/workflow-runs/{id}',
  {
    summary: "One workflow run: each node's state, run, output and error, on the graph it ran",
    tags,
    scope: 'workflows:read',
    responses: {
      200: { description: 'the run', schema: WorkflowRun },
      404: problem('no such workflow run of yours'),
    },
  },
  async ({ deps, principal, params }) => readWorkflowRun(deps.db, principal, idParam(params.id)),
);

export const postWorkflowRunCancel = apiRoute(
  'POST',
  '/api/v1/workflow-runs/{id}/cancel',
  {
    summary: 'Cancel a running workflow run: every node still running or waiting',
    tags,
    scope: 'workflows:write',
    responses: {
      200: { description: 'the run', schema: WorkflowRun },
      409: problem('it is not running'),
    },
  },
  async ({ deps, principal, params, meta }) =>
    cancelWorkflowRunFor(deps.db, principal, idParam(params.id), meta),
);

export const postWorkflowRunRerun = apiRoute(
  'POST',
  '/api/v1/workflow-runs/{id}/rerun',
  {
    summary:
      'Run a failed, cancelled or timed-out workflow run again from where it stopped, reusing the outputs of the nodes that succeeded',
    tags,
    scope: 'workflows:write',
    responses: {
      201: { description: 'the new run', schema: WorkflowRun },
      409: problem('it is running or succeeded'),
    },
  },
  async ({ deps, principal, params, meta }) => {
    await checkTriggerLimits(deps, principal);
    return answer(201, await rerunWorkflowRunFor(deps.db, principal, idParam(params.id), meta));
  },
);

export const getWorkflowTicks = apiRoute(
  'GET',
  '/api/v1/workflows/{id}/ticks',
  {
    summary: "The workflow's schedule ledger: every due slot and what became of it",
    tags,
    scope: 'workflows:read',
    query: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000 })) }),
    responses: { 200: { description: 'ticks, newest first' }, 404: notYours },
  },
  async ({ deps, principal, params, query }) =>
    listWorkflowTicks(deps.db, principal, idParam(params.id), query.limit ?? 100),
);
