// Tool credentials over the public API, end to end over real HTTP: stored encrypted and never
// returned, each user's own, checked per kind, and tested by sending a real signed webhook to
// a local receiver, under the caller's egress policy.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature } from '@cronium/tools';
import { adminAndUser, startApiStack, type ApiStack } from './testing/api-stack.ts';

interface Received {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('tool credentials API over HTTP', () => {
  let stack: ApiStack;
  let admin: string;
  let bob: string;
  let receiver: Server;
  let receiverUrl: string;
  const received: Received[] = [];
  let answerStatus = 200;
  const call: ApiStack['call'] = (...args) => stack.call(...args);
  const SECRET = 'a-long-random-signing-secret';

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        received.push({ method: request.method!, headers: request.headers, body });
        response.writeHead(answerStatus, answerStatus === 429 ? { 'retry-after': '30' } : {});
        response.end('thanks');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook/s3cret-path`;
    stack = await startApiStack();
    ({ admin, user: bob } = await adminAndUser(stack));
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const webhook = (name: string, url = receiverUrl) => ({
    kind: 'webhook',
    name,
    config: { url, method: 'POST', headers: { 'x-team': 'ops' }, signingSecret: SECRET },
  });

  it('stores a credential without ever answering its configuration', async () => {
    const created = await call('POST', '/api/v1/tools/credentials', admin, webhook('deploy hook'));
    expect(created.status).toBe(201);
    expect(Object.keys(created.json).sort()).toEqual([
      'createdAt',
      'id',
      'kind',
      'name',
      'updatedAt',
    ]);
    const list = await call('GET', '/api/v1/tools/credentials', admin);
    const one = await call('GET', `/api/v1/tools/credentials/${created.json.id}`, admin);
    for (const answer of [created, list, one]) {
      expect(answer.text).not.toContain('s3cret-path');
      expect(answer.text).not.toContain(SECRET);
    }
    expect(list.json.map((c: { name: string }) => c.name)).toContain('deploy hook');
    const audit = await call('GET', '/api/v1/audit?action=tool_credential.', admin);
    expect(audit.text).not.toContain(SECRET);
    expect(audit.json.entries[0]).toMatchObject({
      action: 'tool_credential.create',
      details: { kind: 'webhook', name: 'deploy hook' },
    });
  });

  it('sends a signed test webhook, and reports a 429 as retryable', async () => {
    const { id } = (await call('POST', '/api/v1/tools/credentials', admin, webhook('signed test')))
      .json;
    received.length = 0;
    const sent = await call('POST', `/api/v1/tools/credentials/${id}/test`, admin, {});
    expect(sent.status).toBe(200);
    expect(sent.json).toMatchObject({ ok: true, status: 200 });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.method).toBe('POST');
    expect(request!.headers['x-team']).toBe('ops');
    expect(JSON.parse(request!.body)).toEqual({ cronium: 'test', credential: 'signed test' });
    expect(
      verifyWebhookSignature(
        SECRET,
        {
          timestamp: request!.headers['x-cronium-timestamp'] as string,
          signature: request!.headers['x-cronium-signature'] as string,
        },
        request!.body,
      ),
    ).toBe(true);

    answerStatus = 429;
    try {
      const limited = await call('POST', `/api/v1/tools/credentials/${id}/test`, admin, {});
      expect(limited.json).toMatchObject({
        ok: false,
        retryable: true,
        retryAfterMs: 30_000,
        status: 429,
      });
      expect(limited.text).not.toContain('s3cret-path');
    } finally {
      answerStatus = 200;
    }
  });

  it('sends nothing where the egress policy does not let the user go', async () => {
    // An ordinary user may not reach loopback (only EGRESS_ALLOW's internal addresses).
    const { id } = (await call('POST', '/api/v1/tools/credentials', bob, webhook('mine'))).json;
    received.length = 0;
    const refused = await call('POST', `/api/v1/tools/credentials/${id}/test`, bob, {});
    expect(refused.status).toBe(200);
    expect(refused.json).toMatchObject({ ok: false, retryable: false });
    expect(refused.json.error).toMatch(/not allowed/);
    expect(received).toHaveLength(0);
    const audit = await call('GET', '/api/v1/audit?action=egress.refused', admin);
    expect(audit.json.entries[0]).toMatchObject({
      targetType: 'tool_credential',
      targetId: String(id),
    });
  });

  it('keeps each user’s credentials their own', async () => {
    const { id } = (await call('POST', '/api/v1/tools/credentials', admin, webhook('admin only')))
      .json;
    for (const [method, path, body] of [
      ['GET', `/api/v1/tools/credentials/${id}`, undefined],
      ['PATCH', `/api/v1/tools/credentials/${id}`, { name: 'taken over' }],
      ['POST', `/api/v1/tools/credentials/${id}/test`, {}],
      ['DELETE', `/api/v1/tools/credentials/${id}`, undefined],
    ] as const)
      expect((await call(method, path, bob, body)).status).toBe(404);
    const bobs = (await call('GET', '/api/v1/tools/credentials', bob)).json;
    expect(bobs.map((c: { id: number }) => c.id)).not.toContain(id);
  });

  it('checks each kind’s configuration, names and changes, and saves nothing bad', async () => {
    const bad = async (body: unknown, status: number, pointer?: string) => {
      const answer = await call('POST', '/api/v1/tools/credentials', bob, body);
      expect(answer.status).toBe(status);
      expect(answer.type).toContain('application/problem+json');
      if (pointer)
        expect(answer.json.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
    };
    await bad({ kind: 'pager', name: 'x', config: {} }, 400, '/body/kind');
    await bad(
      {
        kind: 'email',
        name: 'smtp',
        config: { host: 'mail', port: 70000, tls: 'none', from: 'a@b.c' },
      },
      422,
      '/body/config/port',
    );
    await bad({ kind: 'webhook', name: 'w', config: { url: 'ftp://x', method: 'POST' } }, 422);
    await bad({ kind: 'discord', name: 'd', config: { webhookUrl: receiverUrl, extra: 1 } }, 422);
    expect(
      (await call('GET', '/api/v1/tools/credentials', bob)).json.map(
        (c: { name: string }) => c.name,
      ),
    ).toEqual(['mine']);

    const mail = (
      await call('POST', '/api/v1/tools/credentials', bob, {
        kind: 'email',
        name: 'smtp',
        config: { host: '127.0.0.1', port: 2525, tls: 'none', from: 'cronium@example.com' },
      })
    ).json;
    expect(mail).toMatchObject({ kind: 'email', name: 'smtp' });
    // A test email needs someone to go to.
    const noRecipient = await call('POST', `/api/v1/tools/credentials/${mail.id}/test`, bob, {});
    expect(noRecipient.status).toBe(422);
    expect(noRecipient.json.errors[0].pointer).toBe('/body/to');
    // The name is unique per owner; a configuration is checked against the stored kind.
    expect((await call('POST', '/api/v1/tools/credentials', bob, webhook('smtp'))).status).toBe(
      409,
    );
    const wrongKind = await call('PATCH', `/api/v1/tools/credentials/${mail.id}`, bob, {
      config: { url: receiverUrl, method: 'POST' },
    });
    expect(wrongKind.status).toBe(422);
    expect((await call('PATCH', `/api/v1/tools/credentials/${mail.id}`, bob, {})).status).toBe(400);
    const renamed = await call('PATCH', `/api/v1/tools/credentials/${mail.id}`, bob, {
      name: 'smtp relay',
    });
    expect(renamed.json).toMatchObject({ name: 'smtp relay', kind: 'email' });
    expect((await call('DELETE', `/api/v1/tools/credentials/${mail.id}`, bob)).status).toBe(204);
    expect((await call('GET', `/api/v1/tools/credentials/${mail.id}`, bob)).status).toBe(404);
  });

  it('lets a token use the credentials routes only with the tools scopes', async () => {
    const token = (
      await call('POST', '/api/v1/tokens', bob, { name: 'reader', scopes: ['tools:read'] })
    ).json.token;
    expect((await call('GET', '/api/v1/tools/credentials', token)).status).toBe(200);
    const denied = await call('POST', '/api/v1/tools/credentials', token, webhook('by token'));
    expect(denied.status).toBe(403);
    expect(denied.json.detail).toMatch(/tools:write/);
  });
});
