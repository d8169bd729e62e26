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
 */
export async function appendRunLogs(
  db: Kysely<Database>,
  fence: RunFence,
  lines: LogLine[],
  options: { truncated?: boolean } = {},
): Promise<number | undefined> {
  if (lines.length === 0) return undefined;
  const bytes = lines.reduce((sum, l) => sum + Buffer.byteLength(l.text, 'utf8'), 0);
  const result = await sql<{ last_seq: number }>`
    WITH claimed AS (
      UPDATE runs SET log_seq = log_seq + ${lines.length}, log_bytes = log_bytes + ${bytes},
        log_truncated = log_truncated OR ${options.truncated ?? false}
      WHERE id = ${fence.runId} AND attempt = ${fence.attempt} AND lease_owner = ${fence.owner}
        AND status IN ('running', 'cancelling')
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
    SELECT max(seq) AS last_seq FROM inserted`.execute(db);
  return result.rows[0]?.last_seq ?? undefined;
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
