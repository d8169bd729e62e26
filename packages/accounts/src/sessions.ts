import { sql } from 'kysely';
import {
  dummyPasswordHash,
  hashToken,
  issueToken,
  tokenKindOf,
  verifyPassword,
} from '@cronium/auth';
import { recordAudit, type Db } from '@cronium/db';
import { AppError } from '@cronium/service-kit/errors';
import type { LoginThrottle } from './login-throttle.ts';
import type { Principal, RequestMeta } from './principal.ts';

/**
 * The block a client address belongs to for throttling: an IPv6 address by its /64 (one
 * subscriber gets a whole /64 and can rotate through it freely, review L10), an IPv4 address
 * as it is.
 */
export function addressBlock(ip: string): string {
  if (!ip.includes(':')) return ip;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

/** How long a browser session lasts without signing in again. */
export const SESSION_TTL_MS = 7 * 24 * 3600_000;

/**
 * Signs in with email and password. Unknown email, wrong password and disabled account all
 * get the same answer after the same work (a hash is verified either way), so nobody learns
 * which emails have accounts. Failures are throttled per email and per client address.
 */
export async function signIn(
  db: Db,
  throttle: LoginThrottle,
  input: { email: string; password: string },
  meta: RequestMeta,
): Promise<{ token: string; userId: number; expiresAt: Date }> {
  const email = input.email.trim().toLowerCase();
  const keys = [`email:${email}`, ...(meta.ip ? [`ip:${addressBlock(meta.ip)}`] : [])];
  // Counted as a failure now, before the password is checked; a success clears it.
  const wait = throttle.reserve(keys);
  if (wait > 0)
    throw new AppError('RATE_LIMITED', `too many failed sign-ins; try again in ${wait} s`, {
      headers: { 'retry-after': String(wait) },
    });
  const user = await db
    .selectFrom('users')
    .select(['id', 'password_hash', 'status'])
    .where(sql`lower(email)`, '=', email)
    .executeTakeFirst();
  const valid = await verifyPassword(
    user?.password_hash ?? (await dummyPasswordHash()),
    input.password,
  );
  if (!user || !valid || user.status !== 'active') {
    await recordAudit(db, {
      actor_kind: 'user',
      actor_id: user?.id ?? null,
      actor_ref: email,
      action: 'session.sign_in_failed',
      ip: meta.ip,
      user_agent: meta.userAgent,
    });
    throw new AppError('UNAUTHENTICATED', 'wrong email or password');
  }
  throttle.succeeded(keys);
  const issued = issueToken('session');
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('sessions')
      .values({
        user_id: user.id,
        token_hash: issued.hash,
        expires_at: expiresAt,
        ip: meta.ip,
        user_agent: meta.userAgent,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('users')
      .set({ last_login_at: new Date() })
      .where('id', '=', user.id)
      .execute();
    await recordAudit(trx, {
      actor_kind: 'user',
      actor_id: user.id,
      action: 'session.sign_in',
      target_type: 'session',
      target_id: String(id),
      ip: meta.ip,
      user_agent: meta.userAgent,
    });
  });
  return { token: issued.token, userId: user.id, expiresAt };
}

/** Ends the session the principal is using (a no-op for API tokens). */
export async function signOut(db: Db, principal: Principal, meta: RequestMeta): Promise<void> {
  if (principal.via !== 'session') return;
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('sessions')
      .set({ revoked_at: new Date() })
      .where('id', '=', principal.credentialId)
      .where('revoked_at', 'is', null)
      .execute();
    await recordAudit(trx, {
      actor_kind: 'user',
      actor_id: principal.userId,
      action: 'session.sign_out',
      target_type: 'session',
      target_id: String(principal.credentialId),
      ip: meta.ip,
      user_agent: meta.userAgent,
    });
  });
}

/**
 * The principal behind a bearer token or session cookie value, if it is current: not
 * expired, not revoked, its user active. API tokens record their last use (at most once a
 * minute, so a busy token does not write on every call).
 */
/** When this process last wrote each token's last use (bounded: cleared past 10,000). */
const lastUseWritten = new Map<number, number>();
const LAST_USE_RESOLUTION_MS = 60_000;

/**
 * Whether to record a token's use: at most once a minute, and once per process even when many
 * requests with the same token arrive together (they all read the old time).
 */
function lastUseIsStale(tokenId: number, stored: Date | null): boolean {
  const now = Date.now();
  if (stored && now - stored.getTime() <= LAST_USE_RESOLUTION_MS) return false;
  const written = lastUseWritten.get(tokenId);
  if (written !== undefined && now - written <= LAST_USE_RESOLUTION_MS) return false;
  if (lastUseWritten.size >= 10_000) lastUseWritten.clear();
  lastUseWritten.set(tokenId, now);
  return true;
}

export async function authenticate(
  db: Db,
  token: string | undefined,
): Promise<Principal | undefined> {
  if (!token) return undefined;
  const kind = tokenKindOf(token);
  const hash = hashToken(token);
  if (kind === 'session') {
    const row = await db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select(['s.id', 's.user_id', 'u.role'])
      .where('s.token_hash', '=', hash)
      .where('s.revoked_at', 'is', null)
      .where('s.expires_at', '>', new Date())
      .where('u.status', '=', 'active')
      .executeTakeFirst();
    return row
      ? {
          userId: row.user_id,
          role: row.role as Principal['role'],
          via: 'session',
          scopes: 'all',
          credentialId: row.id,
        }
      : undefined;
  }
  if (kind === 'api') {
    const row = await db
      .selectFrom('api_tokens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .select(['t.id', 't.user_id', 't.scopes', 't.last_used_at', 'u.role'])
      .where('t.token_hash', '=', hash)
      .where('t.revoked_at', 'is', null)
      .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', new Date())]))
      .where('u.status', '=', 'active')
      .executeTakeFirst();
    if (!row) return undefined;
    if (lastUseIsStale(row.id, row.last_used_at))
      await db
        .updateTable('api_tokens')
        .set({ last_used_at: new Date() })
        .where('id', '=', row.id)
        .execute();
    return {
      userId: row.user_id,
      role: row.role as Principal['role'],
      via: 'api_token',
      scopes: row.scopes,
      credentialId: row.id,
    };
  }
  return undefined;
}
