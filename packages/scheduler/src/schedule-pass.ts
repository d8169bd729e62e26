import { sql, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { Database } from '@cronium/db';
import { CHANNELS, enqueueRun, startWorkflowRunIn, type EventRow } from '@cronium/run-queue';
import {
  accountSchedule,
  NEVER,
  type AccountingOptions,
  type EnqueuedRun,
  type Schedule,
} from './schedule-accounting.ts';

export { OWNER_DISABLED_REASON, type EnqueuedRun } from './schedule-accounting.ts';

export interface SchedulePassOptions extends AccountingOptions {
  /** A slot older than this when it is seen counts as missed (downtime, pause). */
  misfireThresholdMs: number;
  /** Schedules handled per transaction. */
  batchSize?: number;
  /** Slots accounted per schedule per pass; the rest wait for the next pass. */
  maxSlotsPerEvent?: number;
  /**
   * How far back missed slots are listed one by one. Older ones (a long outage of a
   * per-second schedule would mean millions) are summarised in one ledger row.
   */
  ledgerWindowMs?: number;
  /**
   * Slots due within this many milliseconds after `now` are accounted in this pass already,
   * their runs queued to become claimable at the slot (`run_at`), so the pass's own round
   * trips are not part of a run's start latency. 0 (the default): only slots due by `now`.
   */
  leadMs?: number;
}

export interface SchedulePassResult {
  events: number;
  ticks: number;
  enqueued: number;
  runs: EnqueuedRun[];
}

function eventSchedule(event: EventRow & { owner_active: SqlBool }): Schedule {
  return {
    target: 'event',
    id: event.id,
    ownerId: event.owner_id,
    ownerActive: Boolean(event.owner_active),
    cron: event.schedule_cron!,
    timezone: event.schedule_timezone,
    startsAt: event.schedule_starts_at,
    endsAt: event.schedule_ends_at,
    cursor: event.schedule_cursor,
    nextAt: event.schedule_next_at,
    misfirePolicy: event.misfire_policy,
    misfireMaxCatchup: event.misfire_max_catchup,
    async start(trx, slot) {
      const result = await enqueueRun(trx, event, {
        trigger: 'schedule',
        scheduledFor: slot.at,
        tickId: slot.tickId,
        ...(slot.runAt ? { runAt: slot.runAt } : {}),
      });
      if (result.outcome !== 'enqueued') return { skipped: result.reason };
      return { runs: [{ runId: result.runId, ownerId: event.owner_id }] };
    },
  };
}

interface WorkflowScheduleRow {
  id: number;
  owner_id: number;
  owner_active: SqlBool;
  schedule_cron: string | null;
  schedule_timezone: string;
  schedule_cursor: Date | null;
  schedule_next_at: Date | null;
  misfire_policy: Schedule['misfirePolicy'];
  misfire_max_catchup: number;
}

function workflowSchedule(workflow: WorkflowScheduleRow): Schedule {
  const ownerId = Number(workflow.owner_id);
  return {
    target: 'workflow',
    id: Number(workflow.id),
    ownerId,
    ownerActive: Boolean(workflow.owner_active),
    cron: workflow.schedule_cron!,
    timezone: workflow.schedule_timezone,
    startsAt: null,
    endsAt: null,
    cursor: workflow.schedule_cursor,
    nextAt: workflow.schedule_next_at,
    misfirePolicy: workflow.misfire_policy,
    misfireMaxCatchup: workflow.misfire_max_catchup,
    async start(trx, slot) {
      const result = await startWorkflowRunIn(trx, Number(workflow.id), {
        trigger: 'schedule',
        slot: { scheduledFor: slot.at, ...(slot.runAt ? { runAt: slot.runAt } : {}) },
      });
      if (result.outcome !== 'started') return { skipped: result.reason };
      await trx
        .updateTable('schedule_ticks')
        .set({ workflow_run_id: result.workflowRunId })
        .where('id', '=', slot.tickId)
        .execute();
      return { runs: result.queuedRunIds.map((runId) => ({ runId, ownerId })) };
    },
  };
}

/** `users.status = 'active'` for the row's owner, as `owner_active`. */
const ownerActive = (table: 'events' | 'workflows') =>
  sql<SqlBool>`EXISTS (SELECT 1 FROM users u WHERE u.id = ${sql.ref(`${table}.owner_id`)} AND u.status = 'active')`.as(
    'owner_active',
  );

/** Due schedules of one table, locked (SKIP LOCKED: replicas share the work). */
async function dueSchedules(
  trx: Transaction<Database>,
  table: 'events' | 'workflows',
  options: SchedulePassOptions,
): Promise<Schedule[]> {
  const horizon = new Date(options.now.getTime() + (options.leadMs ?? 0));
  const limit = options.batchSize ?? 50;
  if (table === 'events') {
    const events = await trx
      .selectFrom('events')
      .selectAll('events')
      .select(ownerActive('events'))
      .where('status', '=', 'active')
      .where('schedule_cron', 'is not', null)
      .where((eb) =>
        eb.or([eb('schedule_next_at', 'is', null), eb('schedule_next_at', '<=', horizon)]),
      )
      .orderBy(sql`schedule_next_at NULLS FIRST`)
      .limit(limit)
      .forUpdate('events')
      .skipLocked()
      .execute();
    return events.map(eventSchedule);
  }
  const workflows = await trx
    .selectFrom('workflows')
    .select([
      'id',
      'owner_id',
      'schedule_cron',
      'schedule_timezone',
      'schedule_cursor',
      'schedule_next_at',
      'misfire_policy',
      'misfire_max_catchup',
    ])
    .select(ownerActive('workflows'))
    .where('status', '=', 'active')
    .where('schedule_cron', 'is not', null)
    .where((eb) =>
      eb.or([eb('schedule_next_at', 'is', null), eb('schedule_next_at', '<=', horizon)]),
    )
    .orderBy(sql`schedule_next_at NULLS FIRST`)
    .limit(limit)
    .forUpdate('workflows')
    .skipLocked()
    .execute();
  return workflows.map(workflowSchedule);
}

/**
 * One pass of the scheduler: takes the active schedules that are due (or not computed yet),
 * events' and workflows', locked with SKIP LOCKED so replicas share the work without
 * overlap, and accounts every slot between each one's cursor and now in the tick ledger
 * (unique per schedule and slot), creating runs in the same transaction. Safe to run on
 * several orchestrators at once, and against a clock that steps backwards (the cursor never
 * moves back).
 */
export async function runSchedulePass(
  db: Kysely<Database>,
  options: SchedulePassOptions,
): Promise<SchedulePassResult> {
  const total: SchedulePassResult = { events: 0, ticks: 0, enqueued: 0, runs: [] };
  for (const table of ['events', 'workflows'] as const)
    for (;;) {
      const batch = await db.transaction().execute(async (trx) => {
        const schedules = await dueSchedules(trx, table, options);
        let ticks = 0;
        let enqueued = 0;
        const runs: EnqueuedRun[] = [];
        for (const schedule of schedules) {
          const r = await accountSchedule(trx, schedule, options);
          ticks += r.ticks;
          enqueued += r.enqueued;
          runs.push(...r.runs);
        }
        return { schedules: schedules.length, ticks, enqueued, runs };
      });
      total.events += batch.schedules;
      total.runs.push(...batch.runs);
      total.ticks += batch.ticks;
      total.enqueued += batch.enqueued;
      if (batch.schedules < (options.batchSize ?? 50)) break;
    }
  return total;
}

/** When the earliest active schedule (an event's or a workflow's) is next due. */
export async function nextScheduleDue(db: Kysely<Database>): Promise<Date | undefined> {
  const { rows } = await sql<{ next: Date | null; unset: boolean }>`
    SELECT min(next) AS next, bool_or(next IS NULL) AS unset FROM (
      SELECT schedule_next_at AS next FROM events WHERE status = 'active' AND schedule_cron IS NOT NULL
      UNION ALL
      SELECT schedule_next_at FROM workflows WHERE status = 'active' AND schedule_cron IS NOT NULL
    ) s`.execute(db);
  const row = rows[0];
  if (row?.unset) return new Date(0);
  return row?.next ? new Date(row.next) : undefined;
}

/**
 * An enabled user's parked schedules start again from now: the slots that passed while the
 * user was disabled are not run late (they were decided: "owner disabled"). Only parked ones
 * (those with no next slot) are touched, so enabling a user who was active moves no cursor; a
 * schedule parked for another reason (invalid, ended) is evaluated again and parked again.
 */
export async function resumeOwnerSchedules(
  trx: Kysely<Database> | Transaction<Database>,
  ownerId: number,
  now: Date,
): Promise<void> {
  for (const table of ['events', 'workflows'] as const)
    await sql`
      UPDATE ${sql.table(table)} SET schedule_cursor = ${now}, schedule_next_at = NULL
      WHERE owner_id = ${ownerId} AND schedule_cron IS NOT NULL AND schedule_next_at = ${NEVER}`.execute(
      trx,
    );
  await sql`SELECT pg_notify(${CHANNELS.scheduleChanged}, ${String(ownerId)})`.execute(trx);
}
