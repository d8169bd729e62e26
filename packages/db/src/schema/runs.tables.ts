import type { ColumnType, Generated } from 'kysely';
import type {
  EventStatus,
  LogStream,
  RunStatus,
  RunTrigger,
  TickOutcome,
} from '@cronium/contracts';
import type { CreatedAt, Json, Timestamp, UpdatedAt } from './accounts.tables.ts';

type WithDefault<T> = ColumnType<T, T | undefined, T>;

export interface RunsTable {
  id: Generated<number>;
  event_id: number;
  owner_id: number;
  workflow_run_id: number | null;
  workflow_node_id: number | null;
  trigger: RunTrigger;
  status: WithDefault<RunStatus>;
  priority: WithDefault<number>;
  scheduled_for: Timestamp | null;
  run_at: ColumnType<Date, Date | string | undefined, Date | string>;
  input: Json | null;
  output: Json | null;
  condition: boolean | null;
  result: Json<Record<string, unknown>> | null;
  attempt: WithDefault<number>;
  max_attempts: WithDefault<number>;
  lease_losses: WithDefault<number>;
  lease_owner: string | null;
  lease_expires_at: Timestamp | null;
  cancel_requested_at: Timestamp | null;
  exit_code: number | null;
  error: string | null;
  log_seq: WithDefault<number>;
  log_bytes: WithDefault<number>;
  log_truncated: WithDefault<boolean>;
  idempotency_key: string | null;
  created_at: CreatedAt;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  duration_ms: number | null;
}

export interface RunTargetsTable {
  id: Generated<number>;
  run_id: number;
  server_id: number | null;
  attempt: number;
  status: WithDefault<'queued' | 'running' | 'succeeded' | 'failed' | 'timed_out' | 'cancelled'>;
  exit_code: number | null;
  error: string | null;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface RunLogChunksTable {
  run_id: number;
  seq: number;
  attempt: number;
  stream: LogStream;
  server_id: number | null;
  logged_at: Timestamp;
  data: string;
}

export interface ScheduleTicksTable {
  id: Generated<number>;
  /** An event's slot, or (with `workflow_id`) a workflow's. */
  event_id: number | null;
  workflow_id: number | null;
  slot: Timestamp;
  outcome: TickOutcome;
  reason: string | null;
  run_id: number | null;
  workflow_run_id: number | null;
  created_at: CreatedAt;
}

export interface WorkflowsTable {
  id: Generated<number>;
  owner_id: number;
  name: string;
  description: WithDefault<string>;
  status: WithDefault<EventStatus>;
  schedule_cron: string | null;
  schedule_timezone: WithDefault<string>;
  schedule_cursor: Timestamp | null;
  concurrency_policy: WithDefault<'allow' | 'skip'>;
  timeout_seconds: WithDefault<number>;
  schedule_next_at: Timestamp | null;
  misfire_policy: WithDefault<'all' | 'last' | 'none'>;
  misfire_max_catchup: WithDefault<number>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface WorkflowNodesTable {
  id: Generated<number>;
  workflow_id: number;
  /** Unique in its workflow: how inputs and mappings name it. */
  name: string;
  kind: WithDefault<WorkflowNodeKind>;
  event_id: number | null;
  tool_credential_id: number | null;
  tool_params: Json | null;
  child_workflow_id: number | null;
  join_mode: WithDefault<'all' | 'any'>;
  input_mapping: Json<Record<string, string>> | null;
  label: WithDefault<string>;
  position: ColumnType<
    { x: number; y: number },
    { x: number; y: number } | string | undefined,
    { x: number; y: number } | string
  >;
}

export type WorkflowNodeKind = 'event' | 'tool' | 'workflow';

export type EdgeCondition =
  'always' | 'on_success' | 'on_failure' | 'on_condition_true' | 'on_condition_false';

export interface WorkflowEdgesTable {
  id: Generated<number>;
  workflow_id: number;
  from_node_id: number;
  to_node_id: number;
  condition: WithDefault<EdgeCondition>;
}

export type WorkflowRunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out';
export type WorkflowRunTrigger = 'schedule' | 'manual' | 'webhook' | 'workflow' | 'rerun';

export interface WorkflowRunsTable {
  id: Generated<number>;
  workflow_id: number;
  owner_id: number;
  status: WithDefault<WorkflowRunStatus>;
  trigger: WorkflowRunTrigger;
  input: Json | null;
  /** The graph as it was when the run started (a `WorkflowGraph`). */
  graph: Json;
  output: Json | null;
  error: string | null;
  depth: WithDefault<number>;
  parent_run_id: number | null;
  parent_node_id: number | null;
  rerun_of: number | null;
  /** Names the delivery that started it (a webhook's), unique per workflow. */
  idempotency_key: string | null;
  deadline_at: ColumnType<Date, Date | string, Date | string>;
  created_at: CreatedAt;
  finished_at: Timestamp | null;
}

export type WorkflowNodeState =
  'waiting' | 'started' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export interface WorkflowNodeRunsTable {
  workflow_run_id: number;
  node_id: number;
  state: WithDefault<WorkflowNodeState>;
  run_id: number | null;
  child_run_id: number | null;
  output: Json | null;
  condition: boolean | null;
  error: string | null;
  reused: WithDefault<boolean>;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  /** A tool node's send: due at (null when not waiting to be sent), tries, its lease. */
  send_due_at: Timestamp | null;
  send_tries: WithDefault<number>;
  lease_owner: string | null;
  lease_expires_at: Timestamp | null;
  /** A tool node's input (an event node's is its run's). */
  input: Json | null;
}

/** When a conditional action fires, by how its run ended. */
export type ActionOutcome = 'success' | 'failure' | 'always' | 'condition_true' | 'condition_false';

/** What an event does after each of its runs ends (a tool action, by the run's outcome). */
export interface EventActionsTable {
  id: Generated<number>;
  event_id: number;
  position: number;
  on_outcome: ActionOutcome;
  /** A tool action: the credential and its params (or both null). */
  tool_credential_id: number | null;
  tool_params: Json | null;
  /** Or another event to start, with the run's output as its input. */
  target_event_id: number | null;
}

/** The outbox: one row per run and action due, written with the run's outcome. */
export interface RunActionsTable {
  run_id: number;
  action_id: number;
  status: WithDefault<'pending' | 'running' | 'succeeded' | 'failed'>;
  tries: WithDefault<number>;
  run_at: ColumnType<Date, Date | string | undefined, Date | string>;
  lease_owner: string | null;
  lease_expires_at: Timestamp | null;
  error: string | null;
  result: Json | null;
  created_at: CreatedAt;
  finished_at: Timestamp | null;
}
