import { sql } from 'kysely';
import { visibleOwner, type Principal } from '@cronium/accounts';
import type { Db } from '@cronium/db';

/** A run as the dashboard lists it. */
export interface RunBrief {
  id: number;
  eventId: number;
  eventName: string | null;
  status: string;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface RunSummary {
  since: Date;
  byStatus: Record<string, number>;
  running: RunBrief[];
  recentFailures: RunBrief[];
  nextFires: { eventId: number; name: string; at: Date; timezone: string }[];
}

const BRIEF = sql`r.id, r.event_id AS "eventId", e.name AS "eventName", r.status, r.error,
  r.created_at AS "createdAt", r.started_at AS "startedAt", r.finished_at AS "finishedAt"`;

/**
 * What the dashboard shows of the runs the principal may see (an admin's: everyone's): the
 * runs created in the last `hours` by status, what runs now, the latest failures and the next
 * scheduled fires. Four statements, run side by side.
 */
export async function summarizeRuns(
  db: Db,
  principal: Principal,
  hours: number,
): Promise<RunSummary> {
  const since = new Date(Date.now() - hours * 3_600_000);
  const owner = visibleOwner(principal);
  const runsOf = owner === undefined ? sql`true` : sql`r.owner_id = ${owner}`;
  const eventsOf = owner === undefined ? sql`true` : sql`owner_id = ${owner}`;
  const [counts, running, failures, fires] = await Promise.all([
    sql<{ status: string; n: string }>`SELECT r.status, count(*) AS n FROM runs r
      WHERE ${runsOf} AND r.created_at >= ${since} GROUP BY r.status`.execute(db),
    sql<RunBrief>`SELECT ${BRIEF} FROM runs r LEFT JOIN events e ON e.id = r.event_id
      WHERE ${runsOf} AND r.status IN ('running', 'cancelling')
      ORDER BY r.id DESC LIMIT 20`.execute(db),
    sql<RunBrief>`SELECT ${BRIEF} FROM runs r LEFT JOIN events e ON e.id = r.event_id
      WHERE ${runsOf} AND r.finished_at >= ${since} AND r.status IN ('failed', 'timed_out')
      ORDER BY r.finished_at DESC LIMIT 10`.execute(db),
    sql<RunSummary['nextFires'][number]>`SELECT id AS "eventId", name, schedule_next_at AS at,
        schedule_timezone AS timezone
      FROM events WHERE ${eventsOf} AND status = 'active' AND schedule_cron IS NOT NULL
        AND schedule_next_at IS NOT NULL
      ORDER BY schedule_next_at LIMIT 10`.execute(db),
  ]);
  return {
    since,
    byStatus: Object.fromEntries(counts.rows.map((r) => [r.status, Number(r.n)])),
    running: running.rows,
    recentFailures: failures.rows,
    nextFires: fires.rows,
  };
}
