import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { SecretBox } from '@cronium/crypto';
import type { EventStatus, UserRole, UserStatus, WebhookAuthMode } from '@cronium/contracts';
import type { Database } from '../schema/database.ts';
import type { WebhooksTable } from '../schema/events.tables.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** A webhook as it may be shown: everything but its secrets. */
export type WebhookRow = Omit<
  Selectable<WebhooksTable>,
  'secret_encrypted' | 'previous_secret_encrypted'
>;

export const WEBHOOK_PUBLIC_COLUMNS = [
  'id',
  'owner_id',
  'name',
  'event_id',
  'workflow_id',
  'public_id',
  'secret_prefix',
  'previous_secret_expires_at',
  'auth_mode',
  'input_headers',
  'rate_limit_per_minute',
  'replay_window_seconds',
  'enabled',
  'created_at',
  'updated_at',
  'last_triggered_at',
] as const;

/** The associated data that binds a hook's secrets to its row (and to which of the two). */
export function webhookSecretAad(id: number, which: 'secret' | 'previous_secret'): string {
  return `webhooks:${id}:${which}`;
}

/** What a hook's settings may be changed to (its target and public id never change). */
export interface WebhookSettings {
  name?: string;
  enabled?: boolean;
  authMode?: WebhookAuthMode;
  inputHeaders?: string[];
  rateLimitPerMinute?: number;
  replayWindowSeconds?: number;
}

function settingsColumns(s: WebhookSettings) {
  return {
    ...(s.name !== undefined ? { name: s.name } : {}),
    ...(s.enabled !== undefined ? { enabled: s.enabled } : {}),
    ...(s.authMode !== undefined ? { auth_mode: s.authMode } : {}),
    ...(s.inputHeaders !== undefined ? { input_headers: s.inputHeaders } : {}),
    ...(s.rateLimitPerMinute !== undefined ? { rate_limit_per_minute: s.rateLimitPerMinute } : {}),
    ...(s.replayWindowSeconds !== undefined
      ? { replay_window_seconds: s.replayWindowSeconds }
      : {}),
  };
}

/** What a webhook starts: an event, or a workflow. */
export type WebhookTarget = { kind: 'event' | 'workflow'; id: number };

const targetColumn = (target: WebhookTarget) =>
  target.kind === 'event' ? ('event_id' as const) : ('workflow_id' as const);

/**
 * Inserts a webhook of an event or a workflow with its secret encrypted and bound to the new
 * row's id, inside the caller's transaction (with its audit entry).
 */
