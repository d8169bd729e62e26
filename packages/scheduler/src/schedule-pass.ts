import { sql, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { Database } from '@cronium/db';
import type { TickOutcome } from '@cronium/contracts';
import { CHANNELS, enqueueRun, type EventRow } from '@cronium/run-queue';
import { CronSchedule, InvalidScheduleError, type ScheduleSlot } from './cron-schedule.ts';

/** Where `schedule_next_at` points for a schedule that will not fire again. */
const NEVER = new Date('9999-12-31T00:00:00Z');

export interface SchedulePassOptions {
  now: Date;
  /** A slot older than this when it is seen counts as missed (downtime, pause). */
  misfireThresholdMs: number;
  /** Events handled per transaction. */
  batchSize?: number;
  /** Slots accounted per event per pass; the rest wait for the next pass. */
  maxSlotsPerEvent?: number;
  /**
   * How far back missed slots are listed one by one. Older ones (a long outage of a
   * per-second schedule would mean millions) are summarised in one ledger row.
   */
  ledgerWindowMs?: number;
  onInvalidSchedule?: (eventId: number, error: InvalidScheduleError) => void;
  /**
   * Slots due within this many milliseconds after `now` are accounted in this pass already,
   * their runs queued to become claimable at the slot (`run_at`), so the pass's own round
   * trips are not part of a run's start latency. 0 (the default): only slots due by `now`.
   */
  leadMs?: number;
}

/** A run a pass created, for telling live viewers it is queued. */
export interface EnqueuedRun {
  runId: number;
  ownerId: number;
  /** When the run becomes claimable: its slot, or now for a slot already past. */
  runAt: Date;
}

export interface SchedulePassResult {
  events: number;
  ticks: number;
  enqueued: number;
  runs: EnqueuedRun[];
}

interface PlannedTick {
  slot: ScheduleSlot;
  action: 'enqueue' | TickOutcome;
  reason: string | null;
}

/** Applies the misfire policy to slots that passed unseen, then lists every slot's fate. */
function planTicks(
  event: EventRow,
  slots: ScheduleSlot[],
  now: Date,
  thresholdMs: number,
): PlannedTick[] {
  const missed = slots.filter((s) => s.at.getTime() < now.getTime() - thresholdMs);
  const due = slots.slice(missed.length);
  const plan: PlannedTick[] = [];
  const absent = 'missed: the schedule was paused or no orchestrator was running';
  missed.forEach((slot, index) => {
    if (event.misfire_policy === 'none') {
      plan.push({ slot, action: 'missed_downtime', reason: `${absent} (misfire policy none)` });
    } else if (event.misfire_policy === 'last') {
      plan.push(
        index === missed.length - 1
          ? {
              slot,
              action: 'enqueue',
              reason: `late: ran once for ${missed.length} missed slot(s) (misfire policy last)`,
            }
          : {
              slot,
              action: 'missed_downtime',
              reason: `${absent} (misfire policy last runs only the latest)`,
            },
      );
    } else {
      plan.push(
        index < event.misfire_max_catchup
          ? { slot, action: 'enqueue', reason: 'late: caught up (misfire policy all)' }
          : {
              slot,
              action: 'skipped_misfire_cap',
              reason: `${absent}; misfire policy all catches up at most ${event.misfire_max_catchup} slots`,
            },
      );
    }
  });
  for (const slot of due) plan.push({ slot, action: 'enqueue', reason: null });
  return plan;
}

/** Why the schedule of a disabled user's event is parked, in its one ledger row. */
export const OWNER_DISABLED_REASON =
  'owner disabled: this schedule does not fire while its owner is disabled';

/**
 * A disabled owner's schedule creates no run: one ledger row says so, and the schedule is
 * parked (not due again), so a per-second schedule of a departed user does not write a row
 * a second. Enabling the user resumes it from that moment (`resumeOwnerSchedules`).
 */
async function parkForDisabledOwner(
  trx: Transaction<Database>,
  event: EventRow,
  now: Date,
): Promise<number> {
  const inserted = await trx
    .insertInto('schedule_ticks')
    .values({
      event_id: event.id,
      slot: event.schedule_next_at && event.schedule_next_at < now ? event.schedule_next_at : now,
      outcome: 'skipped_paused',
      reason: OWNER_DISABLED_REASON,
    })
    .onConflict((oc) => oc.columns(['event_id', 'slot']).doNothing())
    .returning('id')
    .executeTakeFirst();
  await trx
    .updateTable('events')
    .set({ schedule_cursor: now, schedule_next_at: NEVER })
    .where('id', '=', event.id)
    .execute();
  return inserted ? 1 : 0;
}

async function accountEvent(
  trx: Transaction<Database>,
  event: EventRow & { owner_active: SqlBool },
  options: SchedulePassOptions,
): Promise<{ ticks: number; enqueued: number; runs: EnqueuedRun[] }> {
  const now = options.now;
  if (!event.owner_active)
    return { ticks: await parkForDisabledOwner(trx, event, now), enqueued: 0, runs: [] };
  let schedule: CronSchedule;
  try {
    schedule = new CronSchedule(event.schedule_cron!, event.schedule_timezone);
  } catch (error) {
    if (!(error instanceof InvalidScheduleError)) throw error;
    options.onInvalidSchedule?.(event.id, error);
    await trx
      .updateTable('events')
      .set({ schedule_next_at: NEVER })
      .where('id', '=', event.id)
      .execute();
    return { ticks: 0, enqueued: 0, runs: [] };
  }
  const startsAt = event.schedule_starts_at;
  const endsAt = event.schedule_ends_at;
  // A schedule seen for the first time starts now: it does not backfill its past.
  let cursor = event.schedule_cursor ?? now;
  if (startsAt && startsAt.getTime() > cursor.getTime()) cursor = new Date(startsAt.getTime() - 1);
  const horizon = new Date(now.getTime() + (options.leadMs ?? 0));
  const until = endsAt && endsAt.getTime() < horizon.getTime() ? endsAt : horizon;
  let ticks = 0;
  const windowStart = new Date(until.getTime() - (options.ledgerWindowMs ?? 24 * 3600e3));
  if (cursor.getTime() < windowStart.getTime()) {
    const first = schedule.nextAfter(cursor);
    if (first && first.at.getTime() <= windowStart.getTime()) {
      const inserted = await trx
        .insertInto('schedule_ticks')
        .values({
          event_id: event.id,
          slot: first.at,
          outcome: 'missed_downtime',
          reason: `every slot from ${first.at.toISOString()} to ${windowStart.toISOString()} was missed (paused or no orchestrator running); older than the ledger window, so summarised in this one row`,
        })
        .onConflict((oc) => oc.columns(['event_id', 'slot']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted) ticks += 1;
    }
    cursor = windowStart;
  }
  // The whole outage within the ledger window is planned at once, so a misfire policy
  // ("last", "all" with its cap) applies to the outage, not to a chunk of it.
  const limit = options.maxSlotsPerEvent ?? 100_000;
  const slots =
    until.getTime() > cursor.getTime() ? schedule.slotsBetween(cursor, until, limit) : [];
  const truncated = slots.length === limit;
  const plan = planTicks(event, slots, now, options.misfireThresholdMs).map((planned) => ({
    ...planned,
    reason: [planned.reason, planned.slot.dstShift].filter(Boolean).join('; ') || null,
  }));

  // Slots that create no run are written in one statement, however many there are.
  const accountedOnly = plan.filter((p) => p.action !== 'enqueue');
  for (let k = 0; k < accountedOnly.length; k += 5_000) {
    const chunk = accountedOnly.slice(k, k + 5_000);
    const written = await sql<{ n: number }>`
      WITH written AS (
        INSERT INTO schedule_ticks (event_id, slot, outcome, reason)
        SELECT ${event.id}, slot, outcome, reason
        FROM unnest(${chunk.map((p) => p.slot.at.toISOString())}::timestamptz[], ${chunk.map((p) => p.action)}::text[],
                    ${chunk.map((p) => p.reason)}::text[]) AS t(slot, outcome, reason)
        ON CONFLICT (event_id, slot) DO NOTHING
        RETURNING 1
      )
      SELECT count(*)::int AS n FROM written`.execute(trx);
    ticks += written.rows[0]?.n ?? 0;
  }

  let enqueued = 0;
  const runs: EnqueuedRun[] = [];
  for (const planned of plan.filter((p) => p.action === 'enqueue')) {
    const reason = planned.reason;
    const inserted = await trx
      .insertInto('schedule_ticks')
      .values({ event_id: event.id, slot: planned.slot.at, outcome: 'enqueued', reason })
      .onConflict((oc) => oc.columns(['event_id', 'slot']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) continue; // already accounted by an earlier pass
    ticks += 1;
    // A slot still ahead (within the lead) becomes claimable at its time, not before.
    const ahead = planned.slot.at.getTime() > now.getTime();
    const result = await enqueueRun(trx, event, {
      trigger: 'schedule',
      scheduledFor: planned.slot.at,
      tickId: inserted.id,
      ...(ahead ? { runAt: planned.slot.at } : {}),
    });
    if (result.outcome === 'enqueued') {
      enqueued += 1;
      runs.push({
        runId: result.runId,
        ownerId: event.owner_id,
        runAt: ahead ? planned.slot.at : now,
      });
    } else {
      await trx
        .updateTable('schedule_ticks')
        .set({
          outcome: 'skipped_overlap',
          reason: [result.reason, reason].filter(Boolean).join('; '),
        })
        .where('id', '=', inserted.id)
        .execute();
    }
  }

  const newCursor = truncated
    ? slots[slots.length - 1]!.at
    : new Date(Math.max(cursor.getTime(), until.getTime()));
  const next = truncated ? now : schedule.nextAfter(newCursor)?.at;
  const nextAt = !next || (endsAt && next.getTime() > endsAt.getTime()) ? NEVER : next;
  await trx
    .updateTable('events')
    .set({ schedule_cursor: newCursor, schedule_next_at: nextAt })
    .where('id', '=', event.id)
    .execute();
  return { ticks, enqueued, runs };
}

/**
 * One pass of the scheduler: takes the active schedules that are due (or not computed yet),
 * locked with SKIP LOCKED so replicas share the work without overlap, and accounts every
 * slot between each event's cursor and now in the tick ledger (unique per event and slot),
 * creating runs in the same transaction. Safe to run on several orchestrators at once, and
 * against a clock that steps backwards (the cursor never moves back).
 */
export async function runSchedulePass(
  db: Kysely<Database>,
  options: SchedulePassOptions,
): Promise<SchedulePassResult> {
  const total: SchedulePassResult = { events: 0, ticks: 0, enqueued: 0, runs: [] };
  for (;;) {
    const batch = await db.transaction().execute(async (trx) => {
      const events = await trx
        .selectFrom('events')
        .selectAll('events')
        .select((eb) =>
          eb
            .exists(
              eb
                .selectFrom('users')
                .select('users.id')
                .whereRef('users.id', '=', 'events.owner_id')
                .where('users.status', '=', 'active'),
            )
            .as('owner_active'),
        )
        .where('status', '=', 'active')
        .where('schedule_cron', 'is not', null)
        .where((eb) =>
          eb.or([
            eb('schedule_next_at', 'is', null),
            eb('schedule_next_at', '<=', new Date(options.now.getTime() + (options.leadMs ?? 0))),
          ]),
        )
        .orderBy(sql`schedule_next_at NULLS FIRST`)
        .limit(options.batchSize ?? 50)
        .forUpdate('events')
        .skipLocked()
        .execute();
      let ticks = 0;
      let enqueued = 0;
      const runs: EnqueuedRun[] = [];
      for (const event of events) {
        const r = await accountEvent(trx, event, options);
        ticks += r.ticks;
        enqueued += r.enqueued;
        runs.push(...r.runs);
      }
      return { events: events.length, ticks, enqueued, runs };
    });
    total.events += batch.events;
    total.runs.push(...batch.runs);
    total.ticks += batch.ticks;
    total.enqueued += batch.enqueued;
    if (batch.events < (options.batchSize ?? 50)) return total;
  }
}

/** When the earliest active schedule is next due, to sleep until then. */
export async function nextScheduleDue(db: Kysely<Database>): Promise<Date | undefined> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.min('schedule_next_at').as('next'))
    .where('status', '=', 'active')
    .where('schedule_cron', 'is not', null)
    .executeTakeFirst();
  const unset = await db
    .selectFrom('events')
    .select('id')
    .where('status', '=', 'active')
    .where('schedule_cron', 'is not', null)
    .where('schedule_next_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  if (unset) return new Date(0);
  return row?.next ? new Date(row.next as Date) : undefined;
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
  await trx
    .updateTable('events')
    .set({ schedule_cursor: now, schedule_next_at: null })
    .where('owner_id', '=', ownerId)
    .where('schedule_cron', 'is not', null)
    .where('schedule_next_at', '=', NEVER)
    .execute();
  await sql`SELECT pg_notify(${CHANNELS.scheduleChanged}, ${String(ownerId)})`.execute(trx);
}
