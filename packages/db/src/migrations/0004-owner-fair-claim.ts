// Frozen in time. Claiming fairly by owner: an index that walks one owner's queued runs in
// claim order (and lets the claim list the owners with queued runs by skipping through it),
// and the function that decides, under a per-owner lock, how many more runs an owner may start.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE INDEX runs_claimable_by_owner_idx ON runs (owner_id, priority DESC, run_at, id)
      WHERE status = 'queued';
    CREATE INDEX runs_held_by_owner_idx ON runs (owner_id) WHERE status IN ('running', 'cancelling');

    -- How many more runs an owner may start now: 0 when another claimer holds the owner's
    -- claim lock (it is deciding for them; this claim skips them), or when the owner is not
    -- active. VOLATILE so the count is read with a snapshot taken after the lock is held:
    -- a claimer that just committed is always seen, and the cap cannot be overshot by two
    -- orchestrators claiming at the same moment. The lock is transaction-scoped, held until
    -- the claim commits. A null cap means no cap.
    CREATE FUNCTION cronium_owner_claim_room(p_owner bigint, p_cap int, p_lock_key bigint)
    RETURNS int LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      held int;
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM users WHERE id = p_owner AND status = 'active') THEN
        RETURN 0;
      END IF;
      IF p_cap IS NULL THEN
        RETURN 2147483647;
      END IF;
      IF NOT pg_try_advisory_xact_lock(p_lock_key) THEN
        RETURN 0;
      END IF;
      SELECT count(*) INTO held FROM runs
        WHERE owner_id = p_owner AND status IN ('running', 'cancelling');
      RETURN greatest(p_cap - held, 0);
    END
    $fn$;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP FUNCTION IF EXISTS cronium_owner_claim_room(bigint, int, bigint);
    DROP INDEX IF EXISTS runs_held_by_owner_idx;
    DROP INDEX IF EXISTS runs_claimable_by_owner_idx;
  `.execute(db);
}
