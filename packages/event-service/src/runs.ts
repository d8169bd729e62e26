import {
  auditAction,
  auditActor,
  maySeeOwnedBy,
  visibleOwner,
  type Principal,
  type RequestMeta,
} from '@cronium/accounts';
import { sql } from 'kysely';
import { isFinalRunStatus } from '@cronium/contracts';
import type { Db } from '@cronium/db';
import { EventNotFoundError, readRunLogs, requestCancel, triggerRun } from '@cronium/run-queue';
import { AppError } from '@cronium/service-kit/errors';
import { ownedEvent } from './events.ts';
import { scheduleTicks } from './schedule-ticks.ts';

function runView(r: {
  id: number;
  event_id: number;
  owner_id: number;
  workflow_run_id: number | null;
  status: string;
  trigger: string;
  attempt: number;
  max_attempts: number;
  exit_code: number | null;
  error: string | null;
  input: unknown;
  output: unknown;
  condition: boolean | null;
  result: unknown;
  scheduled_for: Date | null;
  run_at: Date;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  duration_ms: number | null;
  log_seq: number;
  event_name?: string | null;
}) {
  return {
    ...(r.event_name != null ? { eventName: r.event_name } : {}),
    id: r.id,
    eventId: r.event_id,
    ownerId: r.owner_id,
    workflowRunId: r.workflow_run_id,
    status: r.status,
    trigger: r.trigger,
    attempt: r.attempt,
    maxAttempts: r.max_attempts,
    exitCode: r.exit_code,
    error: r.error,
    input: r.input,
    // Masked only when the attempt ends (the runtime API that stores it has no secrets).
    output: isFinalRunStatus(r.status) ? r.output : null,
    condition: r.condition,
    result: r.result,
    scheduledFor: r.scheduled_for,
    runAt: r.run_at,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: r.duration_ms,
    lastLogSeq: r.log_seq,
  };
}
export type RunView = ReturnType<typeof runView>;

const RUN_COLUMNS = [
  'id',
  'event_id',
  'owner_id',
  'workflow_run_id',
  'status',
  'trigger',
  'attempt',
  'max_attempts',
  'exit_code',
  'error',
  'input',
  'output',
  'condition',
  'result',
  'scheduled_for',
  'run_at',
  'created_at',
  'started_at',
  'finished_at',
  'duration_ms',
  'log_seq',
] as const;
/** The run's event's name, for lists and the run page (one primary-key probe per run). */
const EVENT_NAME = sql<string | null>`(SELECT name FROM events WHERE events.id = runs.event_id)`.as(
  'event_name',
);

/**
 * Triggers a run of the event now, or at `runAt` (it waits as `scheduled` until then), with an
 * input value (any JSON). For `allow` and `queue` events, and for every run for a later time,
 * the ownership check, the insert and the audit entry are one statement.
 */
export async function triggerEventRun(
  db: Db,
  principal: Principal,
  eventId: number,
  input: unknown,
  meta: RequestMeta,
  runAt?: Date,
): Promise<{ run: RunView | null; outcome: string; reason?: string }> {
  let result;
  try {
    result = await triggerRun(
      db,
      eventId,
      { trigger: 'manual', input: input ?? null, ...(runAt ? { runAt } : {}) },
      {
        ownerId: visibleOwner(principal),
        audit: auditActor(principal, meta),
      },
    );
  } catch (error) {
    if (error instanceof EventNotFoundError) throw new AppError('NOT_FOUND', `no event ${eventId}`);
    throw error;
  }
  if (result.outcome !== 'enqueued')
    return { run: null, outcome: result.outcome, reason: result.reason };
  // The run as inserted: a new run has no per-server results yet.
  const run = { ...runView(result.run), targets: [] };
  return { run, outcome: 'enqueued' };
}

async function ownedRun(db: Db, principal: Principal, runId: number) {
  const row = await db
    .selectFrom('runs')
    .select(RUN_COLUMNS)
    .select(EVENT_NAME)
    .where('id', '=', runId)
    .executeTakeFirst();
  if (!row || !maySeeOwnedBy(principal, row.owner_id))
    throw new AppError('NOT_FOUND', `no run ${runId}`);
  return row;
}

