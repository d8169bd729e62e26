import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '@cronium/db';
import { HELD_STATUSES } from './queue-types.ts';
import {
  CLAIM_RETURNING,
  claimSet,
  inClaimOrder,
  toClaimedRun,
  type ClaimedRow,
  type ClaimedRun,
  type ClaimOptions,
} from './claimed-run.ts';

export type { ClaimedRun, ClaimOptions } from './claimed-run.ts';

// Advisory-lock keys for "claiming runs of event N" and "of owner N": offset so they cannot
// meet each other or other keys.
const EVENT_CLAIM_LOCK_OFFSET = 1_000_000_000_000n;
const OWNER_CLAIM_LOCK_OFFSET = 2_000_000_000_000n;

/**
 * The owners with queued runs, each with how many more runs they may start
 * (`cronium_owner_claim_room`: 0 for an owner who is not active, or whose claim lock another
 * claimer holds). The owners are listed by skipping through the per-owner index (one probe
 * per owner), not by reading every queued run.
 */
function ownersWithRoom(options: ClaimOptions) {
  return sql`
    queued_owners AS (
      (SELECT owner_id FROM runs WHERE status = 'queued' ORDER BY owner_id LIMIT 1)
      UNION ALL
      SELECT (SELECT r.owner_id FROM runs r WHERE r.status = 'queued' AND r.owner_id > q.owner_id
              ORDER BY r.owner_id LIMIT 1)
      FROM queued_owners q WHERE q.owner_id IS NOT NULL
    ), owners AS MATERIALIZED (
      SELECT owner_id, cronium_owner_claim_room(owner_id, ${options.maxRunningPerOwner ?? null}::int,
        ${OWNER_CLAIM_LOCK_OFFSET} + owner_id) AS room
      FROM queued_owners WHERE owner_id IS NOT NULL
    ), fair AS (
      -- Each owner offers about twice its fair share of the claim (at least one run), so
      -- few rows are locked however many owners wait, and the claim is still filled when
      -- some owners have fewer runs than their share.
      SELECT o.owner_id, least(o.room, ${options.limit},
        greatest(ceil(2.0 * ${options.limit} / count(*) OVER ()), 1)::int) AS take, o.room
      FROM owners o WHERE o.room > 0
    )`;
}

/**
 * Orders candidates round-robin by owner: every owner's best run (by priority, then due time)
 * before anyone's second. So an owner with a large backlog, or a high priority, cannot keep
 * another owner's runs waiting; priority orders runs within an owner, and across owners
 * only within the same turn.
 */
const ROUND_ROBIN = sql`ORDER BY turn, priority DESC, run_at, id`;

/**
 * Claims due runs of limited events (every policy but `allow`), fairly by owner, skipping
 * rows other claimers hold (FOR UPDATE SKIP LOCKED). A transaction-scoped advisory lock per
 * event serialises claimers, so the count of held runs read under it is exact and the
 * event's limit cannot be overshot by two orchestrators claiming at the same moment; the
 * owner's lock does the same for the per-owner cap. Each claim starts a new attempt with a
 * fresh lease.
 */
async function claimLimitedRuns(
  db: Kysely<Database>,
  options: ClaimOptions,
): Promise<ClaimedRun[]> {
  return db.transaction().execute(async (trx) => {
    const candidates = await sql<{
      id: number;
      event_id: number;
      owner_id: number;
      room: number;
      max_concurrent_runs: number;
    }>`
      WITH RECURSIVE ${ownersWithRoom(options)}, offered AS (
        SELECT c.*, f.room, row_number() OVER (PARTITION BY c.owner_id ORDER BY c.priority DESC, c.run_at, c.id) AS turn
        FROM fair f CROSS JOIN LATERAL (
          SELECT r.id, r.event_id, r.owner_id, r.priority, r.run_at, e.max_concurrent_runs
          FROM runs r
          -- Looked up per run (OFFSET 0 keeps it a per-row lookup): the owner's index drives,
          -- whatever the planner believes of the events table's size.
          CROSS JOIN LATERAL (SELECT ev.max_concurrent_runs FROM events ev
                              WHERE ev.id = r.event_id AND ev.concurrency_policy <> 'allow' OFFSET 0) e
          WHERE r.owner_id = f.owner_id AND r.status = 'queued' AND r.run_at <= now()
            -- Events already at their limit (as of this snapshot) do not take up the window;
            -- the exact count is read again under the event's lock below.
            AND (SELECT count(*) FROM runs h WHERE h.event_id = r.event_id AND h.status IN ('running', 'cancelling')) < e.max_concurrent_runs
          ORDER BY r.priority DESC, r.run_at, r.id
          LIMIT f.take
          FOR UPDATE OF r SKIP LOCKED
        ) c
      )
      SELECT id, event_id, owner_id, room, max_concurrent_runs FROM offered
      ${ROUND_ROBIN}`.execute(trx);
    if (candidates.rows.length === 0) return [];
    const eventRoom = await lockedEventRoom(trx, candidates.rows);
    const ownerRoom = new Map(candidates.rows.map((c) => [c.owner_id, c.room]));
    const chosen: number[] = [];
    for (const c of candidates.rows) {
      if (chosen.length >= options.limit) break;
      const forEvent = eventRoom.get(c.event_id) ?? 0;
      const forOwner = ownerRoom.get(c.owner_id) ?? 0;
      if (forEvent > 0 && forOwner > 0) {
        chosen.push(c.id);
        eventRoom.set(c.event_id, forEvent - 1);
        ownerRoom.set(c.owner_id, forOwner - 1);
      }
    }
    if (chosen.length === 0) return [];

    const claimed = await sql<ClaimedRow>`
      UPDATE runs r SET ${claimSet(options)}
      FROM events e
      WHERE r.id = ANY(${chosen}::bigint[]) AND e.id = r.event_id
      RETURNING ${CLAIM_RETURNING}`.execute(trx);
    return inClaimOrder(claimed.rows.map((row) => toClaimedRun(row, options.owner)));
  });
}

