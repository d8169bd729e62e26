// Frozen in time. A conditional action may start another event instead of sending a tool
// action (the run's output becomes that run's input), and such runs say so in their trigger.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE event_actions
      ALTER COLUMN tool_credential_id DROP NOT NULL,
      ALTER COLUMN tool_params DROP NOT NULL,
      ADD COLUMN target_event_id bigint REFERENCES events (id) ON DELETE CASCADE,
      ADD CONSTRAINT event_actions_one_kind CHECK (
        (tool_credential_id IS NOT NULL AND tool_params IS NOT NULL AND target_event_id IS NULL)
        OR (tool_credential_id IS NULL AND tool_params IS NULL AND target_event_id IS NOT NULL));
    CREATE INDEX event_actions_target_event_idx ON event_actions (target_event_id)
      WHERE target_event_id IS NOT NULL;

    ALTER TABLE runs DROP CONSTRAINT runs_trigger_check,
      ADD CONSTRAINT runs_trigger_check
        CHECK (trigger IN ('schedule', 'manual', 'webhook', 'workflow', 'retry', 'action'));
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DELETE FROM event_actions WHERE target_event_id IS NOT NULL;
    ALTER TABLE event_actions DROP COLUMN target_event_id,
      ALTER COLUMN tool_credential_id SET NOT NULL,
      ALTER COLUMN tool_params SET NOT NULL;
    UPDATE runs SET trigger = 'manual' WHERE trigger = 'action';
    ALTER TABLE runs DROP CONSTRAINT runs_trigger_check,
      ADD CONSTRAINT runs_trigger_check
        CHECK (trigger IN ('schedule', 'manual', 'webhook', 'workflow', 'retry'));
  `.execute(db);
}
