// Managing webhooks over the public API, end to end over real HTTP: the secret is answered
// once and stored encrypted, hooks are their owner's (another user's is 404), scopes apply,
// every change is audited; and what the owner's state does to deliveries (a disabled owner,
// the queued-run quota).
import { sql } from 'kysely';
import { createDatabase } from '@cronium/db';
import { adminAndUser, startApiStack, type ApiStack } from './testing/api-stack.ts';
import { deliver } from './testing/webhook-client.ts';

describe('webhooks API over HTTP', () => {
  let stack: ApiStack;
  let admin: string;
  let bob: string;
  let bobId: number;
  const call: ApiStack['call'] = (...args) => stack.call(...args);

  beforeAll(async () => {
    // No orchestrator: runs stay queued, so the queued-run quota can be reached.
    stack = await startApiStack({ webEnv: { WEB_QUOTA_QUEUED_RUNS: '3' } });
    ({ admin, user: bob } = await adminAndUser(stack));
    bobId = (await call('GET', '/api/v1/me', bob)).json.id;
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const event = async (auth: string, name: string) => {
    const created = await call('POST', '/api/v1/events', auth, {
      name,
      type: 'http',
      http: { method: 'POST', url: 'https://example.com/deploy' },
    });
    expect(created.status).toBe(201);
    return created.json.id as number;
  };

  it('answers the secret once, stores it encrypted, never shows it again', async () => {
    const eventId = await event(admin, 'deploy');
    const created = await call('POST', `/api/v1/events/${eventId}/webhooks`, admin, {
      name: 'github',
      headers: ['X-GitHub-Event'],
    });
    expect(created.status).toBe(201);
    const { webhook, secret } = created.json;
    expect(secret).toMatch(/^crw_[A-Za-z0-9_-]{43}$/);
    expect(webhook).toEqual({
      id: expect.any(Number),
      eventId,
      workflowId: null,
      name: 'github',
      enabled: true,
      url: expect.stringMatching(new RegExp(`^${stack.base}/api/v1/hooks/[A-Za-z0-9_-]{24}$`)),
      authMode: 'hmac',
      headers: ['x-github-event'],
      rateLimitPerMinute: 60,
      replayWindowSeconds: 300,
      secretPrefix: secret.slice(0, 8),
      previousSecretExpiresAt: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      lastTriggeredAt: null,
    });
    // The URL's id is random (144 bits), not the hook's or the event's.
    expect(webhook.url.split('/').at(-1)).not.toMatch(new RegExp(`^(${webhook.id}|${eventId})$`));
    const list = await call('GET', `/api/v1/events/${eventId}/webhooks`, admin);
    const one = await call('GET', `/api/v1/webhooks/${webhook.id}`, admin);
    const audit = await call('GET', '/api/v1/audit?action=webhook.', admin);
    for (const answer of [list, one, audit]) expect(answer.text).not.toContain(secret.slice(8));
    expect(list.json).toEqual([webhook]);
    const { db } = createDatabase({ url: stack.databaseUrl, poolMax: 1 });
    try {
      const row = (
        await sql<{ secret_encrypted: string }>`SELECT secret_encrypted FROM webhooks
          WHERE id = ${webhook.id}`.execute(db)
      ).rows[0]!;
      expect(row.secret_encrypted).toMatch(/^v2\.[\w-]{12}\./);
      expect(row.secret_encrypted).not.toContain(secret.slice(4));
    } finally {
      await db.destroy();
    }
    expect(audit.json.entries[0]).toMatchObject({
      action: 'webhook.create',
      targetType: 'webhook',
      targetId: String(webhook.id),
      details: { eventId, name: 'github', authMode: 'hmac' },
    });
  });

  it('changes, rotates and deletes a hook, each audited', async () => {
    const eventId = await event(admin, 'changes');
    const { webhook } = (
      await call('POST', `/api/v1/events/${eventId}/webhooks`, admin, { name: 'a' })
    ).json;
    const changed = await call('PATCH', `/api/v1/webhooks/${webhook.id}`, admin, {
      name: 'b',
      authMode: 'bearer',
      rateLimitPerMinute: 10,
      replayWindowSeconds: 60,
      enabled: false,
    });
    expect(changed.json).toMatchObject({
      name: 'b',
      authMode: 'bearer',
      rateLimitPerMinute: 10,
      replayWindowSeconds: 60,
      enabled: false,
      url: webhook.url,
    });
    const rotated = await call('POST', `/api/v1/webhooks/${webhook.id}/rotate`, admin, {});
    expect(rotated.status).toBe(200);
    const expires = Date.parse(rotated.json.webhook.previousSecretExpiresAt);
    expect(expires - Date.now()).toBeGreaterThan(86_400_000 - 60_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(86_400_000);
    expect(rotated.json.webhook.secretPrefix).toBe(rotated.json.secret.slice(0, 8));
    const tooLong = await call('POST', `/api/v1/webhooks/${webhook.id}/rotate`, admin, {
      graceSeconds: 7 * 86_400 + 1,
    });
    expect([tooLong.status, tooLong.json.errors[0].pointer]).toEqual([400, '/body/graceSeconds']);
    expect((await call('DELETE', `/api/v1/webhooks/${webhook.id}`, admin)).status).toBe(204);
    expect((await call('GET', `/api/v1/webhooks/${webhook.id}`, admin)).status).toBe(404);
    const actions = (
      await call('GET', '/api/v1/audit?action=webhook.&limit=10', admin)
    ).json.entries
      .filter((e: { targetId: string }) => e.targetId === String(webhook.id))
      .map((e: { action: string; details: unknown }) => [e.action, e.details]);
    expect(actions).toEqual([
      ['webhook.delete', { eventId, name: 'b' }],
      ['webhook.rotate', { eventId, graceSeconds: 86_400 }],
      [
        'webhook.update',
        {
          eventId,
          fields: ['authMode', 'enabled', 'name', 'rateLimitPerMinute', 'replayWindowSeconds'],
        },
      ],
      ['webhook.create', { eventId, name: 'a', authMode: 'hmac' }],
    ]);
  });

  it('refuses credential headers, bad settings, and more than 20 hooks on an event', async () => {
    const eventId = await event(admin, 'checks');
    const refused = await call('POST', `/api/v1/events/${eventId}/webhooks`, admin, {
      name: 'x',
      headers: ['x-ok', 'Authorization'],
    });
    expect([refused.status, refused.json.errors]).toEqual([
      422,
      [{ pointer: '/body/headers/1', message: expect.stringMatching(/credentials/) }],
    ]);
    const schema = await call('POST', `/api/v1/events/${eventId}/webhooks`, admin, {
      name: '',
      authMode: 'basic',
      rateLimitPerMinute: 0,
      owner: 1,
    });
    expect(schema.status).toBe(400);
    expect(schema.json.errors.map((e: { pointer: string }) => e.pointer)).toEqual(
      expect.arrayContaining(['/body/name', '/body/authMode', '/body/rateLimitPerMinute']),
    );
    for (let i = 0; i < 20; i++)
      expect(
        (await call('POST', `/api/v1/events/${eventId}/webhooks`, admin, { name: `h${i}` })).status,
      ).toBe(201);
    const over = await call('POST', `/api/v1/events/${eventId}/webhooks`, admin, { name: 'h21' });
    expect([over.status, over.json.code]).toEqual([409, 'CONFLICT']);
  });

  it("keeps each user's hooks their own: another user's are 404, an admin sees all", async () => {
    const adminEvent = await event(admin, 'admin only');
    const { webhook } = (
      await call('POST', `/api/v1/events/${adminEvent}/webhooks`, admin, { name: 'mine' })
    ).json;
    for (const [method, path, body] of [
      ['GET', `/api/v1/events/${adminEvent}/webhooks`],
      ['POST', `/api/v1/events/${adminEvent}/webhooks`, { name: 'theirs' }],
      ['GET', `/api/v1/webhooks/${webhook.id}`],
      ['PATCH', `/api/v1/webhooks/${webhook.id}`, { enabled: false }],
      ['POST', `/api/v1/webhooks/${webhook.id}/rotate`, {}],
      ['DELETE', `/api/v1/webhooks/${webhook.id}`],
    ] as [string, string, unknown?][]) {
      const answer = await call(method, path, bob, body);
      expect([method, path, answer.status, answer.type]).toEqual([
        method,
        path,
        404,
        'application/problem+json',
      ]);
    }
    expect((await call('GET', `/api/v1/webhooks/${webhook.id}`, admin)).json.enabled).toBe(true);
    // An admin may manage a user's hooks; the hook is the event owner's.
    const bobEvent = await event(bob, 'bob deploy');
    const bobs = (await call('POST', `/api/v1/events/${bobEvent}/webhooks`, admin, { name: 'b' }))
      .json;
    expect((await call('GET', `/api/v1/webhooks/${bobs.webhook.id}`, bob)).status).toBe(200);
  });

  it('needs webhooks:read and webhooks:write with an API token', async () => {
    const eventId = await event(bob, 'tokened');
    const token = async (scopes: string[]) =>
      (await call('POST', '/api/v1/tokens', bob, { name: scopes.join(' '), scopes })).json
        .token as string;
    const reader = await token(['webhooks:read']);
    const writer = await token(['webhooks:read', 'webhooks:write']);
    const denied = await call('POST', `/api/v1/events/${eventId}/webhooks`, reader, { name: 'x' });
    expect([denied.status, denied.json.detail]).toEqual([
      403,
      'this API token lacks the webhooks:write scope',
    ]);
    const made = await call('POST', `/api/v1/events/${eventId}/webhooks`, writer, { name: 'x' });
    expect(made.status).toBe(201);
    expect((await call('GET', `/api/v1/events/${eventId}/webhooks`, reader)).status).toBe(200);
    const eventsOnly = await token(['events:read']);
    expect((await call('GET', `/api/v1/webhooks/${made.json.webhook.id}`, eventsOnly)).status).toBe(
      403,
    );
  });

  it("applies the owner's queued-run quota, then refuses every delivery once the owner is disabled", async () => {
    const eventId = await event(bob, 'queued');
    const { webhook, secret } = (
      await call('POST', `/api/v1/events/${eventId}/webhooks`, bob, { name: 'q' })
    ).json;
    const answers = [];
    for (let i = 0; i < 4; i++)
      answers.push(await deliver(webhook.url, secret, { body: `{"i": ${i}}` }));
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 429]);
    expect(answers[3]!.json.detail).toMatch(/the event's owner has 3 runs waiting/);
    expect(answers[3]!.headers.get('retry-after')).toBe('30');
    expect((await call('PATCH', `/api/v1/users/${bobId}`, admin, { disabled: true })).status).toBe(
      200,
    );
    const disabled = await deliver(webhook.url, secret, { body: '{"i": 9}' });
    expect([disabled.status, disabled.json.code, disabled.json.detail]).toEqual([
      403,
      'FORBIDDEN',
      'the owner of this webhook is disabled',
    ]);
    // Unsigned, it is a 401 all the same: the owner's state is told only to a signed request.
    expect((await deliver(webhook.url, secret, { unsigned: true })).status).toBe(401);
    await call('PATCH', `/api/v1/users/${bobId}`, admin, { disabled: false });
  });
});
