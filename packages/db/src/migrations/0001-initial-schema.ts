// Frozen in time: never import application code here, never edit after release.
// Later changes are new migrations.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE users (
      id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      email         text NOT NULL,
      name          text NOT NULL DEFAULT '',
      password_hash text,
      role          text NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user')),
      status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'invited', 'disabled')),
      created_at    timestamptz NOT NULL DEFAULT now(),
      updated_at    timestamptz NOT NULL DEFAULT now(),
      last_login_at timestamptz,
      CHECK (status = 'invited' OR password_hash IS NOT NULL)
    );
    CREATE UNIQUE INDEX users_email_key ON users (lower(email));

    CREATE TABLE sessions (
      id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      token_hash   bytea NOT NULL UNIQUE,
      created_at   timestamptz NOT NULL DEFAULT now(),
      expires_at   timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      revoked_at   timestamptz,
      ip           text,
      user_agent   text
    );
    CREATE INDEX sessions_user_id_idx ON sessions (user_id);

    CREATE TABLE api_tokens (
      id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      name         text NOT NULL,
      token_prefix text NOT NULL,
      token_hash   bytea NOT NULL UNIQUE,
      scopes       text[] NOT NULL DEFAULT '{}',
      created_at   timestamptz NOT NULL DEFAULT now(),
      expires_at   timestamptz,
      last_used_at timestamptz,
      revoked_at   timestamptz
    );
    CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id);

    CREATE TABLE invitations (
      id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      email       text NOT NULL,
      role        text NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user')),
      token_hash  bytea NOT NULL UNIQUE,
      invited_by  bigint REFERENCES users (id) ON DELETE SET NULL,
      created_at  timestamptz NOT NULL DEFAULT now(),
      expires_at  timestamptz NOT NULL,
      accepted_at timestamptz,
      user_id     bigint REFERENCES users (id) ON DELETE CASCADE
    );

    CREATE TABLE servers (
      id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      owner_id              bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      name                  text NOT NULL,
      host                  text NOT NULL,
      port                  integer NOT NULL DEFAULT 22 CHECK (port BETWEEN 1 AND 65535),
      username              text NOT NULL,
      auth_method           text NOT NULL CHECK (auth_method IN ('private_key', 'password')),
      credential_encrypted  text NOT NULL,
      passphrase_encrypted  text,
      host_key_fingerprint  text,
      host_key_confirmed_at timestamptz,
      max_connections       integer NOT NULL DEFAULT 4 CHECK (max_connections BETWEEN 1 AND 64),
      created_at            timestamptz NOT NULL DEFAULT now(),
      updated_at            timestamptz NOT NULL DEFAULT now(),
      UNIQUE (owner_id, name)
    );

    CREATE TABLE tool_credentials (
      id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      owner_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      kind             text NOT NULL CHECK (kind IN ('email', 'slack', 'discord', 'webhook')),
      name             text NOT NULL,
      config_encrypted text NOT NULL,
      created_at       timestamptz NOT NULL DEFAULT now(),
      updated_at       timestamptz NOT NULL DEFAULT now(),
      UNIQUE (owner_id, name)
    );

    CREATE TABLE events (
      id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      owner_id             bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      name                 text NOT NULL,
      description          text NOT NULL DEFAULT '',
      type                 text NOT NULL CHECK (type IN ('bash', 'python', 'node', 'http', 'tool')),
      status               text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'draft', 'archived')),
      tags                 text[] NOT NULL DEFAULT '{}',
      script               text,
      http_method          text CHECK (http_method IN ('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS')),
      http_url             text,
      http_headers         jsonb NOT NULL DEFAULT '{}',
      http_body            text,
      tool_credential_id   bigint REFERENCES tool_credentials (id) ON DELETE RESTRICT,
      tool_action          jsonb,
      schedule_cron        text,
      schedule_timezone    text NOT NULL DEFAULT 'UTC',
      schedule_starts_at   timestamptz,
      schedule_ends_at     timestamptz,
      schedule_cursor      timestamptz,
      misfire_policy       text NOT NULL DEFAULT 'last' CHECK (misfire_policy IN ('all', 'last', 'none')),
      misfire_max_catchup  integer NOT NULL DEFAULT 10 CHECK (misfire_max_catchup BETWEEN 1 AND 1000),
      target_kind          text NOT NULL DEFAULT 'local' CHECK (target_kind IN ('container', 'ssh', 'local')),
      image                text,
      timeout_seconds      integer NOT NULL DEFAULT 3600 CHECK (timeout_seconds BETWEEN 1 AND 604800),
      retry_max_attempts   integer NOT NULL DEFAULT 1 CHECK (retry_max_attempts BETWEEN 1 AND 100),
      retry_delay_seconds  integer NOT NULL DEFAULT 10 CHECK (retry_delay_seconds BETWEEN 0 AND 86400),
      retry_backoff_factor real NOT NULL DEFAULT 2 CHECK (retry_backoff_factor BETWEEN 1 AND 10),
      concurrency_policy   text NOT NULL DEFAULT 'allow' CHECK (concurrency_policy IN ('allow', 'skip', 'queue', 'replace')),
      max_concurrent_runs  integer NOT NULL DEFAULT 1 CHECK (max_concurrent_runs BETWEEN 1 AND 1000),
      priority             integer NOT NULL DEFAULT 0 CHECK (priority BETWEEN -100 AND 100),
      env                  jsonb NOT NULL DEFAULT '{}',
      secret_env_encrypted text,
      memory_mb            integer CHECK (memory_mb BETWEEN 16 AND 1048576),
      cpu_millis           integer CHECK (cpu_millis BETWEEN 10 AND 256000),
      pids_limit           integer CHECK (pids_limit BETWEEN 8 AND 1000000),
      network_enabled      boolean NOT NULL DEFAULT false,
      created_at           timestamptz NOT NULL DEFAULT now(),
      updated_at           timestamptz NOT NULL DEFAULT now(),
      CHECK (type NOT IN ('bash', 'python', 'node') OR script IS NOT NULL),
      CHECK (type <> 'http' OR (http_method IS NOT NULL AND http_url IS NOT NULL)),
      CHECK (type <> 'tool' OR tool_action IS NOT NULL)
    );
    CREATE INDEX events_owner_id_idx ON events (owner_id, id);
    CREATE INDEX events_tags_idx ON events USING gin (tags);
    CREATE INDEX events_scheduled_idx ON events (id) WHERE status = 'active' AND schedule_cron IS NOT NULL;

    CREATE TABLE event_servers (
      event_id  bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
      server_id bigint NOT NULL REFERENCES servers (id) ON DELETE RESTRICT,
      PRIMARY KEY (event_id, server_id)
    );
    CREATE INDEX event_servers_server_id_idx ON event_servers (server_id);

    CREATE TABLE workflows (
      id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      owner_id          bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      name              text NOT NULL,
      description       text NOT NULL DEFAULT '',
      status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'draft', 'archived')),
      schedule_cron     text,
      schedule_timezone text NOT NULL DEFAULT 'UTC',
      schedule_cursor   timestamptz,
      created_at        timestamptz NOT NULL DEFAULT now(),
      updated_at        timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX workflows_owner_id_idx ON workflows (owner_id, id);

    CREATE TABLE workflow_nodes (
      id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      workflow_id bigint NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
      event_id    bigint NOT NULL REFERENCES events (id) ON DELETE RESTRICT,
      label       text NOT NULL DEFAULT '',
      position    jsonb NOT NULL DEFAULT '{"x":0,"y":0}'
    );
    CREATE INDEX workflow_nodes_workflow_id_idx ON workflow_nodes (workflow_id);

    CREATE TABLE workflow_edges (
      id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      workflow_id  bigint NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
      from_node_id bigint NOT NULL REFERENCES workflow_nodes (id) ON DELETE CASCADE,
      to_node_id   bigint NOT NULL REFERENCES workflow_nodes (id) ON DELETE CASCADE,
      condition    text NOT NULL DEFAULT 'always'
        CHECK (condition IN ('always', 'on_success', 'on_failure', 'on_condition_true', 'on_condition_false')),
      UNIQUE (from_node_id, to_node_id),
      CHECK (from_node_id <> to_node_id)
    );

    CREATE TABLE workflow_runs (
      id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      workflow_id bigint NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
      owner_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      status      text NOT NULL DEFAULT 'running'
        CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled', 'partial')),
      trigger     text NOT NULL CHECK (trigger IN ('schedule', 'manual', 'webhook')),
      input       jsonb,
      created_at  timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    );
    CREATE INDEX workflow_runs_workflow_id_idx ON workflow_runs (workflow_id, id DESC);

    -- One row per run: the queue entry, the attempt counter, the lease and the history.
    CREATE TABLE runs (
      id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      event_id            bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
      owner_id            bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      workflow_run_id     bigint REFERENCES workflow_runs (id) ON DELETE SET NULL,
      workflow_node_id    bigint REFERENCES workflow_nodes (id) ON DELETE SET NULL,
      trigger             text NOT NULL CHECK (trigger IN ('schedule', 'manual', 'webhook', 'workflow', 'retry')),
      status              text NOT NULL DEFAULT 'queued' CHECK (status IN
        ('scheduled', 'queued', 'running', 'cancelling', 'succeeded', 'failed', 'timed_out', 'cancelled', 'partial')),
      priority            integer NOT NULL DEFAULT 0,
      scheduled_for       timestamptz,
      run_at              timestamptz NOT NULL DEFAULT now(),
      input               jsonb,
      output              jsonb,
      condition           boolean,
      result              jsonb,
      attempt             integer NOT NULL DEFAULT 0,
      max_attempts        integer NOT NULL DEFAULT 1 CHECK (max_attempts >= 1),
      lease_owner         text,
      lease_expires_at    timestamptz,
      cancel_requested_at timestamptz,
      exit_code           integer,
      error               text,
      log_seq             integer NOT NULL DEFAULT 0,
      log_bytes           bigint NOT NULL DEFAULT 0,
      log_truncated       boolean NOT NULL DEFAULT false,
      idempotency_key     text,
      created_at          timestamptz NOT NULL DEFAULT now(),
      started_at          timestamptz,
      finished_at         timestamptz,
      duration_ms         integer,
      CHECK (status NOT IN ('running', 'cancelling') OR (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL))
    );
    CREATE INDEX runs_claimable_idx ON runs (priority DESC, run_at, id) WHERE status = 'queued';
    CREATE INDEX runs_leased_idx ON runs (lease_expires_at) WHERE status IN ('running', 'cancelling');
    CREATE INDEX runs_active_by_event_idx ON runs (event_id) WHERE status IN ('scheduled', 'queued', 'running', 'cancelling');
    CREATE INDEX runs_event_history_idx ON runs (event_id, id DESC);
    CREATE INDEX runs_owner_history_idx ON runs (owner_id, id DESC);
    CREATE INDEX runs_finished_at_idx ON runs (finished_at) WHERE finished_at IS NOT NULL;
    CREATE UNIQUE INDEX runs_idempotency_key_idx ON runs (event_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

    -- Per-server results of a multi-server (SSH) run.
    CREATE TABLE run_targets (
      id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      run_id      bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      server_id   bigint REFERENCES servers (id) ON DELETE SET NULL,
      attempt     integer NOT NULL,
      status      text NOT NULL DEFAULT 'queued' CHECK (status IN
        ('queued', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled')),
      exit_code   integer,
      error       text,
      started_at  timestamptz,
      finished_at timestamptz,
      UNIQUE (run_id, server_id, attempt)
    );

    -- Log lines live here, out of the hot runs table; (run_id, seq) orders them.
    CREATE TABLE run_log_chunks (
      run_id    bigint NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      seq       integer NOT NULL,
      attempt   integer NOT NULL,
      stream    text NOT NULL CHECK (stream IN ('stdout', 'stderr', 'system')),
      server_id bigint,
      logged_at timestamptz NOT NULL,
      data      text NOT NULL,
      PRIMARY KEY (run_id, seq)
    );

    -- The ledger: one row per due slot of a schedule and what became of it.
    CREATE TABLE schedule_ticks (
      id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      event_id   bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
      slot       timestamptz NOT NULL,
      outcome    text NOT NULL CHECK (outcome IN
        ('enqueued', 'skipped_overlap', 'missed_downtime', 'skipped_dst', 'skipped_paused', 'skipped_misfire_cap')),
      reason     text,
      run_id     bigint REFERENCES runs (id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (event_id, slot)
    );

    CREATE TABLE variables (
      id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      owner_id        bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      key             text NOT NULL CHECK (key ~ '^[A-Za-z_][A-Za-z0-9_.-]{0,127}$'),
      is_secret       boolean NOT NULL DEFAULT false,
      value           text,
      value_encrypted text,
      description     text NOT NULL DEFAULT '',
      created_at      timestamptz NOT NULL DEFAULT now(),
      updated_at      timestamptz NOT NULL DEFAULT now(),
      UNIQUE (owner_id, key),
      CHECK ((is_secret AND value IS NULL AND value_encrypted IS NOT NULL)
          OR (NOT is_secret AND value IS NOT NULL AND value_encrypted IS NULL))
    );

    CREATE TABLE webhooks (
      id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      owner_id          bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      name              text NOT NULL,
      event_id          bigint REFERENCES events (id) ON DELETE CASCADE,
      workflow_id       bigint REFERENCES workflows (id) ON DELETE CASCADE,
      token_prefix      text NOT NULL,
      token_hash        bytea NOT NULL UNIQUE,
      enabled           boolean NOT NULL DEFAULT true,
      created_at        timestamptz NOT NULL DEFAULT now(),
      last_triggered_at timestamptz,
      CHECK ((event_id IS NULL) <> (workflow_id IS NULL))
    );

    CREATE TABLE audit_log (
      id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      occurred_at timestamptz NOT NULL DEFAULT now(),
      actor_kind  text NOT NULL CHECK (actor_kind IN ('user', 'api_token', 'run', 'system')),
      actor_id    bigint REFERENCES users (id) ON DELETE SET NULL,
      actor_ref   text,
      action      text NOT NULL,
      target_type text,
      target_id   text,
      details     jsonb NOT NULL DEFAULT '{}',
      ip          text,
      user_agent  text
    );
    CREATE INDEX audit_log_occurred_at_idx ON audit_log (occurred_at DESC);
    CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, occurred_at DESC);

    CREATE TABLE settings (
      key        text PRIMARY KEY,
      value      jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      updated_by bigint REFERENCES users (id) ON DELETE SET NULL
    );
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP TABLE IF EXISTS settings, audit_log, webhooks, variables, schedule_ticks, run_log_chunks,
      run_targets, runs, workflow_runs, workflow_edges, workflow_nodes, workflows, event_servers,
      events, tool_credentials, servers, invitations, api_tokens, sessions, users CASCADE
  `.execute(db);
}
