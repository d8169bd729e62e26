// Domain vocabularies shared by the database schema, the engine and the APIs: each value list
// once, as a TypeBox schema (for request and response schemas, OpenAPI) with its type derived,
// and the plain list (for SQL and loops).
import { Type, type Static, type TLiteral, type TUnion } from '@sinclair/typebox';

/** A TypeBox union of string literals from a value list (JSON Schema `anyOf` of `const`s). */
export function oneOf<const T extends readonly string[]>(
  values: T,
  options: { description?: string } = {},
): TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }> {
  return Type.Union(
    values.map((value) => Type.Literal(value)),
    options,
  ) as unknown as TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }>;
}

export const USER_ROLES = ['admin', 'user'] as const;
export const UserRole = oneOf(USER_ROLES);
export type UserRole = Static<typeof UserRole>;

export const USER_STATUSES = ['active', 'invited', 'disabled'] as const;
export const UserStatus = oneOf(USER_STATUSES);
export type UserStatus = Static<typeof UserStatus>;

/** Events whose code is a script, run by an interpreter on a target. */
export const SCRIPT_TYPES = ['bash', 'python', 'node'] as const;
export const ScriptType = oneOf(SCRIPT_TYPES);
export type ScriptType = Static<typeof ScriptType>;

export const EVENT_TYPES = [...SCRIPT_TYPES, 'http', 'tool'] as const;
export const EventType = oneOf(EVENT_TYPES);
export type EventType = Static<typeof EventType>;

export function isScriptType(type: string): type is ScriptType {
  return (SCRIPT_TYPES as readonly string[]).includes(type);
}

export const EVENT_STATUSES = ['active', 'paused', 'draft', 'archived'] as const;
export const EventStatus = oneOf(EVENT_STATUSES);
export type EventStatus = Static<typeof EventStatus>;

export const TARGET_KINDS = ['container', 'ssh', 'local'] as const;
export const TargetKind = oneOf(TARGET_KINDS);
export type TargetKind = Static<typeof TargetKind>;

export const MISFIRE_POLICIES = ['all', 'last', 'none'] as const;
export const MisfirePolicy = oneOf(MISFIRE_POLICIES);
export type MisfirePolicy = Static<typeof MisfirePolicy>;

export const CONCURRENCY_POLICIES = ['allow', 'skip', 'queue', 'replace'] as const;
export const ConcurrencyPolicy = oneOf(CONCURRENCY_POLICIES);
export type ConcurrencyPolicy = Static<typeof ConcurrencyPolicy>;

export const RUN_STATUSES = [
  'scheduled',
  'queued',
  'running',
  'cancelling',
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
  'partial',
] as const;
export const RunStatus = oneOf(RUN_STATUSES);
export type RunStatus = Static<typeof RunStatus>;

/** Statuses a run never leaves (and the ones an attempt can end in). */
export const FINAL_RUN_STATUSES = [
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
  'partial',
] as const satisfies readonly RunStatus[];
export type FinalRunStatus = (typeof FINAL_RUN_STATUSES)[number];

export function isFinalRunStatus(status: string): status is FinalRunStatus {
  return (FINAL_RUN_STATUSES as readonly string[]).includes(status);
}

/** Statuses of a run that holds a slot (claimed by an orchestrator, lease held). */
export const HELD_RUN_STATUSES = ['running', 'cancelling'] as const satisfies readonly RunStatus[];
/** Statuses of a run that is not over yet and counts against the owner's queue. */
export const ACTIVE_RUN_STATUSES = [
  'queued',
  ...HELD_RUN_STATUSES,
] as const satisfies readonly RunStatus[];
/**
 * Statuses a cancel ends or stops: the active ones and `scheduled` (a run waiting for the time
 * it was asked for, which holds no slot and counts for no policy, but is not over either).
 */
export const CANCELLABLE_RUN_STATUSES = [
  'scheduled',
  ...ACTIVE_RUN_STATUSES,
] as const satisfies readonly RunStatus[];

export const RUN_TRIGGERS = [
  'schedule',
  'manual',
  'webhook',
  'workflow',
  'retry',
  'action',
] as const;
export const RunTrigger = oneOf(RUN_TRIGGERS);
export type RunTrigger = Static<typeof RunTrigger>;

export const TICK_OUTCOMES = [
  'enqueued',
  'skipped_overlap',
  'missed_downtime',
  'skipped_dst',
  'skipped_paused',
  'skipped_misfire_cap',
] as const;
export const TickOutcome = oneOf(TICK_OUTCOMES);
export type TickOutcome = Static<typeof TickOutcome>;

export const LOG_STREAMS = ['stdout', 'stderr', 'system'] as const;
export const LogStream = oneOf(LOG_STREAMS);
export type LogStream = Static<typeof LogStream>;

/** How an inbound webhook's requests prove they know its secret (docs/webhooks.md). */
export const WEBHOOK_AUTH_MODES = ['hmac', 'bearer'] as const;
export const WebhookAuthMode = oneOf(WEBHOOK_AUTH_MODES);
export type WebhookAuthMode = Static<typeof WebhookAuthMode>;

export const TOOL_KINDS = ['email', 'slack', 'discord', 'teams', 'webhook'] as const;
export const ToolKind = oneOf(TOOL_KINDS);
export type ToolKind = Static<typeof ToolKind>;

/**
 * A Docker image reference as the distribution/reference grammar has it:
 * `[registry[:port]/]path[:tag][@sha256:digest]`, path components in lower case. Checked when
 * an event is saved and again by the container create guard.
 */
const IMAGE_PATH_PART = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE_REGISTRY_PART = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
export const IMAGE_REFERENCE = new RegExp(
  `^(?:${IMAGE_REGISTRY_PART}(?:\\.${IMAGE_REGISTRY_PART})*(?::[0-9]{1,5})?/)?` +
    `${IMAGE_PATH_PART}(?:/${IMAGE_PATH_PART})*` +
    '(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$',
);

/**
 * What a secret value (a secret variable, an event's secret environment) may be: at least
 * `min` characters, since shorter values could not be masked in logs without masking
 * everything; at most `max`, since every secret of an owner is compiled into their runs'
 * masker (review L4d, H2).
 */
export const SECRET_VALUE_LIMITS = { min: 6, max: 65_536 } as const;

/** Why a secret value is refused, or undefined when it is fine. */
export function secretValueProblem(value: string): string | undefined {
  if (value.length < SECRET_VALUE_LIMITS.min)
    return `a secret value needs at least ${SECRET_VALUE_LIMITS.min} characters (shorter ones could not be masked in logs)`;
  if (value.length > SECRET_VALUE_LIMITS.max)
    return `a secret value may have at most ${SECRET_VALUE_LIMITS.max} characters (every secret is matched in every line of its owner's logs)`;
  return undefined;
}
