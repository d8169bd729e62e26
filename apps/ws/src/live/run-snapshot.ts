import { sql } from 'kysely';
import { isFinalRunStatus } from '@cronium/contracts';
import type { Db } from '@cronium/db';

export interface RunSnapshot {
  runId: number;
  ownerId: number;
  eventId: number;
  status: string;
  attempt: number;
  exitCode: number | null;
  error: string | null;
  latestSeq: number;
}

export const isFinal = isFinalRunStatus;

/** A run's current state, or undefined when it does not exist. */
export async function readRunSnapshot(db: Db, runId: number): Promise<RunSnapshot | undefined> {
  const { rows } = await sql<{
    id: number;
    owner_id: number;
    event_id: number;
    status: string;
    attempt: number;
    exit_code: number | null;
    error: string | null;
    log_seq: number;
  }>`SELECT id, owner_id, event_id, status, attempt, exit_code, error, log_seq
     FROM runs WHERE id = ${runId}`.execute(db);
  const r = rows[0];
  return r
    ? {
        runId: r.id,
        ownerId: r.owner_id,
        eventId: r.event_id,
        status: r.status,
        attempt: r.attempt,
        exitCode: r.exit_code,
        error: r.error,
        latestSeq: r.log_seq,
      }
    : undefined;
}
