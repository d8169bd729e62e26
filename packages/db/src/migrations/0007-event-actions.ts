// Frozen in time. Conditional actions: what an event does after each of its runs ends (send a
// tool action on success, on failure, always, or by the run's condition), and the outbox of
// actions due, written in the same statement as the run's outcome, so an action is neither
// lost nor doubled when an orchestrator dies between the two.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE event_actions (
      id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      event_id           bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
      position           smallint NOT NULL CHECK (position BETWEEN 0 AND 19),
      on_outcome         text NOT NULL CHECK (on_outcome IN ('success', 'failure', 'always', 'condition_true', 'condition_false')),
      tool_credential_id bigint NOT NULL REFERENCES tool_credentials (id) ON DELETE RESTRICT,
      tool_params        jsonb NOT NULL,
      UNIQUE (event_id, position)
    );
    CREATE INDEX event_actions_credential_idx ON event_actions (tool_credential_id);

    CREATE TABLE run_actions (
      run_id           bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      action_id        bigint NOT NULL REFERENCES event_actions (id) ON DELETE CASCADE,
      status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'succeeded', 'failed')),
      tries            integer NOT NULL DEFAULT 0,
      run_at           timestamptz NOT NULL DEFAULT now(),
      lease_owner      text,
      lease_expires_at timestamptz,
      error            text,
      result           jsonb,
      created_at       timestamptz NOT NULL DEFAULT now(),
      finished_at      timestamptz,
      PRIMARY KEY (run_id, action_id)
    );
    CREATE INDEX run_actions_due_idx ON run_actions (run_at) WHERE status = 'pending';
    CREATE INDEX run_actions_leased_idx ON run_actions (lease_expires_at) WHERE status = 'running';
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS run_actions; DROP TABLE IF EXISTS event_actions;`.execute(db);
}
