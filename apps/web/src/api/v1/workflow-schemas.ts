import { Type } from '@sinclair/typebox';
import { MisfirePolicy, oneOf } from '@cronium/contracts';
import { MAX_WORKFLOW_EDGES, MAX_WORKFLOW_NODES, NODE_NAME_PATTERN } from '@cronium/event-service';

const Strict = { additionalProperties: false } as const;
const Nullable = <T extends import('@sinclair/typebox').TSchema>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const Id = Type.Integer({ minimum: 1 });
const Instant = Type.String({ format: 'date-time' });

const EdgeOn = oneOf(
  ['always', 'success', 'failure', 'condition_true', 'condition_false'] as const,
  {
    description:
      'fires when the parent ended: always, on success, on failure, or with the condition its script set',
  },
);

export const WorkflowNode = Type.Object(
  {
    name: Type.String({
      pattern: NODE_NAME_PATTERN,
      description: 'unique in the workflow; `input` is reserved',
    }),
    event: Type.Optional(Type.Object({ id: Id }, Strict)),
    workflow: Type.Optional(
      Type.Object({ id: Id }, { ...Strict, description: 'another workflow' }),
    ),
    tool: Type.Optional(
      Type.Object(
        {
          credentialId: Type.Integer({ minimum: 1, description: 'one of your tool credentials' }),
          params: Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), {
            description:
              "what to send, by the credential's kind (docs/tools.md); text fields are LiquidJS templates that read `input`, `workflow` and `variables`",
          }),
        },
        {
          ...Strict,
          description:
            "a tool action sent without an event; the node's output is the tool's answer ({ kind, status, detail })",
        },
      ),
    ),
    join: Type.Optional(
      oneOf(['all', 'any'] as const, {
        description: 'with several parents: start when all edges fired (default) or the first did',
      }),
    ),
    input: Type.Optional(
      Type.Record(
        Type.String({ minLength: 1, maxLength: 100 }),
        Type.String({ minLength: 1, maxLength: 500 }),
        {
          description:
            'the input as a mapping of keys to sources: input[.path] or <upstream node>[.path]; without it, { <parent>: <output> } (a root node: the workflow input)',
          maxProperties: 100,
        },
      ),
    ),
    label: Type.Optional(Type.String({ maxLength: 200 })),
    position: Type.Optional(
      Type.Object(
        { x: Type.Number(), y: Type.Number() },
        { ...Strict, description: 'on the canvas' },
      ),
    ),
  },
  Strict,
);

export const WorkflowEdge = Type.Object(
  {
    from: Type.String({ minLength: 1, maxLength: 64 }),
    to: Type.String({ minLength: 1, maxLength: 64 }),
    on: Type.Optional(EdgeOn),
  },
  Strict,
);

const fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ maxLength: 5_000 }),
  status: oneOf(['active', 'paused'] as const),
  concurrency: Type.Object(
    {
      policy: oneOf(['allow', 'skip'] as const, {
        description: 'skip: no new run while one is running',
      }),
    },
    Strict,
  ),
  timeoutSeconds: Type.Integer({
    minimum: 1,
    maximum: 604_800,
    description: 'a run still running after this long is ended as timed_out',
  }),
  schedule: Nullable(
    Type.Object(
      {
        cron: Type.String({ minLength: 1, maxLength: 200 }),
        timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        misfirePolicy: Type.Optional(MisfirePolicy),
      },
      { ...Strict, description: 'a cron schedule, as for events; null: by hand only' },
    ),
  ),
  nodes: Type.Array(WorkflowNode, { maxItems: MAX_WORKFLOW_NODES }),
  edges: Type.Array(WorkflowEdge, { maxItems: MAX_WORKFLOW_EDGES }),
};

export const CreateWorkflowBody = Type.Object(
  {
    name: fields.name,
    description: Type.Optional(fields.description),
    status: Type.Optional(fields.status),
    concurrency: Type.Optional(fields.concurrency),
    timeoutSeconds: Type.Optional(fields.timeoutSeconds),
    schedule: Type.Optional(fields.schedule),
    nodes: Type.Array(WorkflowNode, { minItems: 1, maxItems: MAX_WORKFLOW_NODES }),
    edges: Type.Optional(fields.edges),
  },
  Strict,
);

export const UpdateWorkflowBody = Type.Partial(
  Type.Object({ ...fields, nodes: CreateWorkflowBody.properties.nodes }, Strict),
  Strict,
);

export const Workflow = Type.Object({
  id: Type.Integer(),
  ownerId: Type.Integer(),
  name: Type.String(),
  description: Type.String(),
  status: Type.String(),
  concurrency: fields.concurrency,
  timeoutSeconds: Type.Integer(),
  schedule: fields.schedule,
  nextFireAt: Nullable(Instant),
  nodes: Type.Array(Type.Intersect([WorkflowNode, Type.Object({ id: Type.Integer() })])),
  edges: Type.Array(WorkflowEdge),
  createdAt: Instant,
  updatedAt: Instant,
});

export const WorkflowListItem = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Type.String(),
  status: Type.String(),
  nodeCount: Type.Integer(),
  lastRun: Nullable(Type.Object({ id: Type.Integer(), status: Type.String(), createdAt: Instant })),
  createdAt: Instant,
  updatedAt: Instant,
});

export const WorkflowRunListItem = Type.Object({
  id: Type.Integer(),
  workflowId: Type.Integer(),
  status: oneOf(['running', 'succeeded', 'failed', 'cancelled', 'timed_out'] as const),
  trigger: Type.String(),
  error: Nullable(Type.String()),
  rerunOf: Nullable(Type.Integer()),
  parentRunId: Nullable(Type.Integer()),
  createdAt: Instant,
  finishedAt: Nullable(Instant),
});

export const WorkflowRun = Type.Intersect([
  WorkflowRunListItem,
  Type.Object({
    workflowName: Type.String(),
    input: Type.Unknown(),
    output: Type.Unknown(),
    deadlineAt: Instant,
    nodes: Type.Array(
      Type.Object({
        id: Type.Integer(),
        name: Type.String(),
        kind: Type.String(),
        eventId: Nullable(Type.Integer()),
        workflowId: Nullable(Type.Integer()),
        toolCredentialId: Nullable(Type.Integer()),
        join: Type.String(),
        state: oneOf([
          'waiting',
          'started',
          'succeeded',
          'failed',
          'skipped',
          'cancelled',
        ] as const),
        runId: Nullable(Type.Integer()),
        runStatus: Nullable(Type.String()),
        childRunId: Nullable(Type.Integer()),
        input: Type.Unknown({
          description:
            "a tool node's input (an event node's is its run's, a child workflow's its run's)",
        }),
        tries: Type.Integer({ description: "a tool node's sends so far" }),
        output: Type.Unknown(),
        condition: Nullable(Type.Boolean()),
        error: Nullable(Type.String()),
        reused: Type.Boolean(),
        startedAt: Nullable(Instant),
        finishedAt: Nullable(Instant),
      }),
    ),
    edges: Type.Array(WorkflowEdge),
  }),
]);
