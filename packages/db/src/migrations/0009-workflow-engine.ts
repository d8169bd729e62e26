// Frozen in time. The workflow engine: nodes of three kinds (an event, a tool action, another
// workflow) with a unique name, a join and an optional input mapping; per-workflow concurrency
// and timeout; each workflow run keeps the graph it started with (edits do not change a run
// in flight) and one row per node saying what became of it.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE workflows
      ADD COLUMN concurrency_policy text NOT NULL DEFAULT 'allow' CHECK (concurrency_policy IN ('allow', 'skip')),
      ADD COLUMN timeout_seconds integer NOT NULL DEFAULT 86400 CHECK (timeout_seconds BETWEEN 1 AND 604800);

    ALTER TABLE workflow_nodes
      ADD COLUMN name text,
      ADD COLUMN kind text NOT NULL DEFAULT 'event' CHECK (kind IN ('event', 'tool', 'workflow')),
      ALTER COLUMN event_id DROP NOT NULL,
      ADD COLUMN tool_credential_id bigint REFERENCES tool_credentials (id) ON DELETE RESTRICT,
      ADD COLUMN tool_params jsonb,
      ADD COLUMN child_workflow_id bigint REFERENCES workflows (id) ON DELETE RESTRICT,
      ADD COLUMN join_mode text NOT NULL DEFAULT 'all' CHECK (join_mode IN ('all', 'any')),
      ADD COLUMN input_mapping jsonb;
    UPDATE workflow_nodes SET name = 'node_' || id WHERE name IS NULL;
    ALTER TABLE workflow_nodes
      ALTER COLUMN name SET NOT NULL,
      ADD CONSTRAINT workflow_nodes_name_unique UNIQUE (workflow_id, name),
      ADD CONSTRAINT workflow_nodes_one_kind CHECK (
        (kind = 'event' AND event_id IS NOT NULL AND tool_credential_id IS NULL AND child_workflow_id IS NULL)
        OR (kind = 'tool' AND event_id IS NULL AND tool_credential_id IS NOT NULL AND tool_params IS NOT NULL AND child_workflow_id IS NULL)
        OR (kind = 'workflow' AND event_id IS NULL AND tool_credential_id IS NULL AND child_workflow_id IS NOT NULL));
    CREATE INDEX workflow_nodes_event_idx ON workflow_nodes (event_id) WHERE event_id IS NOT NULL;
    CREATE INDEX workflow_nodes_child_workflow_idx ON workflow_nodes (child_workflow_id) WHERE child_workflow_id IS NOT NULL;
    CREATE INDEX workflow_nodes_credential_idx ON workflow_nodes (tool_credential_id) WHERE tool_credential_id IS NOT NULL;
    CREATE INDEX workflow_edges_workflow_idx ON workflow_edges (workflow_id);

    ALTER TABLE workflow_runs
      DROP CONSTRAINT workflow_runs_status_check,
      ADD CONSTRAINT workflow_runs_status_check
        CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled', 'timed_out')),
      DROP CONSTRAINT workflow_runs_trigger_check,
      ADD CONSTRAINT workflow_runs_trigger_check
        CHECK (trigger IN ('schedule', 'manual', 'webhook', 'workflow', 'rerun')),
      ADD COLUMN graph jsonb NOT NULL DEFAULT '{"nodes": [], "edges": []}',
      ADD COLUMN output jsonb,
      ADD COLUMN error text,
      ADD COLUMN depth smallint NOT NULL DEFAULT 0 CHECK (depth BETWEEN 0 AND 8),
      ADD COLUMN parent_run_id bigint REFERENCES workflow_runs (id) ON DELETE CASCADE,
      ADD COLUMN parent_node_id bigint,
      ADD COLUMN rerun_of bigint REFERENCES workflow_runs (id) ON DELETE SET NULL,
      ADD COLUMN deadline_at timestamptz NOT NULL DEFAULT now() + interval '1 day';
    ALTER TABLE workflow_runs ALTER COLUMN graph DROP DEFAULT, ALTER COLUMN deadline_at DROP DEFAULT;
    CREATE INDEX workflow_runs_active_idx ON workflow_runs (workflow_id) WHERE status = 'running';
    CREATE INDEX workflow_runs_deadline_idx ON workflow_runs (deadline_at) WHERE status = 'running';
    CREATE INDEX workflow_runs_parent_idx ON workflow_runs (parent_run_id) WHERE parent_run_id IS NOT NULL;
    CREATE INDEX workflow_runs_rerun_idx ON workflow_runs (rerun_of) WHERE rerun_of IS NOT NULL;
    CREATE INDEX workflow_runs_owner_idx ON workflow_runs (owner_id, id DESC);

    -- What became of each node in one workflow run. node_id is the node's id in the run's graph
    -- (not a reference: the node may since have been edited or deleted).
    CREATE TABLE workflow_node_runs (
      workflow_run_id bigint NOT NULL REFERENCES workflow_runs (id) ON DELETE CASCADE,
      node_id         bigint NOT NULL,
      state           text NOT NULL DEFAULT 'waiting'
        CHECK (state IN ('waiting', 'started', 'succeeded', 'failed', 'skipped', 'cancelled')),
      run_id          bigint REFERENCES runs (id) ON DELETE SET NULL,
      child_run_id    bigint REFERENCES workflow_runs (id) ON DELETE SET NULL,
      output          jsonb,
      condition       boolean,
      error           text,
      reused          boolean NOT NULL DEFAULT false,
      started_at      timestamptz,
      finished_at     timestamptz,
      PRIMARY KEY (workflow_run_id, node_id)
    );
    CREATE INDEX workflow_node_runs_run_idx ON workflow_node_runs (run_id) WHERE run_id IS NOT NULL;
    CREATE INDEX workflow_node_runs_child_idx ON workflow_node_runs (child_run_id) WHERE child_run_id IS NOT NULL;
    CREATE INDEX runs_workflow_run_idx ON runs (workflow_run_id) WHERE workflow_run_id IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP INDEX IF EXISTS runs_workflow_run_idx;
    DROP TABLE IF EXISTS workflow_node_runs;
    DELETE FROM workflow_runs;
    ALTER TABLE workflow_runs
      DROP COLUMN graph, DROP COLUMN output, DROP COLUMN error, DROP COLUMN depth,
      DROP COLUMN parent_run_id, DROP COLUMN parent_node_id, DROP COLUMN rerun_of, DROP COLUMN deadline_at,
      DROP CONSTRAINT workflow_runs_status_check,
      ADD CONSTRAINT workflow_runs_status_check CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled', 'partial')),
      DROP CONSTRAINT workflow_runs_trigger_check,
      ADD CONSTRAINT workflow_runs_trigger_check CHECK (trigger IN ('schedule', 'manual', 'webhook'));
    DELETE FROM workflow_nodes WHERE kind <> 'event';
    ALTER TABLE workflow_nodes
      DROP CONSTRAINT workflow_nodes_one_kind, DROP CONSTRAINT workflow_nodes_name_unique,
      DROP COLUMN name, DROP COLUMN kind, DROP COLUMN tool_credential_id, DROP COLUMN tool_params,
      DROP COLUMN child_workflow_id, DROP COLUMN join_mode, DROP COLUMN input_mapping,
      ALTER COLUMN event_id SET NOT NULL;
    DROP INDEX IF EXISTS workflow_edges_workflow_idx;
    ALTER TABLE workflows DROP COLUMN concurrency_policy, DROP COLUMN timeout_seconds;
  `.execute(db);
}
