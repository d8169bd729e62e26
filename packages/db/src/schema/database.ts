import type * as A from './accounts.tables.ts';
import type * as E from './events.tables.ts';
import type * as R from './runs.tables.ts';

/** The typed shape of the whole database, as kysely sees it. */
export interface Database {
  users: A.UsersTable;
  sessions: A.SessionsTable;
  api_tokens: A.ApiTokensTable;
  invitations: A.InvitationsTable;
  audit_log: A.AuditLogTable;
  settings: A.SettingsTable;
  servers: E.ServersTable;
  tool_credentials: E.ToolCredentialsTable;
  events: E.EventsTable;
  event_servers: E.EventServersTable;
  variables: E.VariablesTable;
  webhooks: E.WebhooksTable;
  runs: R.RunsTable;
  run_targets: R.RunTargetsTable;
  run_log_chunks: R.RunLogChunksTable;
  schedule_ticks: R.ScheduleTicksTable;
  workflows: R.WorkflowsTable;
  workflow_nodes: R.WorkflowNodesTable;
  workflow_edges: R.WorkflowEdgesTable;
  workflow_runs: R.WorkflowRunsTable;
  workflow_node_runs: R.WorkflowNodeRunsTable;
  event_actions: R.EventActionsTable;
  run_actions: R.RunActionsTable;
}
