import { sql, type Selectable } from 'kysely';
import type { AuditEntry, RunsTable } from '@cronium/db';
import { CHANNELS, type DbExecutor } from './queue-types.ts';
import type { EnqueueRequest } from './enqueue-run.ts';

export type RunRow = Selectable<RunsTable>;

/**
 * Who triggered a run, for its audit entry (`run.trigger`, target the event); `actor_ref`
 * names a non-user actor, such as the webhook (`webhook:12`).
 */
export type TriggerAudit = Pick<AuditEntry, 'actor_kind' | 'actor_id' | 'ip' | 'user_agent'> &
  Partial<Pick<AuditEntry, 'actor_ref'>>;

export interface InsertRunOptions {
  /** Only when the policy (skip, replace) needs no decision from the active runs. */
  onlyUnserialized?: boolean;
  /** Only an event of this owner (someone else's is treated as missing). */
  ownerId?: number;
  /** Write the `run.trigger` audit entry in the same statement. */
  audit?: TriggerAudit;
  /**
   * `scheduled`: the run waits for its `runAt` holding no concurrency slot, and the scheduler
   * (woken by the notification) promotes it then, policy applied (`promoteScheduledRuns`).
   */
  status?: 'queued' | 'scheduled';
}

/** Policies under which a new run only needs inserting: no decision from the active runs. */
const UNSERIALIZED_POLICIES = ['allow', 'queue'];

/**
 * One statement: the event's row read under a key-share lock (it cannot be deleted meanwhile),
 * the run inserted from it (`queued`, or `scheduled` with `options.status`), the schedule
 * ledger's link to it, and the wake-up notification,
 * delivered on commit, and (with `audit`) the audit entry: one round trip for a trigger
 * through the API. Returns the new run, or undefined when the event does not exist (or is not
 * `ownerId`'s) or, with `onlyUnserialized`, when its policy (skip, replace) needs the
 * serialized path.
 */
export async function insertRun(
  executor: DbExecutor,
  eventId: number,
  request: EnqueueRequest,
  options: InsertRunOptions = {},
): Promise<RunRow | undefined> {
  const policyFilter = options.onlyUnserialized
    ? sql`AND concurrency_policy IN (${sql.join(UNSERIALIZED_POLICIES)})`
    : sql``;
  const ownerFilter =
    options.ownerId === undefined ? sql`` : sql`AND owner_id = ${options.ownerId}`;
  const audited = options.audit
    ? sql`, audited AS (
      INSERT INTO audit_log (actor_kind, actor_id, actor_ref, action, target_type, target_id, details, ip, user_agent)
      SELECT ${options.audit.actor_kind}, ${options.audit.actor_id ?? null}::bigint, ${options.audit.actor_ref ?? null},
             'run.trigger', 'event',
             ${String(eventId)}, jsonb_build_object('runId', run.id), ${options.audit.ip ?? null},
             ${options.audit.user_agent ?? null}
      FROM run
    )`
    : sql``;
  const status = options.status ?? 'queued';
  // A scheduled run is news for the scheduler, which promotes it at its time; not for the claim.
  const channel = status === 'scheduled' ? CHANNELS.scheduleChanged : CHANNELS.runsQueued;
  const inserted = await sql<RunRow>`
    WITH event AS (
      SELECT id, owner_id, priority, retry_max_attempts FROM events
      WHERE id = ${eventId} ${policyFilter} ${ownerFilter}
      FOR KEY SHARE
    ), run AS (
      INSERT INTO runs (event_id, owner_id, trigger, status, priority, scheduled_for, run_at, input, max_attempts,
                        workflow_run_id, workflow_node_id, idempotency_key)
      SELECT event.id, event.owner_id, ${request.trigger}, ${status}, event.priority,
             ${request.scheduledFor ?? null}::timestamptz, coalesce(${request.runAt ?? null}::timestamptz, now()),
             ${request.input === undefined ? null : JSON.stringify(request.input)}::jsonb, event.retry_max_attempts,
             ${request.workflowRunId ?? null}::bigint,
             -- The node as it is now (a run's graph may hold one that was deleted since).
             (SELECT id FROM workflow_nodes WHERE id = ${request.workflowNodeId ?? null}::bigint),
             ${request.idempotencyKey ?? null}::text
      FROM event
      RETURNING *
    ), tick AS (
      UPDATE schedule_ticks SET run_id = (SELECT id FROM run) WHERE id = ${request.tickId ?? null}::bigint RETURNING id
    ), notified AS (
      SELECT pg_notify(${channel}, ${String(eventId)}) FROM run
    )${audited}
    SELECT run.* FROM run, notified`.execute(executor);
  return inserted.rows[0];
}