/** How many more runs each candidate event may start, read under its advisory lock. */
async function lockedEventRoom(
  trx: Transaction<Database>,
  candidates: { event_id: number; max_concurrent_runs: number }[],
): Promise<Map<number, number>> {
  const room = new Map<number, number>();
  const events = [...new Set(candidates.map((c) => c.event_id))];
  const locked = await sql<{ event_id: number; locked: boolean }>`
    SELECT event_id, pg_try_advisory_xact_lock(${EVENT_CLAIM_LOCK_OFFSET} + event_id) AS locked
    FROM unnest(${events}::bigint[]) AS event_id`.execute(trx);
  const lockedIds = locked.rows.filter((r) => r.locked).map((r) => r.event_id);
  if (lockedIds.length === 0) return room;
  const held = await trx
    .selectFrom('runs')
    .select(['event_id', (eb) => eb.fn.countAll<number>().as('held')])
    .where('event_id', 'in', lockedIds)
    .where('status', 'in', HELD_STATUSES)
    .groupBy('event_id')
    .execute();
  const heldBy = new Map(held.map((h) => [h.event_id, Number(h.held)]));
  for (const c of candidates)
    if (lockedIds.includes(c.event_id) && !room.has(c.event_id))
      room.set(c.event_id, c.max_concurrent_runs - (heldBy.get(c.event_id) ?? 0));
  return room;
}

/**
 * Runs of `allow` events need no per-event serialisation: one autocommit statement claims
 * them, fairly by owner and within each owner's cap (the owner locks it takes last until
 * it commits). It also says whether runs of limited events are waiting, so the
 * transactional path runs only when needed.
 */
async function claimUnlimitedRuns(
  db: Kysely<Database>,
  options: ClaimOptions,
): Promise<{ runs: ClaimedRun[]; limitedWaiting: boolean }> {
  const result = await sql<{ runs: ClaimedRow[] | null; limited_waiting: boolean }>`
    WITH RECURSIVE ${ownersWithRoom(options)}, offered AS (
      SELECT c.*, row_number() OVER (PARTITION BY c.owner_id ORDER BY c.priority DESC, c.run_at, c.id) AS turn
      FROM fair f CROSS JOIN LATERAL (
        SELECT r.id, r.owner_id, r.priority, r.run_at FROM runs r
        WHERE r.owner_id = f.owner_id AND r.status = 'queued' AND r.run_at <= now()
          -- A boolean scalar subquery, evaluated per run: the owner's index drives, in claim
          -- order, whatever the planner believes of the events table.
          AND (SELECT e.concurrency_policy = 'allow' FROM events e WHERE e.id = r.event_id)
        ORDER BY r.priority DESC, r.run_at, r.id
        LIMIT f.take
        FOR UPDATE OF r SKIP LOCKED
      ) c
    ), candidates AS (
      SELECT id FROM offered ${ROUND_ROBIN} LIMIT ${options.limit}
    ), claimed AS (
      UPDATE runs r SET ${claimSet(options)}
      FROM candidates c, events e
      WHERE r.id = c.id AND e.id = r.event_id
      RETURNING ${CLAIM_RETURNING}
    )
    SELECT (SELECT json_agg(claimed) FROM claimed) AS runs,
      -- From the limited events (few, by their partial index) to their queued runs: scanning
      -- the queued runs for a limited one read all of them when none was.
      EXISTS (SELECT 1 FROM events e
              WHERE e.concurrency_policy <> 'allow'
                AND EXISTS (SELECT 1 FROM runs r WHERE r.event_id = e.id AND r.status = 'queued'
                              AND r.run_at <= now())) AS limited_waiting`.execute(db);
  const row = result.rows[0]!;
  const runs = (row.runs ?? []).map((r) =>
    toClaimedRun(
      {
        ...r,
        scheduled_for: r.scheduled_for ? new Date(r.scheduled_for) : null,
        run_at: new Date(r.run_at),
      },
      options.owner,
    ),
  );
  return { runs: inClaimOrder(runs), limitedWaiting: row.limited_waiting };
}

/**
 * Claims up to `limit` due runs: round-robin by owner (each owner's next run in turn, by
 * priority then due time within an owner), skipping owners who are not active or who have
 * `maxRunningPerOwner` runs running. Runs of `allow` events are claimed in one statement;
 * runs of limited events through the transactional path with per-event advisory locks.
 * Each claim starts a new attempt with a fresh lease.
 */
export async function claimRuns(
  db: Kysely<Database>,
  options: ClaimOptions,
): Promise<ClaimedRun[]> {
  if (options.limit <= 0) return [];
  const unlimited = await claimUnlimitedRuns(db, options);
  const left = options.limit - unlimited.runs.length;
  if (left <= 0 || !unlimited.limitedWaiting) return unlimited.runs;
  return [...unlimited.runs, ...(await claimLimitedRuns(db, { ...options, limit: left }))];
}

/** When the earliest queued run that is not due yet becomes due (a retry, a run-at-time). */
export async function nextQueuedRunAt(db: Kysely<Database>): Promise<Date | undefined> {
  const { rows } = await sql<{ next: Date | null }>`
    SELECT min(run_at) AS next FROM runs WHERE status = 'queued' AND run_at > now()`.execute(db);
  return rows[0]?.next ?? undefined;
}
