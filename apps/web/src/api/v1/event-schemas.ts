import { Type, type TSchema } from '@sinclair/typebox';
import {
  ConcurrencyPolicy,
  LogStream,
  MisfirePolicy,
  RunStatus,
  RunTrigger,
  SCRIPT_TYPES,
  TargetKind,
  oneOf,
  type EventStatus,
} from '@cronium/contracts';

const Strict = { additionalProperties: false } as const;
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const ToolAction = Type.Object(
  {
    credentialId: Type.Integer({ minimum: 1, description: 'one of your tool credentials' }),
    params: Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), {
      description:
        "what to send, by the credential's kind (docs/tools.md); text fields are LiquidJS templates",
    }),
  },
  Strict,
);

const fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ maxLength: 5_000 }),
  type: oneOf([...SCRIPT_TYPES, 'http', 'tool']),
  script: Nullable(Type.String({ maxLength: 1_000_000 })),
  http: Nullable(
    Type.Object(
      {
        method: Type.Union(
          ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((m) => Type.Literal(m)),
        ),
        url: Type.String({ minLength: 1, maxLength: 4_000 }),
        headers: Type.Optional(
          Type.Record(Type.String({ maxLength: 200 }), Type.String({ maxLength: 8_000 })),
        ),
        body: Type.Optional(Nullable(Type.String({ maxLength: 1_000_000 }))),
      },
      Strict,
    ),
  ),
  tool: Nullable(ToolAction),
  actions: Type.Array(
    Type.Object(
      {
        on: oneOf(['success', 'failure', 'always', 'condition_true', 'condition_false'] as const, {
          description: 'when it fires, by how a run ended',
        }),
        tool: Type.Optional(ToolAction),
        event: Type.Optional(
          Type.Object(
            { id: Type.Integer({ minimum: 1, description: 'one of your events' }) },
            { ...Strict, description: "start this event with the run's output as its input" },
          ),
        ),
      },
      { ...Strict, description: 'either `tool` or `event`' },
    ),
    {
      maxItems: 20,
      description:
        'what to do after each run ends: send a tool action or start another event (replaced as a whole on update)',
    },
  ),
  schedule: Nullable(
    Type.Object(
      {
        cron: Type.String({ minLength: 1, maxLength: 200 }),
        timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        misfirePolicy: Type.Optional(MisfirePolicy),
      },
      Strict,
    ),
  ),
  status: oneOf(['active', 'paused'] as const satisfies EventStatus[]),
  targetKind: TargetKind,
  image: Nullable(Type.String({ minLength: 1, maxLength: 500 })),
  serverIds: Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 100 }),
  timeoutSeconds: Type.Integer({ minimum: 1, maximum: 604_800 }),
  retry: Type.Object(
    {
      maxAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
      delaySeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400 })),
      backoffFactor: Type.Optional(Type.Number({ minimum: 1, maximum: 10 })),
    },
    Strict,
  ),
  concurrency: Type.Object(
    {
      policy: Type.Optional(ConcurrencyPolicy),
      max: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000 })),
    },
    Strict,
  ),
  priority: Type.Integer({ minimum: -100, maximum: 100 }),
  env: Type.Record(Type.String({ maxLength: 200 }), Type.String({ maxLength: 100_000 })),
  tags: Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 50 }),
  limits: Type.Object(
    {
      memoryMb: Type.Optional(Nullable(Type.Integer({ minimum: 16, maximum: 1_048_576 }))),
      cpuMillis: Type.Optional(Nullable(Type.Integer({ minimum: 10, maximum: 256_000 }))),
      pids: Type.Optional(Nullable(Type.Integer({ minimum: 8, maximum: 1_000_000 }))),
    },
    Strict,
  ),
  networkEnabled: Type.Boolean(),
};

const EventFields = Type.Object(fields);
/** Every field optional (Type.Partial keeps each field's own schema). */
const optional = Type.Partial(EventFields).properties;

const SecretValue = Type.String({ maxLength: 100_000 });
/** Write-only: stored encrypted, given to the script as environment, masked in its log. */
const secretEnvDoc =
  'Secret environment variables: stored encrypted, never returned (see secretEnvKeys), masked in run logs; values of at least 6 characters';

