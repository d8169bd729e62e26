// A request to a webhook's URL, from lookup to the run (docs/webhooks.md). Authenticated by
// the hook's secret alone; every refusal is audited, counted per hook, reason and minute.
import type { RequestMeta } from '@cronium/accounts';
import type { ErrorCode } from '@cronium/contracts';
import type { SecretBox } from '@cronium/crypto';
import {
  markWebhookTriggered,
  readWebhookForDelivery,
  recordWebhookRefusal,
  type Db,
  type WebhookForDelivery,
} from '@cronium/db';
import { findRunByIdempotencyKey, findWorkflowRunByIdempotencyKey } from '@cronium/run-queue';
import { AppError } from '@cronium/service-kit/errors';
import { answerWithRun, answerWithWorkflowRun, type WebhookAnswer } from './webhook-answer.ts';
import { checkBearer, checkSignature, checkSignatureHeaders } from './webhook-auth.ts';
import { chosenHeaders, IDEMPOTENCY_KEY, parseWebhookBody } from './webhook-input.ts';
import { checkQueuedRuns, type OwnerLimits } from './owner-limits.ts';
import type { WebhookRateLimiter } from './webhook-rate-limit.ts';
import { startEventRun, startWorkflowFromHook } from './webhook-target.ts';

/** The largest body a webhook accepts, in bytes. */
export const WEBHOOK_MAX_BODY_BYTES = 1_048_576;
const PUBLIC_ID = /^[A-Za-z0-9_-]{16,64}$/;

export interface WebhookDeliveryDeps {
  db: Db;
  box: SecretBox;
  limits: OwnerLimits;
  /** Each hook's own deliveries per minute. */
  hookDeliveries: WebhookRateLimiter;
  /** The owner's triggers per minute, shared with the API's (seconds to wait, or 0). */
  ownerTriggers: { reserve(keys: string[]): number };
}

export interface WebhookRequest {
  publicId: string;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body, at most `maxBytes`; undefined when it is longer. */
  readBody(maxBytes: number): Promise<Buffer | undefined>;
  /** Seconds to wait for the run to end (0: answer at once). */
  wait: number;
  meta: RequestMeta;
  /** Aborted when the client goes away (a wait ends early). */
  signal?: AbortSignal;
  now?: number;
}

type Refuse = (
  reason: string,
  code: ErrorCode,
  message: string,
  extra?: { headers?: Record<string, string>; pointer?: string },
) => Promise<never>;

/**
 * Answers one webhook request: finds the hook, authenticates the request by the hook's mode,
 * checks its target, turns the body and chosen headers into the input, and starts the run
 * once per delivery (an Idempotency-Key, or in HMAC mode the signature itself, names the
 * delivery: a retry or a replay within the window answers the run it created).
 */
