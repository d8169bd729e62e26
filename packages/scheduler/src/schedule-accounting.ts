import { sql, type Transaction } from 'kysely';
import type { Database } from '@cronium/db';
import type { MisfirePolicy, TickOutcome } from '@cronium/contracts';
import { CronSchedule, InvalidScheduleError, type ScheduleSlot } from './cron-schedule.ts';

/** Where `schedule_next_at` points for a schedule that will not fire again. */
export const NEVER = new Date('9999-12-31T00:00:00Z');

/** Why the schedule of a disabled user's event is parked, in its one ledger row. */
export const OWNER_DISABLED_REASON =
  'owner disabled: this schedule does not fire while its owner is disabled';

/** A run a pass created, for telling live viewers it is queued. */
export interface EnqueuedRun {
  runId: number;
  ownerId: number;
  /** When the run becomes claimable: its slot, or now for a slot already past. */
  runAt: Date;
}

export interface AccountingOptions {
  now: Date;
  misfireThresholdMs: number;
  maxSlotsPerEvent?: number;
  ledgerWindowMs?: number;
  leadMs?: number;
  onInvalidSchedule?: (eventId: number, error: InvalidScheduleError) => void;
}

/**
 * One schedule as a pass accounts it: an event's or a workflow's (the same cron, ledger and
 * misfire policy), locked by the pass's transaction. `start` queues what one slot starts (an
 * event's run, or a workflow run and its root nodes' runs) and links the ledger row to it, or
 * says why the target's concurrency policy refused.
 */
export interface Schedule {
  target: 'event' | 'workflow';
  id: number;
  ownerId: number;
  ownerActive: boolean;
  cron: string;
  timezone: string;
  startsAt: Date | null;
  endsAt: Date | null;
  cursor: Date | null;
  nextAt: Date | null;
  misfirePolicy: MisfirePolicy;
  misfireMaxCatchup: number;
  start(
    trx: Transaction<Database>,
    slot: { at: Date; tickId: number; runAt: Date | undefined },
  ): Promise<{ runs: Omit<EnqueuedRun, 'runAt'>[] } | { skipped: string }>;
}

interface PlannedTick {
  slot: ScheduleSlot;
  action: 'enqueue' | TickOutcome;
  reason: string | null;
}

/** Applies the misfire policy to slots that passed unseen, then lists every slot's fate. */
function planTicks(
  schedule: Schedule,
  slots: ScheduleSlot[],
  now: Date,
  thresholdMs: number,
): PlannedTick[] {
  const missed = slots.filter((s) => s.at.getTime() < now.getTime() - thresholdMs);
  const due = slots.slice(missed.length);
  const plan: PlannedTick[] = [];
  const absent = 'missed: the schedule was paused or no orchestrator was running';
  missed.forEach((slot, index) => {
    if (schedule.misfirePolicy === 'none') {
      plan.push({ slot, action: 'missed_downtime', reason: `${absent} (misfire policy none)` });
    } else if (schedule.misfirePolicy === 'last') {
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
        index < schedule.misfireMaxCatchup
          ? { slot, action: 'enqueue', reason: 'late: caught up (misfire policy all)' }
          : {
              slot,
              action: 'skipped_misfire_cap',
              reason: `${absent}; misfire policy all catches up at most ${schedule.misfireMaxCatchup} slots`,
            },
      );
    }
  });
  for (const slot of due) plan.push({ slot, action: 'enqueue', reason: null });
  return plan;
}

const tableOf = (schedule: Schedule) => (schedule.target === 'event' ? 'events' : 'workflows');
const columnOf = (schedule: Schedule) => (schedule.target === 'event' ? 'event_id' : 'workflow_id');

/** Ledger rows for slots (once per schedule and slot); the ids of those written now. */
async function writeTicks(
  trx: Transaction<Database>,
  schedule: Schedule,
  ticks: { at: Date; outcome: TickOutcome; reason: string | null }[],
): Promise<(number | undefined)[]> {
  if (ticks.length === 0) return [];
  const column = sql.ref(columnOf(schedule));
  const written = await sql<{ id: number; slot: Date }>`
    INSERT INTO schedule_ticks (${column}, slot, outcome, reason)
    SELECT ${schedule.id}, slot, outcome, reason
    FROM unnest(${ticks.map((t) => t.at.toISOString())}::timestamptz[], ${ticks.map((t) => t.outcome)}::text[],
                ${ticks.map((t) => t.reason)}::text[]) AS t(slot, outcome, reason)
    ON CONFLICT (${column}, slot) DO NOTHING
    RETURNING id, slot`.execute(trx);
  const bySlot = new Map(written.rows.map((r) => [new Date(r.slot).getTime(), Number(r.id)]));
  return ticks.map((t) => bySlot.get(t.at.getTime()));
}

async function moveCursor(
  trx: Transaction<Database>,
  schedule: Schedule,
  set: { cursor?: Date; nextAt: Date | null },
): Promise<void> {
  await sql`
    UPDATE ${sql.table(tableOf(schedule))}
    SET schedule_cursor = coalesce(${set.cursor ?? null}::timestamptz, schedule_cursor),
        schedule_next_at = ${set.nextAt}::timestamptz
    WHERE id = ${schedule.id}`.execute(trx);
}

/**
 * A disabled owner's schedule creates no run: one ledger row says so, and the schedule is
 * parked (not due again), so a per-second schedule of a departed user does not write a row
 * a second. Enabling the user resumes it from that moment (`resumeOwnerSchedules`).
 */
