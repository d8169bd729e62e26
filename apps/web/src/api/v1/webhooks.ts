// Inbound webhooks: managing an event's or a workflow's hooks (session or API token), and the public URL a
// hook is called at, authenticated by the hook's secret alone (docs/webhooks.md).
import { Type } from '@sinclair/typebox';
import {
  changeWebhook,
  createWebhook,
  deliverWebhook,
  listWebhooks,
  readWebhook,
  removeWebhook,
  rotateWebhook,
  DEFAULT_ROTATION_GRACE_SECONDS,
  MAX_ROTATION_GRACE_SECONDS,
  MAX_WEBHOOKS_PER_EVENT,
  WEBHOOK_MAX_BODY_BYTES,
  WEBHOOK_MAX_WAIT_SECONDS,
} from '@cronium/event-service';
import type { WebDeps } from '../../server/web-deps.ts';
import { answer, apiRoute } from '../api-route.ts';
import { idParam } from '../request-params.ts';
import {
  HookRunEnded,
  HookRunStarted,
  Webhook,
  WebhookSettings as Settings,
  WebhookWithSecret as WithSecret,
} from './webhook-schemas.ts';

const tags = ['webhooks'];
const Strict = { additionalProperties: false } as const;
const problem = (description: string) => ({ description });
const notYours = problem('no such webhook of yours');

/** Where the installation is reached (CRONIUM_PUBLIC_URL), for the hooks' URLs. */
const origin = (deps: WebDeps) => deps.publicOrigin.origins[0]!;

/** What a webhook starts, as its routes name it: the path of its hooks and the words. */
const TARGETS = {
  event: { path: '/api/v1/events/{id}/webhooks', noun: 'an event', whose: "An event's" },
  workflow: { path: '/api/v1/workflows/{id}/webhooks', noun: 'a workflow', whose: "A workflow's" },
} as const;

/** A new hook: only the name is required, the rest has defaults. */
const NewWebhook = Type.Object(
  {
    name: Settings.name,
    enabled: Type.Optional(Settings.enabled),
    authMode: Type.Optional(Settings.authMode),
    headers: Type.Optional(Settings.headers),
    rateLimitPerMinute: Type.Optional(Settings.rateLimitPerMinute),
    replayWindowSeconds: Type.Optional(Settings.replayWindowSeconds),
  },
  Strict,
);

/**
 * The hooks of one kind of target, an event's or a workflow's: list them, add one. The two
 * kinds' routes differ only in their paths and words.
 */
function targetWebhookRoutes(kind: keyof typeof TARGETS) {
  const { path, noun, whose } = TARGETS[kind];
  const target = (id: string | undefined) => ({ kind, id: idParam(id) });
  return {
    list: apiRoute(
      'GET',
      path,
      {
        summary: `${whose} webhooks, oldest first (never their secrets)`,
        tags,
        scope: 'webhooks:read',
        responses: { 200: { description: 'webhooks', schema: Type.Array(Webhook) }, 404: notYours },
      },
      async ({ deps, principal, params }) =>
        listWebhooks(deps.db, principal, target(params.id), origin(deps)),
    ),
    create: apiRoute(
      'POST',
      path,
      {
        summary: `Add a webhook to ${noun} (at most ${MAX_WEBHOOKS_PER_EVENT}); the answer has its URL and its secret, shown once`,
        tags,
        scope: 'webhooks:write',
        body: NewWebhook,
        responses: {
          201: { description: 'created', schema: WithSecret },
          404: problem(`no such ${kind} of yours`),
          409: problem(`the ${kind} has ${MAX_WEBHOOKS_PER_EVENT} webhooks`),
          422: problem('a header that carries credentials, or is not a header name'),
        },
      },
      async ({ deps, principal, params, body, meta }) =>
        answer(
          201,
          await createWebhook(
            deps.db,
            deps.box,
            principal,
            target(params.id),
            body,
            origin(deps),
            meta,
          ),
        ),
    ),
  };
}

const eventWebhooks = targetWebhookRoutes('event');
const workflowWebhooks = targetWebhookRoutes('workflow');
export const getEventWebhooks = eventWebhooks.list;
export const postEventWebhook = eventWebhooks.create;
export const getWorkflowWebhooks = workflowWebhooks.list;
export const postWorkflowWebhook = workflowWebhooks.create;

