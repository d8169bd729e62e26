import { sql, type Kysely } from 'kysely';
import type { Database } from '@cronium/db';
import type { EventType, RunTrigger, TargetKind } from '@cronium/contracts';
import { HELD_STATUSES } from './queue-types.ts';

/** Everything an executor needs about a claimed attempt. */
export interface ClaimedRun {
  runId: number;
  attempt: number;
  maxAttempts: number;
  owner: string;
  trigger: RunTrigger;
  input: unknown;
  scheduledFor: Date | null;
  event: {
    id: number;
    ownerId: number;
    name: string;
    type: EventType;
    tags: string[];
    script: string | null;
    httpMethod: string | null;
    httpUrl: string | null;
    httpHeaders: Record<string, string>;
    httpBody: string | null;
    targetKind: TargetKind;
    image: string | null;
    timeoutSeconds: number;
    env: Record<string, string>;
    secretEnvEncrypted: string | null;
    memoryMb: number | null;
    cpuMillis: number | null;
    pidsLimit: number | null;
    networkEnabled: boolean;
  };
}

// Advisory-lock keys for "claiming runs of event N": offset so they cannot meet other keys.
const EVENT_CLAIM_LOCK_OFFSET = 1_000_000_000_000n;

/**
 * Claims due runs of limited events, skipping rows other claimers hold (FOR UPDATE SKIP
 * LOCKED). For events with a concurrency limit
 * (every policy but `allow`), a transaction-scoped advisory lock per event serialises
 * claimers, so the count of held runs read under it is exact and the limit cannot be
 * overshot by two orchestrators claiming at the same moment. Each claim starts a new
 * attempt with a fresh lease.
 */