async function parkForDisabledOwner(
  trx: Transaction<Database>,
  schedule: Schedule,
  now: Date,
): Promise<number> {
  const at = schedule.nextAt && schedule.nextAt < now ? schedule.nextAt : now;
  const [id] = await writeTicks(trx, schedule, [
    { at, outcome: 'skipped_paused', reason: OWNER_DISABLED_REASON },
  ]);
  await moveCursor(trx, schedule, { cursor: now, nextAt: NEVER });
  return id === undefined ? 0 : 1;
}

/**
 * Accounts every slot of one schedule between its cursor and now (plus the lead) in the
 * ledger, and starts what the due ones start, in the pass's transaction.
 */
export async function accountSchedule(
  trx: Transaction<Database>,
  schedule: Schedule,
  options: AccountingOptions,
): Promise<{ ticks: number; enqueued: number; runs: EnqueuedRun[] }> {
  const now = options.now;
  if (!schedule.ownerActive)
    return { ticks: await parkForDisabledOwner(trx, schedule, now), enqueued: 0, runs: [] };
  let cron: CronSchedule;
  try {
    cron = new CronSchedule(schedule.cron, schedule.timezone);
  } catch (error) {
    if (!(error instanceof InvalidScheduleError)) throw error;
    options.onInvalidSchedule?.(schedule.id, error);
    await moveCursor(trx, schedule, { nextAt: NEVER });
    return { ticks: 0, enqueued: 0, runs: [] };
  }
  // A schedule seen for the first time starts now: it does not backfill its past.
  let cursor = schedule.cursor ?? now;
  if (schedule.startsAt && schedule.startsAt.getTime() > cursor.getTime())
    cursor = new Date(schedule.startsAt.getTime() - 1);
  const horizon = new Date(now.getTime() + (options.leadMs ?? 0));
  const endsAt = schedule.endsAt;
  const until = endsAt && endsAt.getTime() < horizon.getTime() ? endsAt : horizon;
  let ticks = 0;
  const windowStart = new Date(until.getTime() - (options.ledgerWindowMs ?? 24 * 3600e3));
  if (cursor.getTime() < windowStart.getTime()) {
    const first = cron.nextAfter(cursor);
    if (first && first.at.getTime() <= windowStart.getTime()) {
      const [id] = await writeTicks(trx, schedule, [
        {
          at: first.at,
          outcome: 'missed_downtime',
          reason: `every slot from ${first.at.toISOString()} to ${windowStart.toISOString()} was missed (paused or no orchestrator running); older than the ledger window, so summarised in this one row`,
        },
      ]);
      if (id !== undefined) ticks += 1;
    }
    cursor = windowStart;
  }
  // The whole outage within the ledger window is planned at once, so a misfire policy
  // ("last", "all" with its cap) applies to the outage, not to a chunk of it.
  const limit = options.maxSlotsPerEvent ?? 100_000;
  const slots = until.getTime() > cursor.getTime() ? cron.slotsBetween(cursor, until, limit) : [];
  const truncated = slots.length === limit;
  const plan = planTicks(schedule, slots, now, options.misfireThresholdMs).map((planned) => ({
    ...planned,
    reason: [planned.reason, planned.slot.dstShift].filter(Boolean).join('; ') || null,
  }));

  // Slots that create no run are written in one statement per 5,000, however many there are.
  const accountedOnly = plan.filter((p) => p.action !== 'enqueue');
  for (let k = 0; k < accountedOnly.length; k += 5_000) {
    const chunk = accountedOnly.slice(k, k + 5_000);
    const ids = await writeTicks(
      trx,
      schedule,
      chunk.map((p) => ({ at: p.slot.at, outcome: p.action as TickOutcome, reason: p.reason })),
    );
    ticks += ids.filter((id) => id !== undefined).length;
  }

  let enqueued = 0;
  const runs: EnqueuedRun[] = [];
  for (const planned of plan.filter((p) => p.action === 'enqueue')) {
    const [tickId] = await writeTicks(trx, schedule, [
      { at: planned.slot.at, outcome: 'enqueued', reason: planned.reason },
    ]);
    if (tickId === undefined) continue; // already accounted by an earlier pass
    ticks += 1;
    // A slot still ahead (within the lead) becomes claimable at its time, not before.
    const ahead = planned.slot.at.getTime() > now.getTime();
    const started = await schedule.start(trx, {
      at: planned.slot.at,
      tickId,
      runAt: ahead ? planned.slot.at : undefined,
    });
    if ('runs' in started) {
      enqueued += 1;
      runs.push(...started.runs.map((run) => ({ ...run, runAt: ahead ? planned.slot.at : now })));
    } else {
      await trx
        .updateTable('schedule_ticks')
        .set({
          outcome: 'skipped_overlap',
          reason: [started.skipped, planned.reason].filter(Boolean).join('; '),
        })
        .where('id', '=', tickId)
        .execute();
    }
  }

  const newCursor = truncated
    ? slots[slots.length - 1]!.at
    : new Date(Math.max(cursor.getTime(), until.getTime()));
  const next = truncated ? now : cron.nextAfter(newCursor)?.at;
  const nextAt = !next || (endsAt && next.getTime() > endsAt.getTime()) ? NEVER : next;
  await moveCursor(trx, schedule, { cursor: newCursor, nextAt });
  return { ticks, enqueued, runs };
}
