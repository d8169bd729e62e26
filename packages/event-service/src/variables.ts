import {
  auditAction,
  auditActor,
  isAdmin,
  type Principal,
  type RequestMeta,
} from '@cronium/accounts';
import type { SecretBox } from '@cronium/crypto';
import { writeVariable, type Db } from '@cronium/db';
import { AppError } from '@cronium/service-kit/errors';

export interface VariableView {
  key: string;
  /** The value, or null for a secret variable (its value never leaves the server this way). */
  value: string | null;
  isSecret: boolean;
  description: string;
  updatedAt: Date;
}

function view(row: {
  key: string;
  value: string | null;
  is_secret: boolean;
  description: string;
  updated_at: Date;
}): VariableView {
  return {
    key: row.key,
    value: row.is_secret ? null : row.value,
    isSecret: row.is_secret,
    description: row.description,
    updatedAt: row.updated_at,
  };
}

const COLUMNS = ['key', 'value', 'is_secret', 'description', 'updated_at'] as const;

/** A variable as lists show it: no value (values may be 1 MB each), its length instead. */
export interface VariableListItem {
  key: string;
  isSecret: boolean;
  description: string;
  updatedAt: Date;
  /** Characters of the value; null for a secret one. */
  length: number | null;
}

/**
 * A page of the principal's own variables, by key, without their values: a list of values of
 * up to 1 MB each would grow without bound (review M3). One value: `readVariableView`.
 */
export async function listVariables(
  db: Db,
  principal: Principal,
  page: { after?: string; limit: number },
): Promise<{ variables: VariableListItem[]; nextAfter: string | null }> {
  let query = db
    .selectFrom('variables')
    .select(['key', 'is_secret', 'description', 'updated_at'])
    .select((eb) => eb.fn<number | null>('length', ['value']).as('length'))
    .where('owner_id', '=', principal.userId)
    .orderBy('key')
    .limit(page.limit + 1);
  if (page.after !== undefined) query = query.where('key', '>', page.after);
  const rows = await query.execute();
  const more = rows.length > page.limit;
  const shown = rows.slice(0, page.limit);
  return {
    variables: shown.map((row) => ({
      key: row.key,
      isSecret: row.is_secret,
      description: row.description,
      updatedAt: row.updated_at,
      length: row.is_secret ? null : row.length,
    })),
    nextAfter: more ? shown.at(-1)!.key : null,
  };
}

export async function readVariableView(
  db: Db,
  principal: Principal,
  key: string,
): Promise<VariableView> {
  const row = await db
    .selectFrom('variables')
    .select(COLUMNS)
    .where('owner_id', '=', principal.userId)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', `no variable ${key}`);
  return view(row);
}

/**
 * Creates or replaces a variable. A secret one is stored encrypted (bound to its owner and
 * key) and masked in run logs; `secret` left out keeps what the variable was.
 */
export async function putVariable(
  db: Db,
  box: SecretBox,
  principal: Principal,
  key: string,
  input: { value: string; secret?: boolean; description?: string },
  meta: RequestMeta,
): Promise<VariableView> {
  if (input.value.includes('\0'))
    throw new AppError('VALIDATION_FAILED', 'a variable cannot hold NUL characters', {
      errors: [{ pointer: '/body/value', message: 'no NUL characters' }],
    });
  const written = await writeVariable(db, box, {
    ownerId: principal.userId,
    key,
    value: input.value,
    ...(input.secret !== undefined ? { secret: input.secret } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    actor: auditActor(principal, meta),
  });
  if (written && 'refused' in written)
    throw new AppError('UNPROCESSABLE', `the secret variable ${key} cannot be saved`, {
      errors: [{ pointer: '/body/value', message: written.refused }],
    });
  return readVariableView(db, principal, key);
}

export async function deleteVariable(
  db: Db,
  principal: Principal,
  key: string,
  meta: RequestMeta,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const deleted = await trx
      .deleteFrom('variables')
      .where('owner_id', '=', principal.userId)
      .where('key', '=', key)
      .executeTakeFirst();
    if (deleted.numDeletedRows === 0n) throw new AppError('NOT_FOUND', `no variable ${key}`);
    await auditAction(trx, principal, meta, {
      action: 'variable.delete',
      targetType: 'variable',
      targetId: key,
    });
  });
}

/** The audit log, newest first (admins only), paged by id. */
export async function listAuditLog(
  db: Db,
  principal: Principal,
  filter: {
    before?: number;
    limit?: number;
    /** An action, or the start of one (`event.` for every event action). */
    action?: string;
    actorId?: number;
    targetType?: string;
    from?: Date;
    to?: Date;
  },
) {
  if (!isAdmin(principal)) throw new AppError('FORBIDDEN', 'only an admin may read the audit log');
  const limit = Math.min(Math.max(filter.limit ?? 100, 1), 500);
  let query = db
    .selectFrom('audit_log')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (filter.before) query = query.where('id', '<', filter.before);
  if (filter.action)
    query = query.where('action', 'like', `${filter.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (filter.actorId) query = query.where('actor_id', '=', filter.actorId);
  if (filter.targetType) query = query.where('target_type', '=', filter.targetType);
  if (filter.from) query = query.where('occurred_at', '>=', filter.from);
  if (filter.to) query = query.where('occurred_at', '<', filter.to);
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  return {
    entries: page.map((r) => ({
      id: r.id,
      occurredAt: r.occurred_at,
      actorKind: r.actor_kind,
      actorId: r.actor_id,
      actorRef: r.actor_ref,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      details: r.details,
      ip: r.ip,
      userAgent: r.user_agent,
    })),
    nextBefore: rows.length > limit ? page.at(-1)!.id : null,
  };
}