export async function deliverWebhook(
  deps: WebhookDeliveryDeps,
  request: WebhookRequest,
): Promise<WebhookAnswer> {
  const { db } = deps;
  const now = request.now ?? Date.now();
  const hook = PUBLIC_ID.test(request.publicId)
    ? await readWebhookForDelivery(db, deps.box, request.publicId)
    : undefined;
  const refuse: Refuse = async (reason, code, message, extra = {}) => {
    const error = new AppError(code, message, {
      ...(extra.headers ? { headers: extra.headers } : {}),
      ...(extra.pointer ? { errors: [{ pointer: extra.pointer, message }] } : {}),
    });
    await recordWebhookRefusal(db, {
      webhookId: hook?.id ?? null,
      reason,
      status: error.status,
      ip: request.meta.ip,
      userAgent: request.meta.userAgent,
      details: hook
        ? {
            ...(hook.workflow_id !== null
              ? { workflowId: hook.workflow_id }
              : { eventId: hook.event_id }),
            ownerId: hook.owner_id,
          }
        : { publicId: request.publicId.slice(0, 64) },
    });
    throw error;
  };
  if (!hook) return refuse('unknown_hook', 'NOT_FOUND', 'no such webhook');
  if (!hook.enabled) return refuse('disabled', 'NOT_FOUND', 'no such webhook');

  const { body, signature } = await authenticatedBody(hook, request, now, refuse);

  if (hook.owner.status !== 'active')
    return refuse('owner_disabled', 'FORBIDDEN', 'the owner of this webhook is disabled');
  // What it starts: its event, or its workflow.
  const target = hook.event
    ? { kind: 'event' as const, ...hook.event }
    : hook.workflow
      ? { kind: 'workflow' as const, ...hook.workflow }
      : undefined;
  if (!target)
    return refuse('no_target', 'NOT_FOUND', 'this webhook has no target that can be started');
  if (target.status !== 'active')
    return refuse(
      `${target.kind}_not_active`,
      'CONFLICT',
      `the ${target.kind} is ${target.status}: it accepts webhook deliveries only while active`,
    );

  const parsed = parseWebhookBody(body, single(request.headers['content-type']));
  if ('kind' in parsed)
    return parsed.kind === 'unsupported_type'
      ? refuse('unsupported_type', 'UNSUPPORTED_MEDIA_TYPE', parsed.message)
      : refuse('bad_body', 'BAD_REQUEST', parsed.message, { pointer: parsed.pointer });

  const givenKey = single(request.headers['idempotency-key']);
  if (givenKey !== undefined && !IDEMPOTENCY_KEY.test(givenKey))
    return refuse(
      'bad_idempotency_key',
      'VALIDATION_FAILED',
      'Idempotency-Key must be 1-255 printable ASCII characters',
    );
  const deliveryKey =
    givenKey !== undefined
      ? `webhook:${hook.id}:key:${givenKey}`
      : signature !== undefined
        ? `webhook:${hook.id}:sig:${signature}`
        : undefined;

  if (deliveryKey && target.kind === 'event') {
    const earlier = await findRunByIdempotencyKey(db, target.id, deliveryKey);
    if (earlier) return answerWithRun(db, earlier, true, request);
  } else if (deliveryKey) {
    const earlier = await findWorkflowRunByIdempotencyKey(db, target.id, deliveryKey);
    if (earlier) return answerWithWorkflowRun(db, earlier, true, request);
  }

  const hookWait = deps.hookDeliveries.reserve(hook.id, hook.rate_limit_per_minute, now);
  if (hookWait > 0)
    return refuse(
      'rate_limited',
      'RATE_LIMITED',
      `this webhook takes ${hook.rate_limit_per_minute} deliveries a minute; try again in ${hookWait} s`,
      { headers: { 'retry-after': String(hookWait) } },
    );
  const ownerWait = deps.ownerTriggers.reserve([`user:${hook.owner_id}`]);
  if (ownerWait > 0)
    return refuse(
      'rate_limited',
      'RATE_LIMITED',
      `the event's owner triggered too many runs; try again in ${ownerWait} s`,
      { headers: { 'retry-after': String(ownerWait) } },
    );
  try {
    await checkQueuedRuns(
      db,
      { userId: hook.owner_id, role: hook.owner.role },
      deps.limits,
      "the event's owner has",
    );
  } catch (error) {
    if (error instanceof AppError)
      return refuse('queue_full', error.code, error.message, { headers: error.headers });
    throw error;
  }

  const input = {
    body: parsed.body,
    bodyType: parsed.bodyType,
    contentType: single(request.headers['content-type']) ?? null,
    headers: chosenHeaders(request.headers, hook.input_headers),
    receivedAt: new Date(now).toISOString(),
    webhook: { id: hook.id, name: hook.name },
  };
  if (target.kind === 'event') {
    const started = await startEventRun(db, hook, target.id, input, deliveryKey, request.meta);
    if (started.outcome === 'skipped' || started.outcome === 'gone')
      return refuseStart(started, refuse);
    await markWebhookTriggered(db, hook.id);
    return answerWithRun(db, started.run, started.outcome === 'duplicate', request);
  }
  const started = await startWorkflowFromHook(
    db,
    hook,
    target.id,
    input,
    deliveryKey,
    request.meta,
  );
  if (started.outcome === 'skipped' || started.outcome === 'gone')
    return refuseStart(started, refuse);
  await markWebhookTriggered(db, hook.id);
  return answerWithWorkflowRun(db, started.run, started.outcome === 'duplicate', request);
}

/** A start that did not happen: skipped by the target's policy (409), or the target is gone. */
function refuseStart(
  started: { outcome: 'skipped'; reason: string } | { outcome: 'gone' },
  refuse: Refuse,
): Promise<never> {
  return started.outcome === 'skipped'
    ? refuse('skipped', 'CONFLICT', `not run: ${started.reason}`)
    : refuse('unknown_hook', 'NOT_FOUND', 'no such webhook');
}

/**
 * The raw body of an authenticated request. Bearer mode checks the secret before reading it;
 * HMAC mode checks the timestamp first and the signature over the body after.
 */
async function authenticatedBody(
  hook: WebhookForDelivery,
  request: WebhookRequest,
  now: number,
  refuse: Refuse,
): Promise<{ body: Buffer; signature?: string }> {
  const unauthenticated = (reason: string, message: string) =>
    refuse(reason, 'UNAUTHENTICATED', message, {
      headers: {
        'www-authenticate':
          hook.auth_mode === 'bearer'
            ? 'Bearer realm="cronium-webhook"'
            : 'X-Cronium-Signature realm="cronium-webhook"',
      },
    });
  let timestamp: number | undefined;
  if (hook.auth_mode === 'bearer') {
    const bearer = checkBearer(request.headers, hook.secrets);
    if ('reason' in bearer) return unauthenticated(bearer.reason, bearer.message);
  } else {
    const checked = checkSignatureHeaders(request.headers, hook.replay_window_seconds, now);
    if ('reason' in checked) return unauthenticated(checked.reason, checked.message);
    timestamp = checked.timestamp;
  }
  const tooLarge = () =>
    refuse(
      'too_large',
      'PAYLOAD_TOO_LARGE',
      `webhook bodies are limited to ${WEBHOOK_MAX_BODY_BYTES} bytes`,
      { headers: { connection: 'close' } },
    );
  const declared = Number(single(request.headers['content-length']));
  if (declared > WEBHOOK_MAX_BODY_BYTES) return tooLarge();
  const body = await request.readBody(WEBHOOK_MAX_BODY_BYTES);
  if (!body) return tooLarge();
  if (timestamp === undefined) return { body };
  const signed = checkSignature(request.headers, timestamp, body, hook.secrets);
  if ('reason' in signed) return unauthenticated(signed.reason, signed.message);
  return { body, signature: signed.signature };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
