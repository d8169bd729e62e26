import { sql, type Kysely } from 'kysely';
import type { Database } from '@cronium/db';
import type { LogStream } from '@cronium/contracts';
import type { RunFence } from './queue-types.ts';

export interface LogLine {
  stream: LogStream;
  at: Date;
  text: string;
  serverId?: number | null;
}

/**
 * Appends lines to a run's log, fenced by attempt and owner, in one statement: the counter on
 * the run hands out the sequence numbers and the lines are inserted with them, so sequence
 * numbers are dense, ordered and never reused, and a stale attempt appends nothing.
 * Returns the last sequence number written, or undefined when the fence no longer holds.
 *
 * With `afterSeq` (the last sequence number the writer knows is stored) the append is
 * idempotent: when a commit's answer was lost (the connection broke) and the same batch is
 * sent again, it finds the counter already past it and reports it stored, writing nothing twice.
 */
export async function appendRunLogs(
  db: Kysely<Database>,
  fence: RunFence,
  lines: LogLine[],
  options: { truncated?: boolean; afterSeq?: number } = {},
): Promise<number | undefined> {
  if (lines.length === 0) return undefined;
  const bytes = lines.reduce((sum, l) => sum + Buffer.byteLength(l.text, 'utf8'), 0);
  const held = sql`id = ${fence.runId} AND attempt = ${fence.attempt} AND lease_owner = ${fence.owner}
        AND status IN ('running', 'cancelling')`;
  const result = await sql<{ last_seq: number | null; current_seq: number | null }>`
    WITH claimed AS (
      UPDATE runs SET log_seq = log_seq + ${lines.length}, log_bytes = log_bytes + ${bytes},
        log_truncated = log_truncated OR ${options.truncated ?? false}
      WHERE ${held} AND (${options.afterSeq ?? null}::bigint IS NULL OR log_seq = ${options.afterSeq ?? null}::bigint)
      RETURNING log_seq
    ), inserted AS (
      INSERT INTO run_log_chunks (run_id, seq, attempt, stream, server_id, logged_at, data)
      SELECT ${fence.runId}, c.log_seq - ${lines.length} + l.ord, ${fence.attempt}, l.stream, l.server_id, l.at, l.data
      FROM claimed c,
        unnest(${lines.map((l) => l.stream)}::text[], ${lines.map((l) => l.at.toISOString())}::timestamptz[],
               ${lines.map((l) => l.text)}::text[], ${lines.map((l) => l.serverId ?? null)}::bigint[])
          WITH ORDINALITY AS l(stream, at, data, server_id, ord)
      RETURNING seq
    )
    SELECT (SELECT max(seq) FROM inserted) AS last_seq,
      (SELECT log_seq FROM runs WHERE ${held}) AS current_seq`.execute(db);
  const row = result.rows[0];
  if (row?.last_seq != null) return row.last_seq;
  if (row?.current_seq == null || options.afterSeq === undefined) return undefined; // fence lost
  // Already stored by a try whose answer was lost.
  if (row.current_seq === options.afterSeq + lines.length) return row.current_seq;
  // The counter moved otherwise (not expected: one writer per attempt): append after it.
  return appendRunLogs(db, fence, lines, { ...options, afterSeq: row.current_seq });
}

export async function readRunLogs(db: Kysely<Database>, runId: number, afterSeq = 0, limit = 1000) {
  return db
    .selectFrom('run_log_chunks')
    .select(['seq', 'attempt', 'stream', 'server_id', 'logged_at', 'data'])
    .where('run_id', '=', runId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}
