// An orchestrator's liveness as its peers see it in PostgreSQL (the session that holds the
// lock is @cronium/db's openLivenessSession): whose runs are held by an orchestrator whose lock
// is gone, and which orchestrators are up.
import { sql, type Kysely, type RawBuilder } from 'kysely';
import {
  LIVENESS_APPLICATION_PREFIX,
  livenessApplicationName,
  livenessLockKey,
  type Database,
} from '@cronium/db';

/** Whether the lock of the orchestrator named by the SQL expression `owner` is held by anyone. */
export function livenessLockHeld(owner: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`EXISTS (
    SELECT 1 FROM pg_locks l
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND l.classid = ((${livenessLockKey(owner)} >> 32) & 4294967295)::oid
      AND l.objid = (${livenessLockKey(owner)} & 4294967295)::oid)`;
}

/** What a liveness check sees: who holds runs without holding their lock, and who is up. */
export interface LivenessSnapshot {
  /** Orchestrators (other than `self`) holding unexpired leases but not their liveness lock. */
  silent: string[];
  /**
   * Orchestrators whose liveness session is connected now, named as their application name
   * keeps them: compare with `livenessSeenName(owner)`.
   */
  up: string[];
}

/** How the orchestrator `owner` appears in a snapshot's `up` (a long name cut short). */
export function livenessSeenName(owner: string): string {
  return livenessApplicationName(owner).slice(LIVENESS_APPLICATION_PREFIX.length);
}

export async function livenessSnapshot(
  db: Kysely<Database>,
  self: string,
): Promise<LivenessSnapshot> {
  const { rows } = await sql<{ owner: string; kind: 'silent' | 'up' }>`
    SELECT owner, 'silent' AS kind FROM (
      SELECT DISTINCT lease_owner AS owner FROM runs
      WHERE status IN ('running', 'cancelling') AND lease_expires_at > now()
        AND lease_owner IS NOT NULL AND lease_owner <> ${self}
    ) holders
    WHERE NOT ${livenessLockHeld(sql.ref('holders.owner'))}
    UNION ALL
    SELECT substr(application_name, ${LIVENESS_APPLICATION_PREFIX.length + 1}), 'up'
    FROM pg_stat_activity
    WHERE starts_with(application_name, ${LIVENESS_APPLICATION_PREFIX})
      AND datname = current_database()`.execute(db);
  return {
    silent: rows.filter((r) => r.kind === 'silent').map((r) => r.owner),
    up: rows.filter((r) => r.kind === 'up').map((r) => r.owner),
  };
}
