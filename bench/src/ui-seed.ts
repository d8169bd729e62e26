// A user's history as the UI benchmarks need it, inserted with a few set-based statements (a
// few seconds for 100,000 runs): events of every type, most on a schedule, some paused; runs
// spread over the last 30 days, newest with the highest id as the queue makes them, mostly
// succeeded, some failed or timed out, a few running now; and stored log lines for a few runs.
import { sql } from 'kysely';
import type { Db } from '@cronium/db';

export interface SeedSizes {
  events: number;
  runs: number;
  /** Lines of each run with a stored log (one run per entry). */
  logLines: number[];
}

export interface Seeded {
  /** The events' ids, lowest first. */
  firstEventId: number;
  /** An event with many runs (for the run history filtered by event). */
  busyEventId: number;
  /** Per entry of `logLines`: a finished run with that many stored lines. */
  logRuns: { runId: number; lines: number }[];
  seconds: number;
}

/** Events that fire often: half of all runs are theirs. */
const BUSY_EVENTS = 100;
/** Spread over the last 30 days whatever the number of runs. */
const RUN_HISTORY_SECONDS = 30 * 86_400;

async function insertEvents(db: Db, ownerId: number, count: number): Promise<number> {
  // Type by i % 5 (the fifth is HTTP); paused every fifth; a schedule on three in four, due
  // within the next day; created over the last 100 days or so.
  await sql`
    INSERT INTO events (owner_id, name, description, type, status, tags, script, http_method,
      http_url, schedule_cron, schedule_next_at, target_kind, created_at, updated_at)
    SELECT ${ownerId},
      (ARRAY['backup','report','sync','cleanup','import','export','healthcheck','rotate-logs',
             'billing','digest'])[1 + i % 10] || '-' || i || ' ' ||
        (ARRAY['eu','us','staging','prod','db','cache'])[1 + (i / 10) % 6],
      'Runs the ' || (ARRAY['nightly','hourly','weekly'])[1 + i % 3] || ' job of team ' || i % 37,
      (ARRAY['bash','python','node','bash','http'])[1 + i % 5],
      CASE WHEN i % 5 = 0 THEN 'paused' ELSE 'active' END,
      ARRAY[(ARRAY['ops','data','billing','infra','reports'])[1 + i % 5], 'team-' || i % 37],
      CASE WHEN i % 5 <> 4 THEN 'echo "job ' || i || '"; sleep 1' END,
      CASE WHEN i % 5 = 4 THEN 'POST' END,
      CASE WHEN i % 5 = 4 THEN 'https://hooks.example.com/job/' || i END,
      CASE WHEN i % 4 <> 0 THEN (ARRAY['*/5 * * * *','0 * * * *','0 3 * * *'])[1 + i % 3] END,
      CASE WHEN i % 4 <> 0 THEN now() + (i % 1440) * interval '1 minute' END,
      'local',
      now() - (${count} - i) * interval '15 minutes',
      now() - (${count} - i) * interval '15 minutes'
    FROM generate_series(1, ${count}) AS i`.execute(db);
  const { rows: first } = await sql<{ id: string }>`SELECT min(id) AS id FROM events`.execute(db);
  return Number(first[0]!.id);
}

