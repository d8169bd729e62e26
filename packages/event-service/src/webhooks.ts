import { randomBytes } from 'node:crypto';
import { auditAction, maySeeOwnedBy, type Principal, type RequestMeta } from '@cronium/accounts';
import type { WebhookAuthMode } from '@cronium/contracts';
import type { SecretBox } from '@cronium/crypto';
import {
  countTargetWebhooks,
  deleteWebhook,
  findWebhook,
  insertWebhook,
  listTargetWebhooks,
  type WebhookTarget,
  rotateWebhookSecret,
  updateWebhook,
  type Db,
  type WebhookRow,
} from '@cronium/db';
import { AppError } from '@cronium/service-kit/errors';
import { ownedEvent } from './events.ts';
import { ownedWorkflow } from './workflows.ts';
import { checkedInputHeaders } from './webhook-input.ts';

/** How many webhooks one event may have. */
export const MAX_WEBHOOKS_PER_EVENT = 20;
/** The longest a rotated-out secret may stay valid, and how long it does by default. */
export const MAX_ROTATION_GRACE_SECONDS = 7 * 86_400;
export const DEFAULT_ROTATION_GRACE_SECONDS = 86_400;

/** Where webhooks are delivered, under the installation's public origin. */
export function webhookPath(publicId: string): string {
  return `/api/v1/hooks/${publicId}`;
}

/** A webhook as the API shows it: never its secret, only the secret's first characters. */
export function webhookView(row: WebhookRow, origin: string) {
  return {
    id: row.id,
    eventId: row.event_id === null ? null : Number(row.event_id),
    workflowId: row.workflow_id === null ? null : Number(row.workflow_id),
    name: row.name,
    enabled: row.enabled,
    url: origin + webhookPath(row.public_id),
    authMode: row.auth_mode,
    headers: row.input_headers,
    rateLimitPerMinute: row.rate_limit_per_minute,
    replayWindowSeconds: row.replay_window_seconds,
    secretPrefix: row.secret_prefix,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastTriggeredAt: row.last_triggered_at,
  };
}
export type WebhookView = ReturnType<typeof webhookView>;

export interface WebhookInput {
  name: string;
  enabled?: boolean;
  authMode?: WebhookAuthMode;
  headers?: string[];
  rateLimitPerMinute?: number;
  replayWindowSeconds?: number;
}

/**
 * A new secret: 256 random bits with the `crw_` prefix @cronium/auth reserves for webhook
 * secrets (recognisable when leaked), and the characters shown to tell secrets apart.
 */
function newSecret(): { secret: string; secretPrefix: string } {
  const secret = `crw_${randomBytes(32).toString('base64url')}`;
  return { secret, secretPrefix: secret.slice(0, 8) };
}

function settings(input: Partial<WebhookInput>) {
  return {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    ...(input.authMode !== undefined ? { authMode: input.authMode } : {}),
    ...(input.headers !== undefined ? { inputHeaders: checkedInputHeaders(input.headers) } : {}),
    ...(input.rateLimitPerMinute !== undefined
      ? { rateLimitPerMinute: input.rateLimitPerMinute }
      : {}),
    ...(input.replayWindowSeconds !== undefined
      ? { replayWindowSeconds: input.replayWindowSeconds }
      : {}),
  };
}

/** Which event or workflow a hook starts, for its audit entries. */
const targetOf = (row: WebhookRow) =>
  row.workflow_id !== null ? { workflowId: Number(row.workflow_id) } : { eventId: row.event_id };

/** The event or workflow, if the caller may see it (404 otherwise): its owner. */
async function ownedTarget(db: Db, principal: Principal, target: WebhookTarget) {
  const row =
    target.kind === 'event'
      ? await ownedEvent(db, principal, target.id)
      : await ownedWorkflow(db, principal, target.id);
  return { ownerId: Number(row.owner_id) };
}

/** The webhooks of an event or a workflow the caller may see, oldest first. */
export async function listWebhooks(
  db: Db,
  principal: Principal,
  target: WebhookTarget,
  origin: string,
): Promise<WebhookView[]> {
  await ownedTarget(db, principal, target);
  return (await listTargetWebhooks(db, target)).map((row) => webhookView(row, origin));
}

async function ownedWebhook(db: Db, principal: Principal, id: number): Promise<WebhookRow> {
  const row = await findWebhook(db, id);
  if (!row || !maySeeOwnedBy(principal, row.owner_id))
    throw new AppError('NOT_FOUND', `no webhook ${id}`);
  return row;
}

