import { hashToken, passwordWorkStarted } from '@cronium/auth';
import { createTestDatabase, type TestDatabase } from '@cronium/db/testing';
import { AppError } from '@cronium/service-kit/errors';
import {
  LoginThrottle,
  acceptInvitation,
  addressBlock,
  authenticate,
  createApiToken,
  createFirstAdmin,
  inviteUser,
  listApiTokens,
  listUsers,
  needsSetup,
  readMe,
  revokeApiToken,
  setUserDisabled,
  signIn,
  updateUser,
  signOut,
  type Principal,
} from './index.ts';

const meta = { ip: '127.0.0.1', userAgent: 'jest' };
const PASSWORD = 'correct horse battery';

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('accounts (real database)', () => {
  let t: TestDatabase;
  let admin: Principal;
  const throttle = new LoginThrottle({ attempts: 5, windowMs: 60_000 });

  beforeAll(async () => {
    t = await createTestDatabase({ poolMax: 5 });
  });
  afterAll(() => t.destroy());

  it('creates the first admin exactly once, even when asked twice at the same moment', async () => {
    expect(await needsSetup(t.db)).toBe(true);
    const results = await Promise.allSettled([
      createFirstAdmin(t.db, { email: 'Admin@Example.com', password: PASSWORD }, meta),
      createFirstAdmin(t.db, { email: 'Admin@Example.com', password: PASSWORD }, meta),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((refused.reason as AppError).status).toBe(409);
    expect(await needsSetup(t.db)).toBe(false);
    const session = await signIn(
      t.db,
      throttle,
      { email: 'admin@example.com', password: PASSWORD },
      meta,
    );
    admin = (await authenticate(t.db, session.token))!;
    expect(admin).toMatchObject({ role: 'admin', via: 'session' });
  });

  it('answers the same for an unknown email and a wrong password, and throttles guessing', async () => {
    const unknown = await rejection(
      signIn(t.db, throttle, { email: 'nobody@example.com', password: PASSWORD }, meta),
    );
    const wrong = await rejection(
      signIn(t.db, throttle, { email: 'admin@example.com', password: 'not the password' }, meta),
    );
    expect([unknown.status, unknown.message]).toEqual([401, 'wrong email or password']);
    expect([wrong.status, wrong.message]).toEqual([401, 'wrong email or password']);
    const guessing = new LoginThrottle({ attempts: 3, windowMs: 60_000 });
    for (let i = 0; i < 3; i++)
      await rejection(
        signIn(t.db, guessing, { email: 'admin@example.com', password: `guess ${i} ...` }, meta),
      );
    const limited = await rejection(
      signIn(t.db, guessing, { email: 'admin@example.com', password: PASSWORD }, meta),
    );
    expect(limited.status).toBe(429);
    expect(Number(limited.headers?.['retry-after'])).toBeGreaterThan(0);
    const failures = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'session.sign_in_failed')
      .execute();
    expect(failures.length).toBeGreaterThanOrEqual(5);
  });

  it('signs out: the session stops working', async () => {
    const { token } = await signIn(
      t.db,
      throttle,
      { email: 'admin@example.com', password: PASSWORD },
      meta,
    );
    const principal = (await authenticate(t.db, token))!;
    await signOut(t.db, principal, meta);
    expect(await authenticate(t.db, token)).toBeUndefined();
  });

  it('API tokens: shown once, stored as a hash, scoped, expiring, revocable, last use recorded', async () => {
    const { token, apiToken } = await createApiToken(
      t.db,
      admin,
      { name: 'ci', scopes: ['runs:read', 'events:write'] },
      meta,
    );
    const stored = await t.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', apiToken.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash.equals(hashToken(token))).toBe(true);
    expect(JSON.stringify(stored)).not.toContain(token.slice(4));
    const principal = (await authenticate(t.db, token))!;
    expect(principal).toMatchObject({ via: 'api_token', scopes: ['runs:read', 'events:write'] });
    expect(
      (await listApiTokens(t.db, admin)).find((a) => a.id === apiToken.id)!.lastUsedAt,
    ).not.toBeNull();
    // A token cannot mint tokens.
    expect(
      (await rejection(createApiToken(t.db, principal, { name: 'x', scopes: ['runs:read'] }, meta)))
        .status,
    ).toBe(403);
    expect(
      (await rejection(createApiToken(t.db, admin, { name: 'x', scopes: ['root'] }, meta))).status,
    ).toBe(400);
    await revokeApiToken(t.db, admin, apiToken.id, meta);
    expect(await authenticate(t.db, token)).toBeUndefined();
    const expiring = await createApiToken(
      t.db,
      admin,
      { name: 'short', scopes: ['runs:read'], expiresAt: new Date(Date.now() + 1_000) },
      meta,
    );
    await t.db
      .updateTable('api_tokens')
      .set({ expires_at: new Date(Date.now() - 1) })
      .where('id', '=', expiring.apiToken.id)
      .execute();
    expect(await authenticate(t.db, expiring.token)).toBeUndefined();
  });

  it('invites a user, who sets a password; only admins invite or list users', async () => {
    const { invitationToken } = await inviteUser(
      t.db,
      admin,
      { email: 'bob@example.com', role: 'user' },
      meta,
    );
    const { userId } = await acceptInvitation(
      t.db,
      { token: invitationToken, password: PASSWORD, name: 'Bob' },
      meta,
    );
    expect(
      (
        await rejection(
          acceptInvitation(t.db, { token: invitationToken, password: PASSWORD }, meta),
        )
      ).status,
    ).toBe(404);
    // A second invitation for an email that has an account by now: 409, not a crash.
    const second = await inviteUser(t.db, admin, { email: 'dave@example.com', role: 'user' }, meta);
    const third = await inviteUser(t.db, admin, { email: 'dave@example.com', role: 'user' }, meta);
    await acceptInvitation(t.db, { token: second.invitationToken, password: PASSWORD }, meta);
    const duplicate = await rejection(
      acceptInvitation(t.db, { token: third.invitationToken, password: PASSWORD }, meta),
    );
    expect(duplicate.status).toBe(409);
    const bob = (await authenticate(
      t.db,
      (await signIn(t.db, throttle, { email: 'bob@example.com', password: PASSWORD }, meta)).token,
    ))!;
    expect(bob).toMatchObject({ userId, role: 'user' });
    expect(await readMe(t.db, bob)).toMatchObject({
      email: 'bob@example.com',
      name: 'Bob',
      role: 'user',
    });
    expect((await rejection(listUsers(t.db, bob))).status).toBe(403);
    expect(
      (await rejection(inviteUser(t.db, bob, { email: 'eve@example.com', role: 'admin' }, meta)))
        .status,
    ).toBe(403);
    expect((await listUsers(t.db, admin)).map((u) => u.email)).toEqual([
      'Admin@Example.com',
      'bob@example.com',
      'dave@example.com',
    ]);
    // Someone else's token is "not found", not "forbidden".
    const adminToken = await createApiToken(
      t.db,
      admin,
      { name: 'mine', scopes: ['runs:read'] },
      meta,
    );
    expect((await rejection(revokeApiToken(t.db, bob, adminToken.apiToken.id, meta))).status).toBe(
      404,
    );
  });

  it('disabling a user stops their sessions and tokens at once', async () => {
    const { invitationToken } = await inviteUser(
      t.db,
      admin,
      { email: 'carol@example.com', role: 'user' },
      meta,
    );
    const { userId } = await acceptInvitation(
      t.db,
      { token: invitationToken, password: PASSWORD },
      meta,
    );
    const session = await signIn(
      t.db,
      throttle,
      { email: 'carol@example.com', password: PASSWORD },
      meta,
    );
    const carol = (await authenticate(t.db, session.token))!;
    const { token } = await createApiToken(t.db, carol, { name: 'c', scopes: ['runs:read'] }, meta);
    await setUserDisabled(t.db, admin, userId, true, meta);
    expect(await authenticate(t.db, session.token)).toBeUndefined();
    expect(await authenticate(t.db, token)).toBeUndefined();
    expect(
      (
        await rejection(
          signIn(t.db, throttle, { email: 'carol@example.com', password: PASSWORD }, meta),
        )
      ).status,
    ).toBe(401);
    expect((await rejection(setUserDisabled(t.db, admin, admin.userId, true, meta))).status).toBe(
      409,
    );
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'target_id', 'ip'])
      .where('action', '=', 'user.disable')
      .execute();
    expect(audit).toEqual([{ action: 'user.disable', target_id: String(userId), ip: '127.0.0.1' }]);
  });

  it('changes a role, effective at the next request, audited, never an admin’s own', async () => {
    const { invitationToken } = await inviteUser(
      t.db,
      admin,
      { email: 'frank@example.com', role: 'user' },
      meta,
    );
    const { userId } = await acceptInvitation(
      t.db,
      { token: invitationToken, password: PASSWORD },
      meta,
    );
    const session = await signIn(
      t.db,
      throttle,
      { email: 'frank@example.com', password: PASSWORD },
      meta,
    );
    const dave = (await authenticate(t.db, session.token))!;
    expect(dave.role).toBe('user');
    expect((await rejection(listUsers(t.db, dave))).status).toBe(403);
    // Only an admin may change roles, and not through their own account.
    expect((await rejection(updateUser(t.db, dave, userId, { role: 'admin' }, meta))).status).toBe(
      403,
    );

    expect(await updateUser(t.db, admin, userId, { role: 'admin' }, meta)).toMatchObject({
      id: userId,
      role: 'admin',
      status: 'active',
    });
    // The same session is an admin's from its next request on.
    const promoted = (await authenticate(t.db, session.token))!;
    expect(promoted.role).toBe('admin');
    expect((await listUsers(t.db, promoted)).length).toBeGreaterThan(1);
    expect(
      (await rejection(updateUser(t.db, promoted, userId, { role: 'user' }, meta))).status,
    ).toBe(409);

    // Role and status in one request: both or neither.
    expect(
      await updateUser(t.db, admin, userId, { role: 'user', disabled: true }, meta),
    ).toMatchObject({ role: 'user', status: 'disabled' });
    expect(await authenticate(t.db, session.token)).toBeUndefined();
    expect(
      (await rejection(updateUser(t.db, admin, 999_999, { role: 'admin' }, meta))).status,
    ).toBe(404);
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('target_id', '=', String(userId))
      .where('action', 'in', ['user.role', 'user.disable'])
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { action: 'user.role', details: { from: 'user', to: 'admin' } },
      { action: 'user.role', details: { from: 'admin', to: 'user' } },
      { action: 'user.disable', details: {} },
    ]);
  });

  it('refuses setup once an admin exists', async () => {
    const refused = await rejection(
      createFirstAdmin(t.db, { email: 'x@example.com', password: PASSWORD }, meta),
    );
    expect(refused.status).toBe(409);
  });
});

