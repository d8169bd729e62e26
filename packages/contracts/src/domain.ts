// Domain vocabularies shared by the database schema, the engine and the APIs.

export const USER_ROLES = ['admin', 'user'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const USER_STATUSES = ['active', 'invited', 'disabled'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const EVENT_TYPES = ['bash', 'python', 'node', 'http', 'tool'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_STATUSES = ['active', 'paused', 'draft', 'archived'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export const TARGET_KINDS = ['container', 'ssh', 'local'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export const MISFIRE_POLICIES = ['all', 'last', 'none'] as const;
export type MisfirePolicy = (typeof MISFIRE_POLICIES)[number];

export const CONCURRENCY_POLICIES = ['allow', 'skip', 'queue', 'replace'] as const;
export type ConcurrencyPolicy = (typeof CONCURRENCY_POLICIES)[number];

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
export type RunStatus = (typeof RUN_STATUSES)[number];

export const FINAL_RUN_STATUSES = [
  'succeeded',
  'failed',
  'timed_out',
  'cancelled',
  'partial',
] as const;

export const RUN_TRIGGERS = ['schedule', 'manual', 'webhook', 'workflow', 'retry'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

export const TICK_OUTCOMES = [
  'enqueued',
  'skipped_overlap',
  'missed_downtime',
  'skipped_dst',
  'skipped_paused',
  'skipped_misfire_cap',
] as const;
export type TickOutcome = (typeof TICK_OUTCOMES)[number];

export const LOG_STREAMS = ['stdout', 'stderr', 'system'] as const;
export type LogStream = (typeof LOG_STREAMS)[number];

export const TOOL_KINDS = ['email', 'slack', 'discord', 'webhook'] as const;
export type ToolKind = (typeof TOOL_KINDS)[number];

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
