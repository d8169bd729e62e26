import { sql } from 'kysely';
import { MIN_PASSWORD_LENGTH, hashPassword } from '@cronium/auth';
import { recordAudit, type Db } from '@cronium/db';
import { AppError } from '@cronium/service-kit/errors';
import type { RequestMeta } from './principal.ts';

/** Whether the installation still needs its first admin. */
export async function needsSetup(db: Db): Promise<boolean> {
  const row = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  return !row;
}

/**
 * Creates the first user, an admin, only while no user exists. Two simultaneous calls create
 * one admin: the check and the insert run under one transaction-scoped advisory lock.
 */
export async function createFirstAdmin(
  db: Db,
  input: { email: string; name?: string; password: string },
  meta: RequestMeta,
): Promise<{ userId: number }> {
  if (input.password.length < MIN_PASSWORD_LENGTH)
    throw new AppError('VALIDATION_FAILED', 'the password is too short', {
      errors: [
        { pointer: '/body/password', message: `at least ${MIN_PASSWORD_LENGTH} characters` },
      ],
    });
  // Hashing costs 19 MiB and tens of milliseconds: not for requests that must fail anyway.
  if (!(await needsSetup(db)))
    throw new AppError('CONFLICT', 'setup is done: an admin exists; sign in instead');
  const passwordHash = await hashPassword(input.password);
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('cronium:first-admin'))`.execute(trx);
    const existing = await trx.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (existing) throw new AppError('CONFLICT', 'setup is done: an admin exists; sign in instead');
    const { id } = await trx
      .insertInto('users')
      .values({
        email: input.email.trim(),
        name: input.name?.trim() ?? '',
        password_hash: passwordHash,
        role: 'admin',
        status: 'active',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      actor_kind: 'user',
      actor_id: id,
      action: 'setup.first_admin',
      target_type: 'user',
      target_id: String(id),
      ip: meta.ip,
      user_agent: meta.userAgent,
    });
    return { userId: id };
  });
}
