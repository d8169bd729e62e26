// Frozen in time. Inbound webhooks that trigger an event (workflows later: the target columns
// and their CHECK stay as 0001 made them). A hook is reached at a random public id that says
// nothing about it, and authenticated with a secret it keeps encrypted (an HMAC over the
// body needs the secret itself, so a hash would not do), bound to its row; after a rotation
// the previous secret stays valid until it expires. The partial index on audit_log finds the
// current minute's entry of a hook's refusals, which refusals are counted into rather than
// each writing a row (so a flood of bad requests cannot flood the log).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    -- Nothing wrote this table before: its rows would have no secret to verify with.
    DELETE FROM webhooks;
    ALTER TABLE webhooks RENAME COLUMN token_prefix TO secret_prefix;
    ALTER TABLE webhooks
      DROP COLUMN token_hash,
      ADD COLUMN public_id text NOT NULL CHECK (public_id ~ '^[A-Za-z0-9_-]{16,64}$'),
      ADD COLUMN secret_encrypted text NOT NULL,
      ADD COLUMN previous_secret_encrypted text,
      ADD COLUMN previous_secret_expires_at timestamptz,
      ADD COLUMN auth_mode text NOT NULL DEFAULT 'hmac' CHECK (auth_mode IN ('hmac', 'bearer')),
      ADD COLUMN input_headers text[] NOT NULL DEFAULT '{}' CHECK (cardinality(input_headers) <= 20),
      ADD COLUMN rate_limit_per_minute integer NOT NULL DEFAULT 60
        CHECK (rate_limit_per_minute BETWEEN 1 AND 600),
      ADD COLUMN replay_window_seconds integer NOT NULL DEFAULT 300
        CHECK (replay_window_seconds BETWEEN 30 AND 3600),
      ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
      ADD CONSTRAINT webhooks_public_id_key UNIQUE (public_id),
      ADD CONSTRAINT webhooks_name_check CHECK (char_length(name) BETWEEN 1 AND 100),
      ADD CONSTRAINT webhooks_previous_secret_check
        CHECK ((previous_secret_encrypted IS NULL) = (previous_secret_expires_at IS NULL));
    CREATE INDEX webhooks_event_id_idx ON webhooks (event_id) WHERE event_id IS NOT NULL;
    CREATE INDEX audit_log_webhook_refusals_idx ON audit_log (target_id, occurred_at DESC)
      WHERE action = 'webhook.refused';
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP INDEX IF EXISTS audit_log_webhook_refusals_idx;
    DROP INDEX IF EXISTS webhooks_event_id_idx;
    DELETE FROM webhooks;
    ALTER TABLE webhooks
      DROP CONSTRAINT webhooks_previous_secret_check,
      DROP CONSTRAINT webhooks_name_check,
      DROP CONSTRAINT webhooks_public_id_key,
      DROP COLUMN public_id,
      DROP COLUMN secret_encrypted,
      DROP COLUMN previous_secret_encrypted,
      DROP COLUMN previous_secret_expires_at,
      DROP COLUMN auth_mode,
      DROP COLUMN input_headers,
      DROP COLUMN rate_limit_per_minute,
      DROP COLUMN replay_window_seconds,
      DROP COLUMN updated_at,
      ADD COLUMN token_hash bytea NOT NULL UNIQUE;
    ALTER TABLE webhooks RENAME COLUMN secret_prefix TO token_prefix;
  `.execute(db);
}
