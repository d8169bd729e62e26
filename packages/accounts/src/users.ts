import { sql } from 'kysely';
import { MIN_PASSWORD_LENGTH, hashPassword, hashToken, issueToken } from '@cronium/auth';
import { recordAudit, type Db } from '@cronium/db';
import { cancelOwnerRuns } from '@cronium/run-queue';
import { resumeOwnerSchedules } from '@cronium/scheduler';
import { AppError } from '@cronium/service-kit/errors';
import { isAdmin, type Principal, type RequestMeta } from './principal.ts';
import { auditAction } from './audit-action.ts';

export interface UserView {
  id: number;
  email: string;
  name: string;
  role: 'admin' | 'user';
  status: 'active' | 'invited' | 'disabled';
  createdAt: Date;
  lastLoginAt: Date | null;
}

/** How long an invitation link works. */
export const INVITATION_TTL_MS = 7 * 24 * 3600_000;

function requireAdmin(principal: Principal): void {
  if (!isAdmin(principal)) throw new AppError('FORBIDDEN', 'only an admin may do this');
}

const USER_COLUMNS = [
  'id',
  'email',
  'name',
  'role',
  'status',
  'created_at',
  'last_login_at',
] as const;

function view(row: {
  id: number;
  email: string;
  name: string;
  role: string;
  status: string;
  created_at: Date;
  last_login_at: Date | null;
}): UserView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as UserView['role'],
    status: row.status as UserView['status'],
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
  };
}

export async function readMe(db: Db, principal: Principal): Promise<UserView> {
  const row = await db
    .selectFrom('users')
    .select(USER_COLUMNS)
    .where('id', '=', principal.userId)
    .executeTakeFirstOrThrow();
  return view(row);
}

export async function listUsers(db: Db, principal: Principal): Promise<UserView[]> {
  requireAdmin(principal);
  const rows = await db.selectFrom('users').select(USER_COLUMNS).orderBy('id').execute();
  return rows.map(view);
}

