import { sql } from 'kysely';
import { dummyPasswordHash, issueToken, verifyPassword } from '@cronium/auth';
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