async function claimLimitedRuns(
  db: Kysely<Database>,
  options: ClaimOptions,
): Promise<ClaimedRun[]> {
  return db.transaction().execute(async (trx) => {
    const candidates = await sql<{
      id: number;
      event_id: number;
      limited: boolean;
      max_concurrent_runs: number;
    }>`
      SELECT r.id, r.event_id, e.concurrency_policy <> 'allow' AS limited, e.max_concurrent_runs
      FROM runs r JOIN events e ON e.id = r.event_id
      WHERE r.status = 'queued' AND r.run_at <= now() AND e.concurrency_policy <> 'allow'
        -- Events already at their limit (as of this snapshot) do not take up the candidate window;
        -- the exact count is read again under the event's lock below.
        AND (SELECT count(*) FROM runs h WHERE h.event_id = r.event_id AND h.status IN ('running', 'cancelling')) < e.max_concurrent_runs
      ORDER BY r.priority DESC, r.run_at, r.id
      LIMIT ${options.limit}
      FOR UPDATE OF r SKIP LOCKED`.execute(trx);
    if (candidates.rows.length === 0) return [];

    const chosen: number[] = [];
    const limitedEvents = [
      ...new Set(candidates.rows.filter((c) => c.limited).map((c) => c.event_id)),
    ];
    const room = new Map<number, number>();
    if (limitedEvents.length > 0) {
      const locked = await sql<{ event_id: number; locked: boolean }>`
        SELECT event_id, pg_try_advisory_xact_lock(${EVENT_CLAIM_LOCK_OFFSET} + event_id) AS locked
        FROM unnest(${limitedEvents}::bigint[]) AS event_id`.execute(trx);
      const lockedIds = locked.rows.filter((r) => r.locked).map((r) => r.event_id);
      if (lockedIds.length > 0) {
        const held = await trx
          .selectFrom('runs')
          .select(['event_id', (eb) => eb.fn.countAll<number>().as('held')])
          .where('event_id', 'in', lockedIds)
          .where('status', 'in', HELD_STATUSES)
          .groupBy('event_id')
          .execute();
        const heldBy = new Map(held.map((h) => [h.event_id, Number(h.held)]));
        for (const c of candidates.rows) {
          if (c.limited && lockedIds.includes(c.event_id) && !room.has(c.event_id)) {
            room.set(c.event_id, c.max_concurrent_runs - (heldBy.get(c.event_id) ?? 0));
          }
        }
      }
    }
    for (const c of candidates.rows) {
      if (!c.limited) {
        chosen.push(c.id);
        continue;
      }
      const left = room.get(c.event_id) ?? 0;
      if (left > 0) {
        chosen.push(c.id);
        room.set(c.event_id, left - 1);
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

/**
 * Runs of `allow` events need no per-event serialisation: one autocommit statement claims
 * them. It also says whether runs of limited events are waiting, so the transactional path
 * runs only when needed.
 */
async function claimUnlimitedRuns(
  db: Kysely<Database>,
  options: ClaimOptions,
): Promise<{ runs: ClaimedRun[]; limitedWaiting: boolean }> {
  const result = await sql<{ runs: ClaimedRow[] | null; limited_waiting: boolean }>`
    WITH candidates AS (
      SELECT r.id FROM runs r JOIN events e ON e.id = r.event_id
      WHERE r.status = 'queued' AND r.run_at <= now() AND e.concurrency_policy = 'allow'
      ORDER BY r.priority DESC, r.run_at, r.id
      LIMIT ${options.limit}
      FOR UPDATE OF r SKIP LOCKED
    ), claimed AS (
      UPDATE runs r SET ${claimSet(options)}
      FROM candidates c, events e
      WHERE r.id = c.id AND e.id = r.event_id
      RETURNING ${CLAIM_RETURNING}
    )
    SELECT (SELECT json_agg(claimed) FROM claimed) AS runs,
      EXISTS (SELECT 1 FROM runs r JOIN events e ON e.id = r.event_id
              WHERE r.status = 'queued' AND r.run_at <= now() AND e.concurrency_policy <> 'allow') AS limited_waiting`.execute(
    db,
  );
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
 * Claims up to `limit` due runs, highest priority first, then oldest due time. Runs of
 * `allow` events are claimed in one statement; runs of limited events through the
 * transactional path with per-event advisory locks. Each claim starts a new attempt with a
 * fresh lease.
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

interface ClaimOptions {
  owner: string;
  limit: number;
  leaseMs: number;
}

interface ClaimedRow {
  id: number;
  attempt: number;
  max_attempts: number;
  priority: number;
  run_at: Date;
  trigger: RunTrigger;
  input: unknown;
  scheduled_for: Date | null;
  event_id: number;
  owner_id: number;
  name: string;
  type: EventType;
  tags: string[];
  script: string | null;
  http_method: string | null;
  http_url: string | null;
  http_headers: Record<string, string>;
  http_body: string | null;
  target_kind: TargetKind;
  image: string | null;
  timeout_seconds: number;
  env: Record<string, string>;
  secret_env_encrypted: string | null;
  memory_mb: number | null;
  cpu_millis: number | null;
  pids_limit: number | null;
  network_enabled: boolean;
}

function claimSet(options: ClaimOptions) {
  return sql`status = 'running', attempt = r.attempt + 1, lease_owner = ${options.owner},
    lease_expires_at = now() + ${options.leaseMs} * interval '1 millisecond',
    started_at = clock_timestamp(), finished_at = NULL, exit_code = NULL, duration_ms = NULL`;
}

const CLAIM_RETURNING = sql`r.id, r.attempt, r.max_attempts, r.priority, r.run_at, r.trigger, r.input, r.scheduled_for,
  r.event_id, e.owner_id, e.name, e.type, e.tags, e.script, e.http_method, e.http_url, e.http_headers, e.http_body,
  e.target_kind, e.image, e.timeout_seconds, e.env, e.secret_env_encrypted, e.memory_mb, e.cpu_millis, e.pids_limit,
  e.network_enabled`;

type Ordered = ClaimedRun & { priority: number; runAt: Date };

function inClaimOrder(runs: Ordered[]): ClaimedRun[] {
  return runs
    .sort(
      (a, b) =>
        b.priority - a.priority || a.runAt.getTime() - b.runAt.getTime() || a.runId - b.runId,
    )
    .map(({ priority: _p, runAt: _r, ...run }) => run);
}

function toClaimedRun(r: ClaimedRow, owner: string): Ordered {
  return {
    runId: r.id,
    attempt: r.attempt,
    maxAttempts: r.max_attempts,
    owner,
    trigger: r.trigger,
    input: r.input,
    scheduledFor: r.scheduled_for,
    priority: r.priority,
    runAt: r.run_at,
    event: {
      id: r.event_id,
      ownerId: r.owner_id,
      name: r.name,
      type: r.type,
      tags: r.tags,
      script: r.script,
      httpMethod: r.http_method,
      httpUrl: r.http_url,
      httpHeaders: r.http_headers,
      httpBody: r.http_body,
      targetKind: r.target_kind,
      image: r.image,
      timeoutSeconds: r.timeout_seconds,
      env: r.env,
      secretEnvEncrypted: r.secret_env_encrypted,
      memoryMb: r.memory_mb,
      cpuMillis: r.cpu_millis,
      pidsLimit: r.pids_limit,
      networkEnabled: r.network_enabled,
    },
  };
}

/** When the earliest queued run that is not due yet becomes due (a retry, a run-at-time). */
export async function nextQueuedRunAt(db: Kysely<Database>): Promise<Date | undefined> {
  const { rows } = await sql<{ next: Date | null }>`
    SELECT min(run_at) AS next FROM runs WHERE status = 'queued' AND run_at > now()`.execute(db);
  return rows[0]?.next ?? undefined;
}
