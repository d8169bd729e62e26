// The accounts part of the public API over real HTTP, against the running web process
// (Next.js route handlers behind the Fastify shell) and a real database.
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import { createEmptyTestDatabase } from '@cronium/db/testing';
import {
  freePort,
  spawnService,
  waitForStatus,
  type ServiceProcess,
} from '@cronium/service-kit/testing';

const PASSWORD = 'correct horse battery';

describe('accounts API over HTTP', () => {
  let base: string;
  let proc: ServiceProcess;
  let dropDatabase: () => Promise<void>;

  beforeAll(async () => {
    const database = await createEmptyTestDatabase();
    dropDatabase = database.drop;
    const port = await freePort();
    proc = spawnService(join(__dirname, '..', 'main.ts'), {
      DATABASE_URL: database.url,
      CRONIUM_DATA_DIR: mkdtempSync(join(tmpdir(), 'cronium-web-')),
      CRONIUM_ENCRYPTION_KEY: 'ab'.repeat(32),
      CRONIUM_JWT_SECRET: 'j'.repeat(40),
      WEB_PORT: String(port),
      LOG_LEVEL: 'warn',
    });
    base = `http://127.0.0.1:${port}`;
    await waitForStatus(`${base}/ready`, 200, { process: proc, timeoutMs: 60_000 });
  }, 90_000);
  afterAll(async () => {
    await proc?.stop(10_000);
    await dropDatabase?.();
  });

  const call = async (
    method: string,
    path: string,
    options: {
      body?: unknown;
      raw?: string;
      token?: string;
      cookie?: string;
      headers?: Record<string, string>;
    } = {},
  ) => {
    const response = await fetch(base + path, {
      method,
      headers: {
        ...(options.body !== undefined || options.raw !== undefined
          ? { 'content-type': 'application/json' }
          : {}),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...(options.cookie ? { cookie: options.cookie } : {}),
        ...options.headers,
      },
      ...(options.raw !== undefined
        ? { body: options.raw }
        : options.body !== undefined
          ? { body: JSON.stringify(options.body) }
          : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      type: response.headers.get('content-type') ?? '',
      headers: response.headers,
      json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
    };
  };

  let adminCookie: string;
  let adminId: number;

  it('sets up the first admin once, then signs in with an httpOnly cookie', async () => {
    expect((await call('GET', '/api/v1/setup')).json).toEqual({
      needed: true,
      tokenRequired: false,
    });
    const created = await call('POST', '/api/v1/setup', {
      body: { email: 'admin@example.com', password: PASSWORD },
    });
    expect(created.status).toBe(201);
    adminId = created.json!.userId as number;
    const again = await call('POST', '/api/v1/setup', {
      body: { email: 'x@example.com', password: PASSWORD },
    });
    expect([again.status, again.type]).toEqual([409, 'application/problem+json']);
    expect(
      (
        await call('POST', '/api/v1/sessions', {
          body: { email: 'admin@example.com', password: 'wrong password!' },
        })
      ).status,
    ).toBe(401);
    const session = await call('POST', '/api/v1/sessions', {
      body: { email: 'admin@example.com', password: PASSWORD },
    });
    expect(session.status).toBe(201);
    const cookie = session.headers.get('set-cookie')!;
    expect(cookie).toMatch(
      /^cronium_session=crs_[\w-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+/,
    );
    adminCookie = cookie.split(';')[0]!;
    expect((await call('GET', '/api/v1/me', { cookie: adminCookie })).json).toMatchObject({
      id: adminId,
      role: 'admin',
      email: 'admin@example.com',
    });
  });

  it('creates an API token shown once, used as a bearer token, and revoked', async () => {
    const created = await call('POST', '/api/v1/tokens', {
      cookie: adminCookie,
      body: { name: 'cli', scopes: ['runs:read'] },
    });
    expect(created.status).toBe(201);
    const token = created.json!.token as string;
    expect(token).toMatch(/^crn_/);
    expect((await call('GET', '/api/v1/me', { token })).json).toMatchObject({ id: adminId });
    // An admin's token without the users scopes cannot administer users.
    expect((await call('GET', '/api/v1/users', { token })).status).toBe(403);
    const listed = await call('GET', '/api/v1/tokens', { cookie: adminCookie });
    expect(JSON.stringify(listed.json)).not.toContain(token);
    const id = (created.json!.apiToken as { id: number }).id;
    expect((await call('DELETE', `/api/v1/tokens/${id}`, { cookie: adminCookie })).status).toBe(
      204,
    );
    const after = await call('GET', '/api/v1/me', { token });
    expect([after.status, after.type]).toEqual([401, 'application/problem+json']);
  });

  it('lets a token list or revoke tokens only with the tokens scopes (L3)', async () => {
    const make = async (scopes: string[]) =>
      (await call('POST', '/api/v1/tokens', { cookie: adminCookie, body: { name: 't', scopes } }))
        .json as { token: string; apiToken: { id: number } };
    const reader = await make(['runs:read']);
    const other = await make(['events:read']);
    // A leaked runs:read token can neither see nor revoke the user's other tokens.
    expect((await call('GET', '/api/v1/tokens', { token: reader.token })).status).toBe(403);
    const refused = await call('DELETE', `/api/v1/tokens/${other.apiToken.id}`, {
      token: reader.token,
    });
    expect(refused.status).toBe(403);
    expect(refused.json!.detail).toMatch(/tokens:write/);
    const manager = await make(['tokens:read', 'tokens:write']);
    expect((await call('GET', '/api/v1/tokens', { token: manager.token })).status).toBe(200);
    expect(
      (await call('DELETE', `/api/v1/tokens/${other.apiToken.id}`, { token: manager.token }))
        .status,
    ).toBe(204);
  });

  it('invites a user; users cannot administer; disabling ends their session at once', async () => {
    const invited = await call('POST', '/api/v1/invitations', {
      cookie: adminCookie,
      body: { email: 'bob@example.com', role: 'user' },
    });
    expect(invited.status).toBe(201);
    const accepted = await call('POST', '/api/v1/invitations/accept', {
      body: { token: invited.json!.invitationToken, password: PASSWORD, name: 'Bob' },
    });
    expect(accepted.status).toBe(201);
    const bobId = accepted.json!.userId as number;
    const bobSession = await call('POST', '/api/v1/sessions', {
      body: { email: 'bob@example.com', password: PASSWORD },
    });
    const bobCookie = bobSession.headers.get('set-cookie')!.split(';')[0]!;
    expect((await call('GET', '/api/v1/users', { cookie: bobCookie })).status).toBe(403);
    expect(
      (
        await call('PATCH', `/api/v1/users/${adminId}`, {
          cookie: bobCookie,
          body: { disabled: true },
        })
      ).status,
    ).toBe(403);
    // Roles: an empty change is refused, an admin cannot demote themself, and a promotion
    // holds from the user's next request on.
    const patch = (id: number, cookie: string, body: unknown) =>
      call('PATCH', `/api/v1/users/${id}`, { cookie, body });
    expect((await patch(bobId, adminCookie, {})).status).toBe(400);
    expect((await patch(bobId, adminCookie, { role: 'owner' })).json).toMatchObject({
      errors: [{ pointer: '/body/role' }],
    });
    expect((await patch(adminId, adminCookie, { role: 'user' })).status).toBe(409);
    expect((await patch(bobId, adminCookie, { role: 'admin' })).json).toMatchObject({
      role: 'admin',
    });
    expect((await call('GET', '/api/v1/users', { cookie: bobCookie })).status).toBe(200);
    expect((await patch(bobId, adminCookie, { role: 'user' })).json).toMatchObject({
      role: 'user',
    });
    expect((await call('GET', '/api/v1/users', { cookie: bobCookie })).status).toBe(403);
    expect((await patch(bobId, adminCookie, { disabled: true })).json).toMatchObject({
      status: 'disabled',
    });
    expect((await call('GET', '/api/v1/me', { cookie: bobCookie })).status).toBe(401);
  });

  it('answers bad input with problem+json and field pointers, never 5xx', async () => {
    const cases: [string, string, Parameters<typeof call>[2], number][] = [
      ['GET', '/api/v1/me', {}, 401],
      ['POST', '/api/v1/tokens', { cookie: adminCookie, raw: '{"name": ' }, 400],
      [
        'POST',
        '/api/v1/tokens',
        { cookie: adminCookie, body: { name: 'x', scopes: ['runs:read'], admin: true } },
        400,
      ],
      ['POST', '/api/v1/tokens', { cookie: adminCookie, body: { name: 5, scopes: 'all' } }, 400],
      [
        'POST',
        '/api/v1/tokens',
        { cookie: adminCookie, raw: 'x', headers: { 'content-type': 'text/plain' } },
        415,
      ],
      [
        'POST',
        '/api/v1/tokens',
        {
          cookie: adminCookie,
          raw: JSON.stringify({ name: 'x'.repeat(2_000_000), scopes: ['runs:read'] }),
        },
        413,
      ],
      ['DELETE', '/api/v1/tokens/abc', { cookie: adminCookie }, 404],
      ['GET', '/api/v1/no/such/path', { cookie: adminCookie }, 404],
    ];
    for (const [method, path, options, status] of cases) {
      const response = await call(method, path, options);
      expect([method, path, response.status, response.type]).toEqual([
        method,
        path,
        status,
        'application/problem+json',
      ]);
    }
    const typed = await call('POST', '/api/v1/tokens', {
      cookie: adminCookie,
      body: { name: 5, scopes: 'all' },
    });
    expect((typed.json!.errors as { pointer: string }[]).map((e) => e.pointer).sort()).toEqual([
      '/body/name',
      '/body/scopes',
    ]);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE'),
        fc.constantFrom(
          '/api/v1/setup',
          '/api/v1/sessions',
          '/api/v1/me',
          '/api/v1/tokens',
          '/api/v1/tokens/1',
          '/api/v1/users',
          '/api/v1/users/1',
          '/api/v1/invitations',
          '/api/v1/invitations/accept',
        ),
        fc.oneof(
          fc.string({ maxLength: 100 }),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        fc.boolean(),
        async (method, path, raw, signedIn) => {
          const response = await call(method, path, {
            raw: method === 'GET' ? undefined : raw,
            cookie: signedIn ? adminCookie : undefined,
          });
          expect(response.status).toBeLessThan(500);
          if (response.status >= 400) expect(response.type).toBe('application/problem+json');
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);

  it('serves an OpenAPI document listing every operation', async () => {
    const doc = await call('GET', '/api/v1/openapi.json');
    expect(doc.json!.openapi).toBe('3.1.0');
    const paths = doc.json!.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/events',
        '/api/v1/events/{id}',
        '/api/v1/events/{id}/runs',
        '/api/v1/events/{id}/ticks',
        '/api/v1/invitations',
        '/api/v1/invitations/accept',
        '/api/v1/me',
        '/api/v1/runs',
        '/api/v1/runs/{id}',
        '/api/v1/runs/{id}/cancel',
        '/api/v1/runs/{id}/logs',
        '/api/v1/sessions',
        '/api/v1/sessions/current',
        '/api/v1/setup',
        '/api/v1/tokens',
        '/api/v1/tokens/{id}',
        '/api/v1/users',
        '/api/v1/users/{id}',
      ]),
    );
    // Each path's operations are exactly the methods its route file answers.
    for (const [path, operations] of Object.entries(paths)) {
      const allowed = Object.keys(operations).map((m) => m.toUpperCase());
      const probe = await fetch(base + path.replace('{id}', '1'), { method: 'PUT' });
      if (!allowed.includes('PUT')) expect([path, probe.status]).toEqual([path, 405]);
    }
    expect(Object.keys(paths['/api/v1/tokens']!).sort()).toEqual(['get', 'post']);
  });
});