async function insertRuns(
  db: Db,
  ownerId: number,
  firstEventId: number,
  events: number,
  count: number,
) {
  // Half the runs belong to the first BUSY_EVENTS events (frequent schedules), the other half
  // are spread over all. Every 50th failed, every 200th timed out, the last 3 running (leased by nobody alive:
  // no orchestrator runs here), the rest succeeded after 0-3 s.
  await sql`
    INSERT INTO runs (event_id, owner_id, trigger, status, scheduled_for, run_at, attempt,
      max_attempts, lease_owner, lease_expires_at, exit_code, error, created_at, started_at,
      finished_at, duration_ms)
    SELECT ${firstEventId} + CASE WHEN i % 2 = 0 THEN (i / 2) % ${Math.min(BUSY_EVENTS, events)}
                                  ELSE (i * 7919) % ${events} END,
      ${ownerId},
      CASE WHEN i % 10 = 0 THEN 'manual' ELSE 'schedule' END,
      s.status,
      CASE WHEN i % 10 <> 0 THEN t.created END,
      t.created, 1, 1,
      CASE WHEN s.status = 'running' THEN 'bench' END,
      CASE WHEN s.status = 'running' THEN now() + interval '1 hour' END,
      CASE s.status WHEN 'succeeded' THEN 0 WHEN 'failed' THEN 1 END,
      CASE s.status WHEN 'failed' THEN 'exit code 1'
                    WHEN 'timed_out' THEN 'timed out after 3600 s' END,
      t.created, t.created + interval '20 ms',
      CASE WHEN s.status <> 'running' THEN t.created + (20 + i % 3000) * interval '1 ms' END,
      CASE WHEN s.status <> 'running' THEN i % 3000 END
    FROM generate_series(1, ${count}) AS i
    CROSS JOIN LATERAL (SELECT now() - (${count} - i) * ${RUN_HISTORY_SECONDS / count}::float8
                          * interval '1 second' AS created) t
    CROSS JOIN LATERAL (SELECT CASE WHEN i > ${count} - 3 THEN 'running'
                                    WHEN i % 200 = 0 THEN 'timed_out'
                                    WHEN i % 50 = 0 THEN 'failed'
                                    ELSE 'succeeded' END AS status) s`.execute(db);
}

/** Build-tool-like output: timestamps, steps, some stderr and colour. */
async function insertLog(db: Db, runId: number, lines: number) {
  await sql`
    INSERT INTO run_log_chunks (run_id, seq, attempt, stream, logged_at, data)
    SELECT ${runId}, n, 1,
      CASE WHEN n % 10 = 0 THEN 'stderr' ELSE 'stdout' END,
      r.started_at + n * interval '1 ms',
      CASE WHEN n % 10 = 0 THEN E'\\x1b[33mwarning\\x1b[0m: slow response from replica '
                                || n % 3 || ' (' || 100 + n % 900 || ' ms)'
           ELSE '[' || to_char(r.started_at + n * interval '1 ms', 'HH24:MI:SS.MS') ||
                '] step ' || n || ': copied ' || n * 37 % 10000 || ' rows from table_' ||
                n % 23 || E' \\x1b[32mOK\\x1b[0m' END
    FROM generate_series(1, ${lines}) AS n, runs r WHERE r.id = ${runId}`.execute(db);
  await sql`
    UPDATE runs SET log_seq = ${lines},
      log_bytes = (SELECT sum(length(data)) FROM run_log_chunks WHERE run_id = ${runId})
    WHERE id = ${runId}`.execute(db);
}

export async function seedUiData(db: Db, ownerId: number, sizes: SeedSizes): Promise<Seeded> {
  const began = performance.now();
  const firstEventId = await insertEvents(db, ownerId, sizes.events);
  await insertRuns(db, ownerId, firstEventId, sizes.events, sizes.runs);
  // The newest finished runs get the logs: what a user opens from the dashboard.
  const { rows: recent } = await sql<{ id: string }>`
    SELECT id FROM runs WHERE status = 'succeeded' ORDER BY id DESC
    LIMIT ${sizes.logLines.length}`.execute(db);
  const logRuns = sizes.logLines.map((lines, i) => ({ runId: Number(recent[i]!.id), lines }));
  for (const { runId, lines } of logRuns) await insertLog(db, runId, lines);
  // What autovacuum would have done by the time a user has this history.
  await sql`VACUUM ANALYZE events, runs, run_log_chunks`.execute(db);
  return {
    firstEventId,
    busyEventId: firstEventId,
    logRuns,
    seconds: Math.round((performance.now() - began) / 100) / 10,
  };
}
