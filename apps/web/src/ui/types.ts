// What the API answers, as the UI reads it: the REST API's own schemas (types only, so no
// schema code reaches the browser).
import type { Static } from '@sinclair/typebox';
import type * as events from '../api/v1/event-schemas.ts';
import type * as accounts from '../api/v1/schemas.ts';
import type * as servers from '../api/v1/server-schemas.ts';
import type * as overview from '../api/v1/overview.ts';
import type * as webhooks from '../api/v1/webhook-schemas.ts';
import type * as workflows from '../api/v1/workflow-schemas.ts';

export type EventItem = Static<typeof events.Event>;
export type EventListItem = Static<typeof events.EventListItem>;
export type Run = Static<typeof events.Run>;
export type LogLine = Static<typeof events.LogLine>;
export type User = Static<typeof accounts.User>;
export type ApiToken = Static<typeof accounts.ApiToken>;
export type Server = Static<typeof servers.Server>;
export type Webhook = Static<typeof webhooks.Webhook>;
export type WebhookWithSecret = Static<typeof webhooks.WebhookWithSecret>;

export type RunSummary = Static<typeof overview.RunSummary>;
export type SchedulePreview = Static<typeof overview.SchedulePreview>;
export type Settings = Static<typeof overview.Settings>;

export type Workflow = Static<typeof workflows.Workflow>;
export type WorkflowListItem = Static<typeof workflows.WorkflowListItem>;
export type WorkflowNode = Static<typeof workflows.WorkflowNode>;
export type WorkflowEdge = Static<typeof workflows.WorkflowEdge>;
export type WorkflowRun = Static<typeof workflows.WorkflowRun>;
export type WorkflowRunListItem = Static<typeof workflows.WorkflowRunListItem>;
export type WorkflowNodeState = WorkflowRun['nodes'][number]['state'];
export type EdgeOn = NonNullable<WorkflowEdge['on']>;