// Review M4: password hashing is expensive (19 MiB, tens of milliseconds), so requests that
// must fail never reach it, and guesses sent all at once cannot get past the throttle.
describe('password work only where it can matter (real database)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ poolMax: 5 });
    await createFirstAdmin(t.db, { email: 'first@example.com', password: PASSWORD }, meta);
  });
  afterAll(() => t.destroy());

  it('lets at most the allowed number of 50 simultaneous wrong guesses reach the hasher', async () => {
    const throttle = new LoginThrottle({ attempts: 10, windowMs: 60_000 });
    const before = passwordWorkStarted();
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () =>
        signIn(t.db, throttle, { email: 'first@example.com', password: 'wrong guess!' }, meta),
      ),
    );
    const statuses = results.map((r) => ((r as PromiseRejectedResult).reason as AppError).status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    expect(passwordWorkStarted() - before).toBeLessThanOrEqual(10);
    const failures = await t.db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('action', '=', 'session.sign_in_failed')
      .executeTakeFirstOrThrow();
    expect(Number(failures.n)).toBe(10);
  });

  it('throttles an IPv6 client by its /64, so rotating addresses does not help (L10)', async () => {
    expect(addressBlock('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressBlock('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressBlock('2001:db8::9')).toBe('2001:db8:0:0::/64');
    expect(addressBlock('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressBlock('192.0.2.7')).toBe('192.0.2.7');
    const throttle = new LoginThrottle({ attempts: 10, windowMs: 60_000 });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const error = await rejection(
        signIn(
          t.db,
          throttle,
          { email: `nobody${i}@example.com`, password: 'wrong guess!' },
          { ip: `2001:db8:1:2::${(i + 1).toString(16)}`, userAgent: 'jest' },
        ),
      );
      statuses.push(error.status);
    }
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
  });

  it('does not hash for a setup that is done or an invitation that does not exist', async () => {
    const before = passwordWorkStarted();
    const setup = await rejection(
      createFirstAdmin(t.db, { email: 'late@example.com', password: PASSWORD }, meta),
    );
    expect(setup.status).toBe(409);
    const invitation = await rejection(
      acceptInvitation(t.db, { token: 'cri_' + 'x'.repeat(43), password: PASSWORD }, meta),
    );
    expect(invitation.status).toBe(404);
    expect(passwordWorkStarted()).toBe(before);
  });
});