export const CreateEventBody = Type.Object(
  {
    ...optional,
    name: fields.name,
    type: fields.type,
    secretEnv: Type.Optional(
      Type.Record(Type.String({ maxLength: 200 }), SecretValue, { description: secretEnvDoc }),
    ),
  },
  Strict,
);
export const UpdateEventBody = Type.Object(
  {
    ...optional,
    secretEnv: Type.Optional(
      Type.Record(Type.String({ maxLength: 200 }), Nullable(SecretValue), {
        description: `${secretEnvDoc}. Merged into what is set: a value sets or replaces that name, null removes it`,
      }),
    ),
  },
  { ...Strict, minProperties: 1 },
);
export const TriggerRunBody = Type.Object(
  {
    input: Type.Optional(Type.Unknown()),
    runAt: Type.Optional(
      Type.String({
        format: 'date-time',
        maxLength: 64,
        description:
          'when to run (RFC 3339, with an offset): up to a year ahead; the run waits as `scheduled` until then. Omitted, now or up to 5 minutes past: now',
      }),
    ),
  },
  Strict,
);

export const Event = Type.Object({
  id: Type.Integer(),
  ownerId: Type.Integer(),
  ...fields,
  // In the answer for one event; lists leave them out.
  actions: Type.Optional(fields.actions),
  serverIds: Type.Array(Type.Integer()),
  secretEnvKeys: Type.Array(Type.String(), {
    description: 'names of the secret environment variables set (their values are never returned)',
  }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
/** An event as the list shows it: with its next fire time and its latest run. */
export const EventListItem = Type.Composite([
  Event,
  Type.Object({
    nextFireAt: Nullable(
      Type.String({ format: 'date-time', description: 'the next scheduled fire (active events)' }),
    ),
    lastRun: Nullable(
      Type.Object({
        id: Type.Integer(),
        status: RunStatus,
        createdAt: Type.String({ format: 'date-time' }),
        finishedAt: Nullable(Type.String({ format: 'date-time' })),
      }),
    ),
  }),
]);
export const Run = Type.Object({
  id: Type.Integer(),
  eventId: Type.Integer(),
  ownerId: Type.Integer(),
  workflowRunId: Nullable(
    Type.Integer({ description: 'the workflow run this run is a node of (or null)' }),
  ),
  status: RunStatus,
  trigger: RunTrigger,
  attempt: Type.Integer(),
  maxAttempts: Type.Integer(),
  exitCode: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  input: Type.Unknown(),
  output: Type.Unknown(),
  condition: Nullable(Type.Boolean()),
  result: Type.Unknown({ description: 'what the executor reported (HTTP: status, headers, body)' }),
  scheduledFor: Nullable(Type.String({ format: 'date-time' })),
  runAt: Type.String({
    format: 'date-time',
    description:
      'when the run is due: the time it was asked for (a `scheduled` run waits until then), its slot, or when it was queued',
  }),
  createdAt: Type.String({ format: 'date-time' }),
  startedAt: Nullable(Type.String({ format: 'date-time' })),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
  durationMs: Nullable(Type.Integer()),
  lastLogSeq: Type.Integer(),
  eventName: Type.Optional(Type.String({ description: "in lists of runs: the event's name" })),
  targets: Type.Optional(
    Type.Array(
      Type.Object({
        serverId: Type.Integer(),
        attempt: Type.Integer(),
        status: Type.String({ description: 'running, succeeded, failed, timed_out or cancelled' }),
        exitCode: Nullable(Type.Integer()),
        error: Nullable(Type.String()),
        startedAt: Nullable(Type.String({ format: 'date-time' })),
        finishedAt: Nullable(Type.String({ format: 'date-time' })),
      }),
      {
        description:
          "in the answer for one run: an SSH run's result on each server, per attempt (empty for other targets)",
      },
    ),
  ),
});
export const LogLine = Type.Object({
  seq: Type.Integer(),
  attempt: Type.Integer(),
  stream: LogStream,
  serverId: Nullable(Type.Integer()),
  at: Type.String({ format: 'date-time' }),
  text: Type.String(),
});
