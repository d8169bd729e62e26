// Request and response schemas of the webhook routes (webhooks.ts).
import { Type, type TSchema } from '@sinclair/typebox';
import { RunStatus, WebhookAuthMode } from '@cronium/contracts';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const Webhook = Type.Object({
  id: Type.Integer(),
  eventId: Nullable(Type.Integer({ description: 'the event it starts (or null)' })),
  workflowId: Nullable(Type.Integer({ description: 'the workflow it starts (or null)' })),
  name: Type.String(),
  enabled: Type.Boolean(),
  url: Type.String({ description: 'where to send requests; its random id is not a secret' }),
  authMode: WebhookAuthMode,
  headers: Type.Array(Type.String(), { description: 'headers copied into the input' }),
  rateLimitPerMinute: Type.Integer(),
  replayWindowSeconds: Type.Integer(),
  secretPrefix: Type.String({ description: "the secret's first characters" }),
  previousSecretExpiresAt: Nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  lastTriggeredAt: Nullable(Type.String({ format: 'date-time' })),
});

export const WebhookWithSecret = Type.Object({
  webhook: Webhook,
  secret: Type.String({ description: 'shown this once: store it where the sender reads it' }),
});

/** What a webhook's owner may set: on create (only the name is required) and with PATCH. */
export const WebhookSettings = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  enabled: Type.Boolean(),
  authMode: WebhookAuthMode,
  headers: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
    maxItems: 20,
    description: 'request headers to copy into the input (not Authorization or Cookie)',
  }),
  rateLimitPerMinute: Type.Integer({ minimum: 1, maximum: 600 }),
  replayWindowSeconds: Type.Integer({ minimum: 30, maximum: 3600 }),
};

const Delivered = {
  runId: Type.Integer({ description: "the event's run" }),
  status: RunStatus,
  duplicate: Type.Boolean({
    description: "an earlier delivery's run (same Idempotency-Key, or the same signed request)",
  }),
};
const WorkflowDelivered = {
  workflowRunId: Type.Integer({ description: 'the workflow run (a webhook of a workflow)' }),
  status: Type.String({ description: "the workflow run's status" }),
  duplicate: Delivered.duplicate,
};
const Ended = {
  output: Type.Unknown(),
  error: Nullable(Type.String()),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
};
export const HookRunStarted = Type.Union([
  Type.Object(Delivered, { additionalProperties: false }),
  Type.Object(WorkflowDelivered, { additionalProperties: false }),
]);
export const HookRunEnded = Type.Union([
  Type.Object(
    { ...Delivered, ...Ended, exitCode: Nullable(Type.Integer()) },
    { additionalProperties: false },
  ),
  Type.Object({ ...WorkflowDelivered, ...Ended }, { additionalProperties: false }),
]);