export async function insertWebhook(
  trx: Transaction<Database>,
  box: SecretBox,
  hook: WebhookSettings & {
    ownerId: number;
    target: WebhookTarget;
    name: string;
    publicId: string;
    secret: string;
    secretPrefix: string;
  },
): Promise<WebhookRow> {
  const { id } = await trx
    .insertInto('webhooks')
    .values({
      ...settingsColumns(hook),
      name: hook.name,
      owner_id: hook.ownerId,
      event_id: hook.target.kind === 'event' ? hook.target.id : null,
      workflow_id: hook.target.kind === 'workflow' ? hook.target.id : null,
      public_id: hook.publicId,
      secret_prefix: hook.secretPrefix,
      secret_encrypted: 'pending',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return trx
    .updateTable('webhooks')
    .set({ secret_encrypted: box.encrypt(hook.secret, webhookSecretAad(id, 'secret')) })
    .where('id', '=', id)
    .returning(WEBHOOK_PUBLIC_COLUMNS)
    .executeTakeFirstOrThrow();
}

/** An event's or a workflow's webhooks, oldest first. */
export async function listTargetWebhooks(
  db: Executor,
  target: WebhookTarget,
): Promise<WebhookRow[]> {
  return db
    .selectFrom('webhooks')
    .select(WEBHOOK_PUBLIC_COLUMNS)
    .where(targetColumn(target), '=', target.id)
    .orderBy('id')
    .execute();
}

/** One webhook by id (whose it is, the caller checks). */
export async function findWebhook(db: Executor, id: number): Promise<WebhookRow | undefined> {
  return db
    .selectFrom('webhooks')
    .select(WEBHOOK_PUBLIC_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function countTargetWebhooks(db: Executor, target: WebhookTarget): Promise<number> {
  const { n } = await db
    .selectFrom('webhooks')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(targetColumn(target), '=', target.id)
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** Changes a hook's settings; undefined when it is gone. */
export async function updateWebhook(
  db: Executor,
  id: number,
  change: WebhookSettings,
): Promise<WebhookRow | undefined> {
  return db
    .updateTable('webhooks')
    .set({ ...settingsColumns(change), updated_at: new Date() })
    .where('id', '=', id)
    .returning(WEBHOOK_PUBLIC_COLUMNS)
    .executeTakeFirst();
}

/**
 * Gives a hook a new secret. The current one becomes the previous one, accepted until
 * `graceSeconds` from now (0: refused at once); a previous secret from an earlier rotation
 * is forgotten. In the caller's transaction; undefined when the hook is gone.
 */
export async function rotateWebhookSecret(
  trx: Transaction<Database>,
  box: SecretBox,
  id: number,
  next: { secret: string; secretPrefix: string; graceSeconds: number },
): Promise<WebhookRow | undefined> {
  const current = await trx
    .selectFrom('webhooks')
    .select('secret_encrypted')
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!current) return undefined;
  const keep = next.graceSeconds > 0;
  const previous = keep
    ? box.encrypt(
        box.decrypt(current.secret_encrypted, webhookSecretAad(id, 'secret')),
        webhookSecretAad(id, 'previous_secret'),
      )
    : null;
  return trx
    .updateTable('webhooks')
    .set({
      secret_encrypted: box.encrypt(next.secret, webhookSecretAad(id, 'secret')),
      secret_prefix: next.secretPrefix,
      previous_secret_encrypted: previous,
      previous_secret_expires_at: keep
        ? sql<Date>`now() + ${next.graceSeconds} * interval '1 second'`
        : null,
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returning(WEBHOOK_PUBLIC_COLUMNS)
    .executeTakeFirst();
}

/** Deletes a hook; false when there was none. */
export async function deleteWebhook(db: Executor, id: number): Promise<boolean> {
  const deleted = await db.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst();
  return deleted.numDeletedRows > 0n;
}

/** A hook as a delivery needs it: its secrets in clear, and the state of its target. */
export interface WebhookForDelivery extends WebhookRow {
  /** The current secret, then the previous one while its grace period lasts. */
  secrets: string[];
  event: { id: number; status: EventStatus } | null;
  workflow: { id: number; status: EventStatus } | null;
  owner: { status: UserStatus; role: UserRole };
}

/**
 * The hook at a public id with what deciding on a delivery takes, in one query: its secrets
 * (the previous one only while it is still accepted, by the database's clock), its event's
 * status and its owner's. Throws DecryptionError when the key or the row is wrong.
 */
export async function readWebhookForDelivery(
  db: Executor,
  box: SecretBox,
  publicId: string,
): Promise<WebhookForDelivery | undefined> {
  const row = await db
    .selectFrom('webhooks as w')
    .innerJoin('users as u', 'u.id', 'w.owner_id')
    .leftJoin('events as e', 'e.id', 'w.event_id')
    .leftJoin('workflows as f', 'f.id', 'w.workflow_id')
    .select(WEBHOOK_PUBLIC_COLUMNS.map((c) => `w.${c}` as const))
    .select([
      'w.secret_encrypted',
      sql<string | null>`CASE WHEN w.previous_secret_expires_at > now()
        THEN w.previous_secret_encrypted END`.as('previous_secret_encrypted'),
      'e.status as event_status',
      'f.status as workflow_status',
      'u.status as owner_status',
      'u.role as owner_role',
    ])
    .where('w.public_id', '=', publicId)
    .executeTakeFirst();
  if (!row) return undefined;
  const {
    secret_encrypted,
    previous_secret_encrypted,
    event_status,
    workflow_status,
    owner_status,
    owner_role,
    ...hook
  } = row;
  const secrets = [box.decrypt(secret_encrypted, webhookSecretAad(hook.id, 'secret'))];
  if (previous_secret_encrypted)
    secrets.push(
      box.decrypt(previous_secret_encrypted, webhookSecretAad(hook.id, 'previous_secret')),
    );
  return {
    ...hook,
    secrets,
    event:
      hook.event_id !== null && event_status ? { id: hook.event_id, status: event_status } : null,
    workflow:
      hook.workflow_id !== null && workflow_status
        ? { id: Number(hook.workflow_id), status: workflow_status }
        : null,
    owner: { status: owner_status, role: owner_role },
  };
}

/** Records a delivery that created (or found) a run. */
export async function markWebhookTriggered(db: Executor, id: number): Promise<void> {
  await db
    .updateTable('webhooks')
    .set({ last_triggered_at: new Date() })
    .where('id', '=', id)
    .execute();
}