/** A run with its per-server results (SSH runs on several servers). */
export async function readRun(db: Db, principal: Principal, runId: number) {
  const row = await ownedRun(db, principal, runId);
  const targets = await db
    .selectFrom('run_targets')
    .select(['server_id', 'attempt', 'status', 'exit_code', 'error', 'started_at', 'finished_at'])
    .where('run_id', '=', runId)
    .orderBy('attempt')
    .orderBy('server_id')
    .execute();
  return {
    ...runView(row),
    targets: targets.map((t) => ({
      serverId: t.server_id,
      attempt: t.attempt,
      status: t.status,
      exitCode: t.exit_code,
      error: t.error,
      startedAt: t.started_at,
      finishedAt: t.finished_at,
    })),
  };
}

export interface RunFilter {
  eventId?: number;
  status?: string;
  from?: Date;
  to?: Date;
  before?: number;
  limit?: number;
}

export async function listRuns(db: Db, principal: Principal, filter: RunFilter) {
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
  let query = db
    .selectFrom('runs')
    .select(RUN_COLUMNS)
    .select(EVENT_NAME)
    .orderBy('id', 'desc')
    .limit(limit + 1);
  const owner = visibleOwner(principal);
  if (owner !== undefined) query = query.where('owner_id', '=', owner);
  if (filter.eventId) query = query.where('event_id', '=', filter.eventId);
  if (filter.status) query = query.where('status', '=', filter.status as never);
  if (filter.from) query = query.where('created_at', '>=', filter.from);
  if (filter.to) query = query.where('created_at', '<', filter.to);
  if (filter.before) query = query.where('id', '<', filter.before);
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  return { runs: page.map(runView), nextBefore: rows.length > limit ? page.at(-1)!.id : null };
}

/** Log lines after a sequence number (stored and masked), in order. */
/** Characters of log text one page carries at most (a single longer line still comes whole). */
export const LOG_PAGE_BYTES = 1_048_576;

export async function readRunLogLines(
  db: Db,
  principal: Principal,
  runId: number,
  afterSeq: number,
  limit: number,
) {
  await ownedRun(db, principal, runId);
  // Read in small batches until the page holds `limit` lines or LOG_PAGE_BYTES characters,
  // whichever comes first (always at least one line): lines can be long, and a page of 5,000
  // of them must not cost the web process hundreds of MB (review M3).
  const wanted = Math.min(Math.max(limit, 1), 5_000);
  const lines: Awaited<ReturnType<typeof readRunLogs>> = [];
  let size = 0;
  for (let after = afterSeq; lines.length < wanted && size < LOG_PAGE_BYTES;) {
    const batch = await readRunLogs(db, runId, after, Math.min(wanted - lines.length, 200));
    for (const line of batch) {
      if (lines.length > 0 && size + line.data.length > LOG_PAGE_BYTES) {
        size = LOG_PAGE_BYTES;
        break;
      }
      lines.push(line);
      size += line.data.length;
    }
    if (batch.length === 0 || size >= LOG_PAGE_BYTES) break;
    after = batch.at(-1)!.seq;
  }
  return lines.map((l) => ({
    seq: l.seq,
    attempt: l.attempt,
    stream: l.stream,
    serverId: l.server_id,
    at: l.logged_at,
    text: l.data,
  }));
}

export async function cancelRun(db: Db, principal: Principal, runId: number, meta: RequestMeta) {
  await ownedRun(db, principal, runId);
  const cancelled = await requestCancel(db, runId, `cancelled by user ${principal.userId}`);
  if (!cancelled) throw new AppError('CONFLICT', `run ${runId} has already finished`);
  await auditAction(db, principal, meta, {
    action: 'run.cancel',
    targetType: 'run',
    targetId: String(runId),
  });
  return readRun(db, principal, runId);
}

/** The event's schedule ledger: every due slot and what became of it, newest first. */
export async function listScheduleTicks(
  db: Db,
  principal: Principal,
  eventId: number,
  limit: number,
) {
  await ownedEvent(db, principal, eventId);
  return scheduleTicks(db, 'event_id', eventId, limit, (r) => ({ runId: r.run_id }));
}