export async function readWebhook(
  db: Db,
  principal: Principal,
  id: number,
  origin: string,
): Promise<WebhookView> {
  return webhookView(await ownedWebhook(db, principal, id), origin);
}

/**
 * Adds a webhook to an event or a workflow the caller may change; it belongs to its owner,
 * whose run it starts. The secret is in this answer and, encrypted, in the database: nowhere
 * else.
 */
export async function createWebhook(
  db: Db,
  box: SecretBox,
  principal: Principal,
  target: WebhookTarget,
  input: WebhookInput,
  origin: string,
  meta: RequestMeta,
): Promise<{ webhook: WebhookView; secret: string }> {
  const { ownerId } = await ownedTarget(db, principal, target);
  const given = settings(input);
  const { secret, secretPrefix } = newSecret();
  return db.transaction().execute(async (trx) => {
    // Serializes creations for one target, so the cap holds under concurrent requests.
    await trx
      .selectFrom(target.kind === 'event' ? 'events' : 'workflows')
      .select('id')
      .where('id', '=', target.id)
      .forUpdate()
      .executeTakeFirst();
    if ((await countTargetWebhooks(trx, target)) >= MAX_WEBHOOKS_PER_EVENT)
      throw new AppError(
        'CONFLICT',
        `${target.kind} ${target.id} has ${MAX_WEBHOOKS_PER_EVENT} webhooks, the most one may have`,
      );
    const row = await insertWebhook(trx, box, {
      ...given,
      name: input.name,
      ownerId,
      target,
      publicId: randomBytes(18).toString('base64url'),
      secret,
      secretPrefix,
    });
    await auditAction(trx, principal, meta, {
      action: 'webhook.create',
      targetType: 'webhook',
      targetId: String(row.id),
      details: { [`${target.kind}Id`]: target.id, name: row.name, authMode: row.auth_mode },
    });
    return { webhook: webhookView(row, origin), secret };
  });
}

/** Renames, enables or disables a webhook, or changes how it is called. */
export async function changeWebhook(
  db: Db,
  principal: Principal,
  id: number,
  input: Partial<WebhookInput>,
  origin: string,
  meta: RequestMeta,
): Promise<WebhookView> {
  await ownedWebhook(db, principal, id);
  const change = settings(input);
  return db.transaction().execute(async (trx) => {
    const row = await updateWebhook(trx, id, change);
    if (!row) throw new AppError('NOT_FOUND', `no webhook ${id}`);
    await auditAction(trx, principal, meta, {
      action: 'webhook.update',
      targetType: 'webhook',
      targetId: String(id),
      details: { ...targetOf(row), fields: Object.keys(input).sort() },
    });
    return webhookView(row, origin);
  });
}

/**
 * Gives a webhook a new secret, answered once. The old one stays valid for `graceSeconds`
 * (while senders switch), then is refused; 0 refuses it at once.
 */
export async function rotateWebhook(
  db: Db,
  box: SecretBox,
  principal: Principal,
  id: number,
  graceSeconds: number,
  origin: string,
  meta: RequestMeta,
): Promise<{ webhook: WebhookView; secret: string }> {
  await ownedWebhook(db, principal, id);
  const { secret, secretPrefix } = newSecret();
  return db.transaction().execute(async (trx) => {
    const row = await rotateWebhookSecret(trx, box, id, { secret, secretPrefix, graceSeconds });
    if (!row) throw new AppError('NOT_FOUND', `no webhook ${id}`);
    await auditAction(trx, principal, meta, {
      action: 'webhook.rotate',
      targetType: 'webhook',
      targetId: String(id),
      details: { ...targetOf(row), graceSeconds },
    });
    return { webhook: webhookView(row, origin), secret };
  });
}

export async function removeWebhook(
  db: Db,
  principal: Principal,
  id: number,
  meta: RequestMeta,
): Promise<void> {
  const row = await ownedWebhook(db, principal, id);
  await db.transaction().execute(async (trx) => {
    if (!(await deleteWebhook(trx, id))) throw new AppError('NOT_FOUND', `no webhook ${id}`);
    await auditAction(trx, principal, meta, {
      action: 'webhook.delete',
      targetType: 'webhook',
      targetId: String(id),
      details: { ...targetOf(row), name: row.name },
    });
  });
}
