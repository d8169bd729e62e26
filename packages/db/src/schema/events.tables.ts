import type { ColumnType, Generated } from 'kysely';
import type {
  ConcurrencyPolicy,
  EventStatus,
  EventType,
  MisfirePolicy,
  TargetKind,
  ToolKind,
  WebhookAuthMode,
} from '@cronium/contracts';
import type { CreatedAt, Json, Timestamp, UpdatedAt } from './accounts.tables.ts';

type WithDefault<T> = ColumnType<T, T | undefined, T>;

export interface EventsTable {
  id: Generated<number>;
  owner_id: number;
  name: string;
  description: WithDefault<string>;
  type: EventType;
  status: WithDefault<EventStatus>;
  tags: WithDefault<string[]>;
  script: string | null;
  http_method: string | null;
  http_url: string | null;
  http_headers: ColumnType<
    Record<string, string>,
    Record<string, string> | string | undefined,
    Record<string, string> | string
  >;
  http_body: string | null;
  tool_credential_id: number | null;
  tool_action: Json<Record<string, unknown>> | null;
  schedule_cron: string | null;
  schedule_timezone: WithDefault<string>;
  schedule_starts_at: Timestamp | null;
  schedule_ends_at: Timestamp | null;
  schedule_cursor: Timestamp | null;
  schedule_next_at: Timestamp | null;
  misfire_policy: WithDefault<MisfirePolicy>;
  misfire_max_catchup: WithDefault<number>;
  target_kind: WithDefault<TargetKind>;
  image: string | null;
  timeout_seconds: WithDefault<number>;
  retry_max_attempts: WithDefault<number>;
  retry_delay_seconds: WithDefault<number>;
  retry_backoff_factor: WithDefault<number>;
  concurrency_policy: WithDefault<ConcurrencyPolicy>;
  max_concurrent_runs: WithDefault<number>;
  priority: WithDefault<number>;
  env: ColumnType<
    Record<string, string>,
    Record<string, string> | string | undefined,
    Record<string, string> | string
  >;
  secret_env_encrypted: string | null;
  secret_env_keys: WithDefault<string[]>;
  memory_mb: number | null;
  cpu_millis: number | null;
  pids_limit: number | null;
  network_enabled: WithDefault<boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface EventServersTable {
  event_id: number;
  server_id: number;
}

export interface ServersTable {
  id: Generated<number>;
  owner_id: number;
  name: string;
  host: string;
  port: WithDefault<number>;
  username: string;
  auth_method: 'private_key' | 'password';
  credential_encrypted: string;
  passphrase_encrypted: string | null;
  host_key_fingerprint: string | null;
  host_key_confirmed_at: Timestamp | null;
  max_connections: WithDefault<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ToolCredentialsTable {
  id: Generated<number>;
  owner_id: number;
  kind: ToolKind;
  name: string;
  config_encrypted: string;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface VariablesTable {
  id: Generated<number>;
  owner_id: number;
  key: string;
  is_secret: WithDefault<boolean>;
  value: string | null;
  value_encrypted: string | null;
  description: WithDefault<string>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface WebhooksTable {
  id: Generated<number>;
  owner_id: number;
  name: string;
  /** Exactly one of event_id and workflow_id (workflow targets are not built yet). */
  event_id: number | null;
  workflow_id: number | null;
  /** The random id in the hook's URL. */
  public_id: string;
  /** The secret's first characters, to tell secrets apart (`crw_AbCd`). */
  secret_prefix: string;
  /** SecretBox, bound to `webhooks:<id>:secret`. */
  secret_encrypted: string;
  /** The secret before the last rotation, bound to `webhooks:<id>:previous_secret`. */
  previous_secret_encrypted: string | null;
  previous_secret_expires_at: Timestamp | null;
  auth_mode: WithDefault<WebhookAuthMode>;
  /** Lower-case names of the request headers copied into the run's input. */
  input_headers: WithDefault<string[]>;
  rate_limit_per_minute: WithDefault<number>;
  replay_window_seconds: WithDefault<number>;
  enabled: WithDefault<boolean>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  last_triggered_at: Timestamp | null;
}
