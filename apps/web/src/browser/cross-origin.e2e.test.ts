// The REST API called from another origin's page in a real Chromium (CORS): pages of an
// origin in WEB_CORS_ORIGINS call it with an API token, preflight and all; pages of any other
// origin cannot read an answer; and the session cookie never authorises a cross-origin call.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { TEST_PASSWORD, startApiStack, type ApiStack } from '../api/testing/api-stack.ts';
import { describeInBrowser, launchChromium } from './testing/browser.ts';

/** A loopback site serving one empty page: another origin than the API's. */
async function site(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_request, response) =>
    response
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<!doctype html><title>app</title>'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface Answer {
  status?: number;
  body?: Record<string, unknown>;
  allowOrigin?: string | null;
  failed?: string;
}

/** A fetch from the page's own script: what it can read, or how it failed. */
function fetchFrom(page: Page, url: string, init: Record<string, unknown>): Promise<Answer> {
  return page.evaluate(
    async ({ url, init }) => {
      try {
        const response = await fetch(url, init as RequestInit);
        const text = await response.text();
        return { status: response.status, body: text ? JSON.parse(text) : undefined };
      } catch (error) {
        return { failed: (error as Error).name };
      }
    },
    { url, init },
  );
}

describeInBrowser('the API from another origin', () => {
  jest.setTimeout(180_000);
  let stack: ApiStack;
  let browser: Browser;
  let allowed: Awaited<ReturnType<typeof site>>;
  let other: Awaited<ReturnType<typeof site>>;
  let cookie: string;
  let token: string;

  beforeAll(async () => {
    [allowed, other] = await Promise.all([site(), site()]);
    [stack, browser] = await Promise.all([
      startApiStack({ webEnv: { WEB_CORS_ORIGINS: `${allowed.origin},https://app.example.com` } }),
      launchChromium(),
    ]);
    await stack.call('POST', '/api/v1/setup', undefined, {
      email: 'ada@example.com',
      password: TEST_PASSWORD,
    });
    cookie = await stack.signIn('ada@example.com');
    token = (
      await stack.call('POST', '/api/v1/tokens', cookie, {
        name: 'spa',
        scopes: ['events:read', 'events:write', 'events:execute'],
      })
    ).json.token;
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await Promise.all(
      [allowed, other].map((s) => new Promise((resolve) => s?.server.close(resolve))),
    );
  });

  async function pageOf(origin: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(origin);
    return page;
  }

  it('answers an allowed origin’s page that holds a token: reads, preflighted writes and errors', async () => {
    const page = await pageOf(allowed.origin);
    const auth = { authorization: `Bearer ${token}` };
    const listed = await fetchFrom(page, `${stack.base}/api/v1/events`, { headers: auth });
    expect(listed).toMatchObject({ status: 200, body: { events: [] } });
    // JSON with an Authorization header: the browser asks first (OPTIONS), then sends it.
    const created = await fetchFrom(page, `${stack.base}/api/v1/events`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'from the SPA',
        type: 'http',
        http: { method: 'GET', url: 'https://example.com/' },
      }),
    });
    expect(created).toMatchObject({ status: 201, body: { name: 'from the SPA' } });
    // A refusal is readable too, with its problem document.
    const refused = await fetchFrom(page, `${stack.base}/api/v1/events`, {
      headers: { authorization: 'Bearer crn_not-a-token' },
    });
    expect(refused).toMatchObject({ status: 401, body: { status: 401 } });
    await page.close();
  });

  it('lets no other origin’s page read an answer', async () => {
    const page = await pageOf(other.origin);
    const auth = { authorization: `Bearer ${token}` };
    expect(await fetchFrom(page, `${stack.base}/api/v1/events`, { headers: auth })).toEqual({
      failed: 'TypeError',
    });
    const before = (await stack.call('GET', '/api/v1/events', cookie)).json.events.length;
    expect(
      await fetchFrom(page, `${stack.base}/api/v1/events`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'smuggled',
          type: 'http',
          http: { method: 'GET', url: 'https://example.com/' },
        }),
      }),
    ).toEqual({ failed: 'TypeError' });
    // The preflight was refused: the write never reached the API.
    expect((await stack.call('GET', '/api/v1/events', cookie)).json.events).toHaveLength(before);
    await page.close();
  });

  it('never lets the session cookie authorise a cross-origin call, even from an allowed origin', async () => {
    // The browser holds the session (signed in on the API's origin)...
    const context = await browser.newContext();
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: stack.base }]);
    const page = await context.newPage();
    await page.goto(allowed.origin);
    // ...and an allowed page asks with credentials: the answer carries no
    // Access-Control-Allow-Credentials, so the browser keeps it from the page.
    expect(
      await fetchFrom(page, `${stack.base}/api/v1/events`, { credentials: 'include' }),
    ).toEqual({ failed: 'TypeError' });
    await context.close();
    // And the API itself refuses the cookie with a foreign Origin, reads included.
    const answer = await fetch(`${stack.base}/api/v1/events`, {
      headers: { cookie, origin: allowed.origin },
    });
    expect(answer.status).toBe(403);
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    expect(((await answer.json()) as { detail: string }).detail).toMatch(
      /cannot use the session cookie/,
    );
  });

  it('answers preflights by path with that path’s methods, and refuses other origins', async () => {
    const preflight = (path: string, origin: string, method = 'POST') =>
      fetch(`${stack.base}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': method,
          'access-control-request-headers': 'authorization, content-type',
        },
      });
    const ok = await preflight('/api/v1/events/12', 'https://app.example.com', 'PATCH');
    expect(ok.status).toBe(204);
    expect(Object.fromEntries(ok.headers)).toMatchObject({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-max-age': '600',
    });
    expect(ok.headers.get('access-control-allow-methods')!.split(', ').sort()).toEqual([
      'DELETE',
      'GET',
      'PATCH',
    ]);
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    const foreign = await preflight('/api/v1/events', 'https://evil.example');
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(foreign.headers.get('content-type')).toMatch(/problem\+json/);
    const unknown = await preflight('/api/v1/nowhere', 'https://app.example.com');
    expect(unknown.status).toBe(404);
    // An answer to an allowed origin says so, and varies by Origin for caches.
    const read = await fetch(`${stack.base}/api/v1/events`, {
      headers: { authorization: `Bearer ${token}`, origin: 'https://app.example.com' },
    });
    expect(read.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(read.headers.get('vary')).toMatch(/origin/i);
  });
});
