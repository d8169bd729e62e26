import { issueToken } from '@cronium/auth';
import { recordAudit, type Db } from '@cronium/db';
import { AppError } from '@cronium/service-kit/errors';
import type { Principal, RequestMeta } from './principal.ts';
import { auditAction } from './audit-action.ts';

/** What an API token may be allowed to do. */
export const API_SCOPES = [
  'events:read',
  'events:write',
  // Deciding what code runs, and when: see EXECUTION_FIELDS in apps/web's events routes.
  'events:execute',
  'runs:read',
  'runs:write',
  'variables:read',
  'variables:write',
  'servers:read',
  'servers:write',
  'tools:read',
  'tools:write',
  'workflows:read',
  // Starting, cancelling and re-running workflow runs; editing a workflow's graph.
  'workflows:write',
  // Inbound webhooks: whoever holds a hook's secret may run its event (docs/webhooks.md).
  'webhooks:read',
  'webhooks:write',
  'users:read',
  'users:write',
  'audit:read',
  'tokens:read',
  'tokens:write',
] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export interface ApiTokenView {
  id: number;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Creates a token for the principal's own user; the token is in the answer and nowhere else. */
export async function createApiToken(
  db: Db,
  principal: Principal,
  input: { name: string; scopes: string[]; expiresAt?: Date | null },
  meta: RequestMeta,
): Promise<{ token: string; apiToken: ApiTokenView }> {
  const unknown = input.scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
  if (unknown.length > 0 || input.scopes.length === 0)
    throw new AppError('VALIDATION_FAILED', 'scopes must name at least one known scope', {
      errors: [{ pointer: '/body/scopes', message: `known scopes: ${API_SCOPES.join(', ')}` }],
    });
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now())
    throw new AppError('VALIDATION_FAILED', 'the expiry is in the past', {
      errors: [{ pointer: '/body/expiresAt', message: 'must be in the future' }],
    });
  // A token can do at most what its creator can: a token cannot create tokens (sessions only).
  if (principal.via !== 'session')
    throw new AppError('FORBIDDEN', 'API tokens are created from a signed-in session');
  const issued = issueToken('api');
  const row = await db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto('api_tokens')
      .values({
        user_id: principal.userId,
        name: input.name.trim(),
        token_prefix: issued.displayPrefix,
        token_hash: issued.hash,
        scopes: [...new Set(input.scopes)],
        expires_at: input.expiresAt ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor_kind: 'user',
      actor_id: principal.userId,
      action: 'api_token.create',
      target_type: 'api_token',
      target_id: String(created.id),
      details: { name: created.name, scopes: created.scopes },
      ip: meta.ip,
      user_agent: meta.userAgent,
    });
    return created;
  });
  return { token: issued.token, apiToken: view(row) };
}

export async function listApiTokens(db: Db, principal: Principal): Promise<ApiTokenView[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .selectAll()
    .where('user_id', '=', principal.userId)
    .orderBy('id')
    .execute();
  return rows.map(view);
}

/** Revokes one of the principal's tokens; someone else's token is "not found". */
export async function revokeApiToken(
  db: Db,
  principal: Principal,
  id: number,
  meta: RequestMeta,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('api_tokens')
      .set({ revoked_at: new Date() })
      .where('id', '=', id)
      .where('user_id', '=', principal.userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) throw new AppError('NOT_FOUND', `no active API token ${id}`);
    await auditAction(trx, principal, meta, {
      action: 'api_token.revoke',
      targetType: 'api_token',
      targetId: String(id),
    });
  });
}

function view(row: {
  id: number;
  name: string;
  token_prefix: string;
  scopes: string[];
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}): ApiTokenView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.token_prefix,
    scopes: row.scopes,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
