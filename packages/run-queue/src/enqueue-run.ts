import { sql } from 'kysely';
import type { Selectable } from 'kysely';
import type { EventsTable } from '@cronium/db';
import type { RunTrigger } from '@cronium/contracts';
import { ACTIVE_STATUSES, CANCELLABLE_STATUSES, CHANNELS, type DbExecutor } from './queue-types.ts';
import { insertRun, type RunRow } from './insert-run.ts';
import { advanceWorkflowRuns } from './workflows/advance-workflow-runs.ts';
import { cancelWorkflowRunIn } from './workflows/cancel-workflow-run.ts';

export type EventRow = Selectable<EventsTable>;

export interface EnqueueRequest {
  trigger: RunTrigger;
  input?: unknown;
  scheduledFor?: Date;
  /** When the run becomes claimable; defaults to now. */
  runAt?: Date;
  workflowRunId?: number;
  workflowNodeId?: number;
  /** The schedule tick this run answers; linked in the same statement. */
  tickId?: number;
  /**
   * Unique per event (`runs_idempotency_key_idx`): a second run with the same key fails with
   * a unique violation (23505) and nothing else of its statement or transaction is written;
   * the caller then answers the run that has it (`findRunByIdempotencyKey`).
   */
  idempotencyKey?: string;
}

export type EnqueueResult =
  | { outcome: 'enqueued'; runId: number; run: RunRow; replaced: number[] }
  | { outcome: 'skipped_overlap'; reason: string };

/**
 * Locks the event row for the rest of the transaction. Every path that creates runs for an
 * event (schedule, manual, webhook, workflow) takes this lock first, so concurrency
 * decisions for one event are serialised across processes.
 */
export async function lockEvent(trx: DbExecutor, eventId: number): Promise<EventRow | undefined> {
  return trx
    .selectFrom('events')
    .selectAll()
    .where('id', '=', eventId)
    .forUpdate()
    .executeTakeFirst();
}

async function activeRuns(trx: DbExecutor, eventId: number) {
  return trx
    .selectFrom('runs')
    .select(['id', 'status'])
    .where('event_id', '=', eventId)
    .where('status', 'in', ACTIVE_STATUSES)
    .execute();
}

export type PolicyDecision = { skipped: string } | { replaced: number[] };

/**
 * The event's concurrency policy for one more run, now: skip says why not while
 * `max_concurrent_runs` runs are active; replace cancels the active runs first. Call inside
 * the transaction that locked the event (`lockEvent`).
 */
export async function applyConcurrencyPolicy(
  trx: DbExecutor,
  event: EventRow,
): Promise<PolicyDecision> {
  if (event.concurrency_policy !== 'skip' && event.concurrency_policy !== 'replace')
    return { replaced: [] };
  const active = await activeRuns(trx, event.id);
  if (event.concurrency_policy === 'skip' && active.length >= event.max_concurrent_runs)
    return {
      skipped: `${active.length} run(s) still active (${active.map((r) => `#${r.id} ${r.status}`).join(', ')}); policy skip`,
    };
  const replaced = event.concurrency_policy === 'replace' ? active.map((r) => r.id) : [];
  await requestCancelInTransaction(trx, replaced, `replaced by a newer run (policy replace)`);
  return { replaced };
}

/**
 * Creates a run for a locked event, applying its concurrency policy:
 * allow: always; skip: not while `max_concurrent_runs` runs are active; queue: always, and
 * the claim starts it when a slot frees; replace: cancels the active runs, then as queue.
 * Call inside the transaction that locked the event (`lockEvent`).
 */
export async function enqueueRun(
  trx: DbExecutor,
  event: EventRow,
  request: EnqueueRequest,
): Promise<EnqueueResult> {
  const decision = await applyConcurrencyPolicy(trx, event);
  if ('skipped' in decision) return { outcome: 'skipped_overlap', reason: decision.skipped };
  const run = await insertRun(trx, event.id, request);
  if (!run) throw new Error(`event ${event.id} vanished while locked`);
  return { outcome: 'enqueued', runId: run.id, run, replaced: decision.replaced };
}

/**
 * Scheduled and queued runs are cancelled at once (no attempt of theirs has started); running
 * ones are flagged `cancelling` and the orchestrator holding them is told to kill them.
 */
export async function requestCancelInTransaction(
  trx: DbExecutor,
  runIds: number[],
  reason: string,
): Promise<number[]> {
  if (runIds.length === 0) return [];
  const changed = await trx
    .updateTable('runs')
    .set({
      status: sql`CASE WHEN status IN ('scheduled', 'queued') THEN 'cancelled' ELSE 'cancelling' END`,
      cancel_requested_at: sql`coalesce(cancel_requested_at, now())`,
      error: reason,
      finished_at: sql`CASE WHEN status IN ('scheduled', 'queued') THEN now() ELSE finished_at END`,
    })
    .where('id', 'in', runIds)
    .where('status', 'in', CANCELLABLE_STATUSES)
    .returning(['id', 'status', 'workflow_run_id'])
    .execute();
  // Queued workflow nodes end here and now: their workflow runs move on in this commit.
  const ended = changed.filter((r) => r.status === 'cancelled' && r.workflow_run_id !== null);
  if (ended.length > 0)
    await advanceWorkflowRuns(
      trx,
      ended.map((r) => ({
        workflowRunId: Number(r.workflow_run_id),
        runId: Number(r.id),
        state: 'cancelled' as const,
        output: null,
        condition: null,
        error: reason,
      })),
    );
  if (changed.some((r) => r.status === 'cancelling')) {
    await sql`SELECT pg_notify(${CHANNELS.runCancel}, ${changed
      .filter((r) => r.status === 'cancelling')
      .map((r) => r.id)
      .join(',')})`.execute(trx);
  }
  return changed.map((r) => r.id);
}

/**
 * Cancels every run of one owner that is not over (a user being disabled): their running
 * workflow runs, scheduled and queued runs at once, running ones through their orchestrator. In the caller's
 * transaction.
 */
export async function cancelOwnerRuns(
  trx: DbExecutor,
  ownerId: number,
  reason: string,
): Promise<number[]> {
  // Their workflow runs first, so no node that follows a cancelled one starts for them.
  const workflowRuns = await trx
    .selectFrom('workflow_runs')
    .select('id')
    .where('owner_id', '=', ownerId)
    .where('status', '=', 'running')
    .where('parent_run_id', 'is', null)
    .orderBy('id')
    .execute();
  for (const run of workflowRuns) await cancelWorkflowRunIn(trx, Number(run.id), { reason }, false);
  const active = await trx
    .selectFrom('runs')
    .select('id')
    .where('owner_id', '=', ownerId)
    .where('status', 'in', CANCELLABLE_STATUSES)
    .execute();
  return requestCancelInTransaction(
    trx,
    active.map((r) => r.id),
    reason,
  );
}