/** An admin invites someone by email; the answer holds the one-time invitation token. */
export async function inviteUser(
  db: Db,
  principal: Principal,
  input: { email: string; role: 'admin' | 'user' },
  meta: RequestMeta,
): Promise<{ invitationToken: string; expiresAt: Date }> {
  requireAdmin(principal);
  const email = input.email.trim();
  const taken = await db
    .selectFrom('users')
    .select('id')
    .where(sql`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst();
  if (taken) throw new AppError('CONFLICT', `a user with the email ${email} exists`);
  const issued = issueToken('invitation');
  const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);
  await db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('invitations')
      .values({
        email,
        role: input.role,
        token_hash: issued.hash,
        invited_by: principal.userId,
        expires_at: expiresAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await auditAction(trx, principal, meta, {
      action: 'user.invite',
      targetType: 'invitation',
      targetId: String(id),
      details: { email, role: input.role },
    });
  });
  return { invitationToken: issued.token, expiresAt };
}

/** The invited person sets a password; the invitation then stops working. */
export async function acceptInvitation(
  db: Db,
  input: { token: string; password: string; name?: string },
  meta: RequestMeta,
): Promise<{ userId: number }> {
  if (input.password.length < MIN_PASSWORD_LENGTH)
    throw new AppError('VALIDATION_FAILED', 'the password is too short', {
      errors: [
        { pointer: '/body/password', message: `at least ${MIN_PASSWORD_LENGTH} characters` },
      ],
    });
  // Hashing costs 19 MiB and tens of milliseconds: only for an invitation that can be taken.
  const open = await db
    .selectFrom('invitations')
    .select('id')
    .where('token_hash', '=', hashToken(input.token))
    .where('accepted_at', 'is', null)
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
  if (!open) throw new AppError('NOT_FOUND', 'this invitation is unknown, used or expired');
  const passwordHash = await hashPassword(input.password);
  return db.transaction().execute(async (trx) => {
    const invitation = await trx
      .selectFrom('invitations')
      .selectAll()
      .where('token_hash', '=', hashToken(input.token))
      .where('accepted_at', 'is', null)
      .where('expires_at', '>', new Date())
      .forUpdate()
      .executeTakeFirst();
    if (!invitation) throw new AppError('NOT_FOUND', 'this invitation is unknown, used or expired');
    const taken = await trx
      .selectFrom('users')
      .select('id')
      .where(sql`lower(email)`, '=', invitation.email.toLowerCase())
      .executeTakeFirst();
    if (taken)
      throw new AppError(
        'CONFLICT',
        `an account for ${invitation.email} exists already: sign in instead`,
      );
    const { id } = await trx
      .insertInto('users')
      .values({
        email: invitation.email,
        name: input.name?.trim() ?? '',
        password_hash: passwordHash,
        role: invitation.role,
        status: 'active',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('invitations')
      .set({ accepted_at: new Date(), user_id: id })
      .where('id', '=', invitation.id)
      .execute();
    await recordAudit(trx, {
      actor_kind: 'user',
      actor_id: id,
      action: 'user.accept_invitation',
      target_type: 'user',
      target_id: String(id),
      ip: meta.ip,
      user_agent: meta.userAgent,
    });
    return { userId: id, email: invitation.email };
  });
}

/** What an admin may change about a user (`PATCH /users/{id}`). */
export interface UserChange {
  disabled?: boolean;
  role?: UserView['role'];
}

/**
 * Changes a user's role or status, in one transaction with its audit entries. A role takes
 * effect at the user's next request (every authentication reads it) and ends their open live
 * connections. An admin cannot demote or disable themself: there must stay someone to undo it.
 * See `setUserDisabled` for what disabling stops.
 */
export async function updateUser(
  db: Db,
  principal: Principal,
  userId: number,
  change: UserChange,
  meta: RequestMeta,
): Promise<UserView> {
  requireAdmin(principal);
  if (userId === principal.userId && change.disabled)
    throw new AppError('CONFLICT', 'you cannot disable your own account');
  if (userId === principal.userId && change.role === 'user')
    throw new AppError('CONFLICT', 'you cannot take away your own admin role');
  return db.transaction().execute(async (trx) => {
    const before = await trx
      .selectFrom('users')
      .select(['role', 'status'])
      .where('id', '=', userId)
      .where('status', '!=', 'invited')
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw new AppError('NOT_FOUND', `no user ${userId}`);
    if (change.role !== undefined && change.role !== before.role) {
      await trx
        .updateTable('users')
        .set({ role: change.role, updated_at: new Date() })
        .where('id', '=', userId)
        .execute();
      await auditAction(trx, principal, meta, {
        action: 'user.role',
        targetType: 'user',
        targetId: String(userId),
        details: { from: before.role, to: change.role },
      });
    }
    if (change.disabled !== undefined && change.disabled !== (before.status === 'disabled'))
      await changeDisabled(trx, principal, userId, change.disabled, meta);
    return view(
      await trx
        .selectFrom('users')
        .select(USER_COLUMNS)
        .where('id', '=', userId)
        .executeTakeFirstOrThrow(),
    );
  });
}

/**
 * Disables a user: their sessions and API tokens stop working at once (revoked in the same
 * transaction, and every authentication checks the user's status too), their queued and
 * running runs are cancelled in that transaction, and their schedules stop firing (the
 * scheduler and the claim skip owners who are not active). Enabling resumes the schedules
 * from that moment. An admin cannot disable themself (there must stay someone to undo it).
 */
export function setUserDisabled(
  db: Db,
  principal: Principal,
  userId: number,
  disabled: boolean,
  meta: RequestMeta,
): Promise<UserView> {
  return updateUser(db, principal, userId, { disabled }, meta);
}

async function changeDisabled(
  trx: Db,
  principal: Principal,
  userId: number,
  disabled: boolean,
  meta: RequestMeta,
): Promise<void> {
  await trx
    .updateTable('users')
    .set({ status: disabled ? 'disabled' : 'active', updated_at: new Date() })
    .where('id', '=', userId)
    .execute();
  if (disabled) {
    const now = new Date();
    await trx
      .updateTable('sessions')
      .set({ revoked_at: now })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
    await trx
      .updateTable('api_tokens')
      .set({ revoked_at: now })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .execute();
    await cancelOwnerRuns(trx, userId, 'cancelled: its owner was disabled');
  } else {
    await resumeOwnerSchedules(trx, userId, new Date());
  }
  await auditAction(trx, principal, meta, {
    action: disabled ? 'user.disable' : 'user.enable',
    targetType: 'user',
    targetId: String(userId),
  });
}
