// What a browser page may do with the session cookie (review L1, L2) and who may create the
// first admin (M5), over real HTTP against the built web app.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startApiStack, TEST_PASSWORD, type ApiStack } from './testing/api-stack.ts';

const ADMIN = { email: 'admin@example.com', password: TEST_PASSWORD };

async function post(
  stack: ApiStack,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; json: { detail?: string } | undefined; setCookie: string | null }> {
  const response = await fetch(stack.base + path, {
    method: 'POST',
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    json: text ? (JSON.parse(text) as { detail?: string }) : undefined,
    setCookie: response.headers.get('set-cookie'),
  };
}

describe('browser requests with the session cookie', () => {
  jest.setTimeout(120_000);
  let stack: ApiStack;
  let cookie: string;
  let runId: number;
  beforeAll(async () => {
    stack = await startApiStack({ webEnv: { CRONIUM_PUBLIC_URL: 'http://127.0.0.1:3000' } });
    expect((await stack.call('POST', '/api/v1/setup', undefined, ADMIN)).status).toBe(201);
    cookie = await stack.signIn(ADMIN.email);
    const event = await stack.call('POST', '/api/v1/events', cookie, {
      name: 'e',
      type: 'bash',
      targetKind: 'local',
      script: 'true',
    });
    expect(event.status).toBe(201);
    runId = (await stack.call('POST', `/api/v1/events/${event.json.id}/runs`, cookie, {})).json.id;
  });
  afterAll(() => stack?.stop());

  it('refuses unsafe requests from other sites and other pages of this one (CSRF)', async () => {
    const foreign: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { origin: 'http://127.0.0.1:5173' }, // another port of the same host: same site
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'null' },
    ];
    for (const headers of foreign) {
      // A body-less POST, which a plain HTML form can send.
      const answer = await post(stack, `/api/v1/runs/${runId}/cancel`, { cookie, ...headers });
      expect({ headers, status: answer.status }).toEqual({ headers, status: 403 });
      expect(answer.json?.detail).toMatch(/cannot use the session cookie/);
    }
    // Signing in from another site is refused too (login CSRF).
    const login = await post(
      stack,
      '/api/v1/sessions',
      { origin: 'https://evil.example' },
      { email: ADMIN.email, password: TEST_PASSWORD },
    );
    expect(login.status).toBe(403);
  });

  it('accepts them from its own pages, from programs, and with a bearer token from anywhere', async () => {
    const own = await post(stack, `/api/v1/runs/${runId}/cancel`, {
      cookie,
      origin: 'http://127.0.0.1:3000',
      'sec-fetch-site': 'same-origin',
    });
    expect([200, 409]).toContain(own.status);
    // curl: no Origin, no Sec-Fetch-Site.
    expect([200, 409]).toContain(
      (await post(stack, `/api/v1/runs/${runId}/cancel`, { cookie })).status,
    );
    const token = (
      await stack.call('POST', '/api/v1/tokens', cookie, {
        name: 'ci',
        scopes: ['runs:read', 'runs:write'],
      })
    ).json.token as string;
    const bearer = await post(stack, `/api/v1/runs/${runId}/cancel`, {
      authorization: `Bearer ${token}`,
      origin: 'https://app.example',
    });
    expect([200, 409]).toContain(bearer.status);
    // A read from another origin's page (CORS or not) does not get to use the cookie either.
    expect(
      (
        await fetch(`${stack.base}/api/v1/runs/${runId}`, {
          headers: { cookie, origin: 'https://evil.example' },
        })
      ).status,
    ).toBe(403);
    // With no WEB_CORS_ORIGINS (the default), no other origin's page is answered: a bearer
    // read carries no CORS header, and a preflight is refused.
    const read = await fetch(`${stack.base}/api/v1/runs/${runId}`, {
      headers: { authorization: `Bearer ${token}`, origin: 'https://app.example' },
    });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${stack.base}/api/v1/runs/${runId}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('shows strangers the sign-in page without counts of users, events or runs (L7)', async () => {
    const page = await (await fetch(`${stack.base}/signin`)).text();
    expect(page).toContain('connected, schema up to date');
    expect(page).not.toMatch(/Users|Events<|Runs</);
  });

  it('sets a plain httpOnly cookie when the public URL is http', async () => {
    const login = await post(
      stack,
      '/api/v1/sessions',
      {},
      { email: ADMIN.email, password: TEST_PASSWORD },
    );
    expect(login.setCookie).toMatch(/^cronium_session=crs_[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
    expect(login.setCookie).not.toMatch(/Secure/);
  });
});

describe('the session cookie behind https', () => {
  jest.setTimeout(120_000);
  let stack: ApiStack;
  beforeAll(async () => {
    stack = await startApiStack({
      webEnv: { CRONIUM_PUBLIC_URL: 'https://cron.example.com', WEB_TRUSTED_PROXIES: '127.0.0.1' },
    });
    expect((await stack.call('POST', '/api/v1/setup', undefined, ADMIN)).status).toBe(201);
  });
  afterAll(() => stack?.stop());

  it('is Secure and __Host- named, and is accepted under that name', async () => {
    const login = await post(
      stack,
      '/api/v1/sessions',
      { 'x-forwarded-proto': 'https', origin: 'https://cron.example.com' },
      { email: ADMIN.email, password: TEST_PASSWORD },
    );
    expect(login.status).toBe(201);
    expect(login.setCookie).toMatch(
      /^__Host-cronium_session=crs_[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/,
    );
    const cookie = login.setCookie!.split(';')[0]!;
    expect((await stack.call('GET', '/api/v1/me', cookie)).status).toBe(200);
    // The http origin of the same host is another origin now.
    const plain = await post(
      stack,
      '/api/v1/sessions',
      { origin: 'http://cron.example.com' },
      {
        email: ADMIN.email,
        password: TEST_PASSWORD,
      },
    );
    expect(plain.status).toBe(403);
  });
});

describe('creating the first admin', () => {
  jest.setTimeout(120_000);

  it('needs the setup token when the web process listens beyond loopback', async () => {
    // Listening on every address; this test still talks to it over loopback only.
    const stack = await startApiStack({ webEnv: { WEB_HOST: '0.0.0.0' } });
    try {
      const file = join(stack.dataDir, 'setup-token');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const token = readFileSync(file, 'utf8').trim();
      expect(token.length).toBeGreaterThanOrEqual(32);
      const without = await stack.call('POST', '/api/v1/setup', undefined, ADMIN);
      expect(without.status).toBe(403);
      expect(without.json.errors[0].pointer).toBe('/body/setupToken');
      const wrong = await stack.call('POST', '/api/v1/setup', undefined, {
        ...ADMIN,
        setupToken: 'x'.repeat(token.length),
      });
      expect(wrong.status).toBe(403);
      expect((await stack.call('GET', '/api/v1/setup')).json).toEqual({
        needed: true,
        tokenRequired: true,
      });
      const right = await stack.call('POST', '/api/v1/setup', undefined, {
        ...ADMIN,
        setupToken: token,
      });
      expect(right.status).toBe(201);
      // Used once: the file is gone, and setup is done.
      expect(() => statSync(file)).toThrow();
      const again = await stack.call('POST', '/api/v1/setup', undefined, {
        ...ADMIN,
        setupToken: token,
      });
      expect(again.status).toBe(409);
    } finally {
      await stack.stop();
    }
  });

  it('takes the token from CRONIUM_SETUP_TOKEN, and needs none on loopback otherwise', async () => {
    const given = 'given-setup-token-0123456789';
    const stack = await startApiStack({ webEnv: { CRONIUM_SETUP_TOKEN: given } });
    try {
      expect((await stack.call('POST', '/api/v1/setup', undefined, ADMIN)).status).toBe(403);
      expect(
        (await stack.call('POST', '/api/v1/setup', undefined, { ...ADMIN, setupToken: given }))
          .status,
      ).toBe(201);
    } finally {
      await stack.stop();
    }
  });
});
