// Query parameters and bodies checked by the schemas the routes are declared with (and the
// OpenAPI document lists), over real HTTP against the built web app.
import { startApiStack, TEST_PASSWORD, type ApiStack } from './testing/api-stack.ts';

describe('request schemas of the REST API', () => {
  jest.setTimeout(120_000);
  let stack: ApiStack;
  let cookie: string;
  beforeAll(async () => {
    stack = await startApiStack();
    const admin = { email: 'admin@example.com', password: TEST_PASSWORD };
    expect((await stack.call('POST', '/api/v1/setup', undefined, admin)).status).toBe(201);
    cookie = await stack.signIn(admin.email);
  });
  afterAll(() => stack?.stop());

  it('answers a malformed query parameter with 400 and a pointer to it', async () => {
    for (const [query, pointer] of [
      ['limit=abc', '/query/limit'],
      ['limit=0', '/query/limit'],
      ['before=1.5', '/query/before'],
      ['eventId=-3', '/query/eventId'],
      ['from=yesterday', '/query/from'],
    ]) {
      const answer = await stack.call('GET', `/api/v1/runs?${query}`, cookie);
      expect([query, answer.status, answer.type, answer.json.code]).toEqual([
        query,
        400,
        'application/problem+json',
        'VALIDATION_FAILED',
      ]);
      expect(answer.json.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    }
  });

  it('converts good ones, ignores empty and unknown ones', async () => {
    const page = await stack.call(
      'GET',
      '/api/v1/runs?limit=5&before=&from=2020-01-01T00:00:00Z&whatever=1',
      cookie,
    );
    expect([page.status, page.json]).toEqual([200, { runs: [], nextBefore: null }]);
    expect((await stack.call('GET', '/api/v1/audit?limit=1', cookie)).json.entries).toHaveLength(1);
  });

  it('accepts a token expiry as an RFC 3339 time, and refuses one that is not', async () => {
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const created = await stack.call('POST', '/api/v1/tokens', cookie, {
      name: 'expiring',
      scopes: ['runs:read'],
      expiresAt,
    });
    expect([created.status, created.json.apiToken.expiresAt]).toEqual([201, expiresAt]);
    const refused = await stack.call('POST', '/api/v1/tokens', cookie, {
      name: 'bad',
      scopes: ['runs:read'],
      expiresAt: '2030-13-45Tnope',
    });
    expect([refused.status, refused.json.errors[0].pointer]).toEqual([400, '/body/expiresAt']);
  });

  it('lists the query parameters of each route in the OpenAPI document', async () => {
    const doc = (await stack.call('GET', '/api/v1/openapi.json')).json;
    const names = (doc.paths['/api/v1/runs'].get.parameters as { name: string; in: string }[])
      .filter((p) => p.in === 'query')
      .map((p) => p.name);
    expect(names).toEqual(['eventId', 'status', 'from', 'to', 'before', 'limit']);
  });
});
