// What a webhook starts: an event or a workflow (docs/webhooks.md). The target decides where
// its hooks are listed and added; everything else about a hook is the same for both.
export interface WebhookTarget {
  kind: 'event' | 'workflow';
  id: number;
}

/** The API path of the target's webhooks (`GET` lists them, `POST` adds one). */
export const webhooksPath = (target: WebhookTarget) => `/${target.kind}s/${target.id}/webhooks`;
