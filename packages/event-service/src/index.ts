export { checkEventInput, type EventInput } from './event-input.ts';
export { eventView, type EventView } from './event-view.ts';
export {
  listEvents,
  readEvent,
  createEvent,
  updateEvent,
  deleteEvent,
  ownedEvent,
  type EventFilter,
  type EventListItem,
  EVENT_SORTS,
} from './events.ts';
export {
  triggerEventRun,
  readRun,
  listRuns,
  readRunLogLines,
  cancelRun,
  listScheduleTicks,
  type RunView,
  type RunFilter,
} from './runs.ts';
export { summarizeRuns, type RunSummary, type RunBrief } from './run-summary.ts';
export {
  listVariables,
  readVariableView,
  putVariable,
  deleteVariable,
  listAuditLog,
  type VariableView,
} from './variables.ts';
export {
  listServers,
  readServer,
  createServer,
  updateServer,
  deleteServer,
  scanServerHostKey,
  confirmServerHostKey,
  testServerConnection,
  type ServerView,
} from './servers.ts';
export { checkServerInput, type ServerInput, type ServerAuthInput } from './server-input.ts';
export {
  checkEventPrivileges,
  checkQueuedRuns,
  checkQuota,
  checkVariableBytes,
  DEFAULT_OWNER_LIMITS,
  type OwnerLimits,
} from './owner-limits.ts';
export { checkRunAt, MAX_RUN_AT_AHEAD_MS, MAX_RUN_AT_PAST_MS } from './run-at.ts';
export {
  listToolCredentialViews,
  readToolCredentialView,
  createToolCredential,
  changeToolCredential,
  removeToolCredential,
  testToolCredential,
  toolCredentialView,
  type ToolCredentialView,
} from './tool-credentials.ts';
export { MAX_EVENT_ACTIONS, type EventAction } from './event-actions.ts';
export {
  checkWorkflowGraph,
  MAX_WORKFLOW_EDGES,
  MAX_WORKFLOW_NODES,
  NODE_NAME_PATTERN,
  type EdgeOn,
  type WorkflowInput,
  type WorkflowNodeInput,
  type WorkflowEdgeInput,
} from './workflow-input.ts';
export {
  createWorkflow,
  deleteWorkflow,
  listWorkflows,
  ownedWorkflow,
  readWorkflow,
  updateWorkflow,
  type WorkflowListItem,
  type WorkflowView,
} from './workflows.ts';
export {
  cancelWorkflowRunFor,
  listWorkflowRuns,
  listWorkflowTicks,
  readWorkflowRun,
  rerunWorkflowRunFor,
  runWorkflow,
  type WorkflowRunListItem,
  type WorkflowRunView,
} from './workflow-runs.ts';
export {
  listWebhooks,
  readWebhook,
  createWebhook,
  changeWebhook,
  rotateWebhook,
  removeWebhook,
  webhookView,
  webhookPath,
  MAX_WEBHOOKS_PER_EVENT,
  MAX_ROTATION_GRACE_SECONDS,
  DEFAULT_ROTATION_GRACE_SECONDS,
  type WebhookView,
  type WebhookInput,
} from './webhooks.ts';
export {
  deliverWebhook,
  WEBHOOK_MAX_BODY_BYTES,
  type WebhookDeliveryDeps,
  type WebhookRequest,
} from './webhook-delivery.ts';
export { WEBHOOK_MAX_WAIT_SECONDS, type WebhookAnswer } from './webhook-answer.ts';
export { WebhookRateLimiter } from './webhook-rate-limit.ts';