export const getWebhook = apiRoute(
  'GET',
  '/api/v1/webhooks/{id}',
  {
    summary: 'One webhook (never its secret)',
    tags,
    scope: 'webhooks:read',
    responses: { 200: { description: 'the webhook', schema: Webhook }, 404: notYours },
  },
  async ({ deps, principal, params }) =>
    readWebhook(deps.db, principal, idParam(params.id), origin(deps)),
);

export const patchWebhook = apiRoute(
  'PATCH',
  '/api/v1/webhooks/{id}',
  {
    summary: 'Rename, enable or disable a webhook, or change its mode, headers or limits',
    tags,
    scope: 'webhooks:write',
    body: Type.Partial(Type.Object(Settings), { ...Strict, minProperties: 1 }),
    responses: {
      200: { description: 'the webhook', schema: Webhook },
      404: notYours,
      422: problem('a header that carries credentials, or is not a header name'),
    },
  },
  async ({ deps, principal, params, body, meta }) =>
    changeWebhook(deps.db, principal, idParam(params.id), body, origin(deps), meta),
);

export const deleteWebhookRoute = apiRoute(
  'DELETE',
  '/api/v1/webhooks/{id}',
  {
    summary: 'Delete a webhook: its URL answers 404 from then on',
    tags,
    scope: 'webhooks:write',
    responses: { 204: { description: 'deleted' }, 404: notYours },
  },
  async ({ deps, principal, params, meta }) => {
    await removeWebhook(deps.db, principal, idParam(params.id), meta);
  },
);

export const postWebhookRotate = apiRoute(
  'POST',
  '/api/v1/webhooks/{id}/rotate',
  {
    summary:
      'Give a webhook a new secret (shown once); the old one is accepted for graceSeconds more',
    tags,
    scope: 'webhooks:write',
    body: Type.Object(
      {
        graceSeconds: Type.Optional(
          Type.Integer({
            minimum: 0,
            maximum: MAX_ROTATION_GRACE_SECONDS,
            description: `how long the old secret still works (default ${DEFAULT_ROTATION_GRACE_SECONDS}; 0: not at all)`,
          }),
        ),
      },
      Strict,
    ),
    responses: { 200: { description: 'the new secret', schema: WithSecret }, 404: notYours },
  },
  async ({ deps, principal, params, body, meta }) =>
    rotateWebhook(
      deps.db,
      deps.box,
      principal,
      idParam(params.id),
      body.graceSeconds ?? DEFAULT_ROTATION_GRACE_SECONDS,
      origin(deps),
      meta,
    ),
);

export const postHook = apiRoute(
  'POST',
  '/api/v1/hooks/{publicId}',
  {
    summary:
      "Call a webhook: starts its event with the request as the run's input. Authenticated by the hook's secret only (X-Cronium-Timestamp and X-Cronium-Signature, or Authorization: Bearer), see docs/webhooks.md",
    tags,
    auth: 'webhook',
    rawBody: {
      description: `JSON, a urlencoded form, or anything else (text or bytes), up to ${WEBHOOK_MAX_BODY_BYTES} bytes`,
    },
    query: Type.Object({
      wait: Type.Optional(
        Type.Integer({
          minimum: 0,
          maximum: WEBHOOK_MAX_WAIT_SECONDS,
          description: 'seconds to wait for the run to end and answer its output',
        }),
      ),
    }),
    responses: {
      200: { description: 'with ?wait=: the run ended in time', schema: HookRunEnded },
      202: { description: 'the run was started (Location: the run)', schema: HookRunStarted },
      400: problem('the body is not what its Content-Type says, or a bad Idempotency-Key'),
      401: problem('unsigned, a wrong signature or secret, or a timestamp outside the window'),
      403: problem("the webhook's owner is disabled"),
      404: problem('no such webhook, or it is disabled'),
      409: problem('the event is paused, or the concurrency policy skipped the run'),
      413: problem(`the body is over ${WEBHOOK_MAX_BODY_BYTES} bytes`),
      415: problem('multipart/form-data'),
      429: problem("the webhook's rate limit, or the owner's trigger rate or queue"),
    },
  },
  async ({ deps, params, query, headers, readBody, signal, meta }) => {
    const delivered = await deliverWebhook(
      {
        db: deps.db,
        box: deps.box,
        limits: deps.ownerLimits,
        hookDeliveries: deps.hookDeliveries,
        ownerTriggers: deps.triggers,
      },
      { publicId: params.publicId!, headers, readBody, wait: query.wait ?? 0, meta, signal },
    );
    return answer(delivered.status, delivered.body, delivered.headers);
  },
);
