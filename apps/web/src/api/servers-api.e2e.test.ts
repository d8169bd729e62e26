// SSH servers over the public API, end to end: a running web process, runtime API and
// orchestrator on one real database, and a real OpenSSH sshd on loopback. A server is added,
// its host key scanned, confirmed and tested, and an SSH event runs on it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { freePort } from '@cronium/service-kit/testing';
import {
  privateSshdAvailable,
  startPrivateSshd,
  type PrivateSshd,
} from '@cronium/executors/testing';
import {
  adminAndUser,
  expectWellFormedAnswers,
  startApiStack,
  type ApiStack,
} from './testing/api-stack.ts';

const withSshd = privateSshdAvailable() || process.env.CI === 'true' ? it : it.skip;
const OTHER_FINGERPRINT = `SHA256:${'A'.repeat(43)}`;

describe('servers API over HTTP', () => {
  let stack: ApiStack;
  let admin: string;
  let bob: string;
  const keys = mkdtempSync(join(tmpdir(), 'cronium-keys-'));
  const keygen = (name: string, passphrase: string) => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-f', join(keys, name)]);
    return {
      privateKey: readFileSync(join(keys, name), 'utf8'),
      publicKey: readFileSync(join(keys, `${name}.pub`), 'utf8'),
    };
  };
  const plain = keygen('plain', '');
  const locked = keygen('locked', 'the passphrase');

  beforeAll(async () => {
    stack = await startApiStack({ engine: true });
    ({ admin, user: bob } = await adminAndUser(stack));
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    rmSync(keys, { recursive: true, force: true });
  });

  const serverBody = (overrides: Record<string, unknown> = {}) => ({
    name: 'box',
    host: '127.0.0.1',
    port: 22,
    username: 'deploy',
    auth: { method: 'private_key', privateKey: plain.privateKey },
    ...overrides,
  });

  withSshd(
    'adds a server, scans and confirms its host key, tests it, and runs an SSH event on it',
    async () => {
      const sshd: PrivateSshd = await startPrivateSshd();
      try {
        const call = stack.call;
        const readOnly = (
          await call('POST', '/api/v1/tokens', admin, { name: 'ro', scopes: ['servers:read'] })
        ).json.token;
        expect((await call('POST', '/api/v1/servers', readOnly, serverBody())).status).toBe(403);
        const token = (
          await call('POST', '/api/v1/tokens', admin, {
            name: 'ops',
            scopes: [
              'servers:read',
              'servers:write',
              'events:write',
              'events:execute',
              'runs:write',
              'runs:read',
            ],
          })
        ).json.token;

        const created = await call(
          'POST',
          '/api/v1/servers',
          token,
          serverBody({
            name: 'sshd',
            port: sshd.port,
            username: sshd.username,
            auth: { method: 'private_key', privateKey: sshd.privateKey },
          }),
        );
        expect(created.status).toBe(201);
        const server = created.json;
        expect(server).toMatchObject({
          name: 'sshd',
          authMethod: 'private_key',
          hostKeyFingerprint: null,
          eventIds: [],
        });
        expect(created.text).not.toContain('PRIVATE KEY');

        // Not confirmed yet: reachable, but refused before authenticating.
        const unconfirmed = (await call('POST', `/api/v1/servers/${server.id}/test`, token)).json;
        expect(unconfirmed).toMatchObject({
          ok: false,
          reachable: true,
          authenticated: false,
          hostKey: { presented: sshd.hostKeyFingerprint, pinned: null, matches: false },
        });
        expect(unconfirmed.error).toMatch(/no confirmed host key/);

        const scan = await call('POST', `/api/v1/servers/${server.id}/host-key/scan`, token);
        expect(scan.json).toEqual({
          fingerprint: sshd.hostKeyFingerprint,
          keyType: 'ssh-ed25519',
          pinned: null,
          matches: false,
        });
        const confirmed = await call('PUT', `/api/v1/servers/${server.id}/host-key`, token, {
          fingerprint: scan.json.fingerprint,
        });
        expect(confirmed.json.hostKeyFingerprint).toBe(sshd.hostKeyFingerprint);

        const tested = (await call('POST', `/api/v1/servers/${server.id}/test`, token)).json;
        expect(tested).toMatchObject({
          ok: true,
          authenticated: true,
          runtimeApiForwarding: true,
          error: null,
        });
        expect(tested.interpreters.bash).toMatch(/^\d/);

        const event = (
          await call('POST', '/api/v1/events', token, {
            name: 'on the server',
            type: 'bash',
            targetKind: 'ssh',
            serverIds: [server.id],
            script: 'echo "hello from $(whoami)"',
          })
        ).json;
        const run = (await call('POST', `/api/v1/events/${event.id}/runs`, token, {})).json;
        const done = await stack.finished(token, run.id);
        expect(done).toMatchObject({ status: 'succeeded' });
        // The run's result on each server, as the run page shows it.
        expect((await call('GET', `/api/v1/runs/${run.id}`, token)).json.targets).toEqual([
          expect.objectContaining({
            serverId: server.id,
            attempt: 1,
            status: 'succeeded',
            exitCode: 0,
            error: null,
          }),
        ]);
        const logs = (await call('GET', `/api/v1/runs/${run.id}/logs`, token)).json;
        expect(logs.map((l: { text: string }) => l.text)).toContain(`hello from ${sshd.username}`);
        expect((await call('GET', `/api/v1/servers/${server.id}`, token)).json.eventIds).toEqual([
          event.id,
        ]);

        // Another key pinned: the test says so, and a run is refused before it starts.
        await call('PUT', `/api/v1/servers/${server.id}/host-key`, token, {
          fingerprint: OTHER_FINGERPRINT,
        });
        const changed = (await call('POST', `/api/v1/servers/${server.id}/test`, token)).json;
        expect(changed.ok).toBe(false);
        expect(changed.error).toMatch(/has changed/);
        const refused = (await call('POST', `/api/v1/events/${event.id}/runs`, token, {})).json;
        const failed = await stack.finished(token, refused.id);
        expect(failed.status).toBe('failed');
        expect(String(failed.error)).toMatch(/host key/);

        // In use: cannot be deleted until the event is gone.
        expect((await call('DELETE', `/api/v1/servers/${server.id}`, token)).status).toBe(409);
        await call('DELETE', `/api/v1/events/${event.id}`, token);
        expect((await call('DELETE', `/api/v1/servers/${server.id}`, token)).status).toBe(204);
        expect((await call('GET', `/api/v1/servers/${server.id}`, token)).status).toBe(404);

        const audit = (await call('GET', '/api/v1/audit?limit=200', admin)).json;
        expect(audit.entries.map((e: { action: string }) => e.action)).toEqual(
          expect.arrayContaining(['server.create', 'server.host_key.confirm', 'server.delete']),
        );
      } finally {
        await sshd.stop();
      }
    },
    120_000,
  );

  it('refuses a non-admin scan or test of an internal address (egress policy), audits it, and rate-limits probes per user', async () => {
    const call = stack.call;
    const internal = (
      await call('POST', '/api/v1/servers', bob, serverBody({ name: 'postgres', port: 54329 }))
    ).json;
    const refusal =
      'destination not allowed: 127.0.0.1 (127.0.0.1, loopback; only admins, unless EGRESS_ALLOW lists it)';
    for (const path of [
      `/api/v1/servers/${internal.id}/test`,
      `/api/v1/servers/${internal.id}/host-key/scan`,
    ]) {
      const answer = await call('POST', path, bob);
      expect([answer.status, answer.type]).toEqual([422, 'application/problem+json']);
      expect(answer.json).toMatchObject({
        detail: refusal,
        errors: [
          { pointer: '/params/id', message: 'the egress policy does not allow this server' },
        ],
      });
    }
    const audit = (await call('GET', '/api/v1/audit?limit=200', admin)).json;
    const refused = audit.entries.filter((e: { action: string }) => e.action === 'egress.refused');
    expect(refused).toHaveLength(2);
    expect(refused[0]).toMatchObject({
      targetType: 'server',
      targetId: String(internal.id),
      details: { host: '127.0.0.1', address: '127.0.0.1', port: 54329 },
    });

    // Each user has a budget of probes a minute (10 by default); past it, 429 with Retry-After.
    let limited: Response | undefined;
    for (let i = 0; i < 12 && !limited; i++) {
      const response = await fetch(`${stack.base}/api/v1/servers/${internal.id}/test`, {
        method: 'POST',
        headers: { cookie: bob },
      });
      await response.text();
      if (response.status === 429) limited = response;
      else expect(response.status).toBe(422);
    }
    expect(limited?.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    // Another user's budget is their own.
    expect((await call('POST', `/api/v1/servers/${internal.id}/test`, admin)).status).toBe(200);
    expect((await call('DELETE', `/api/v1/servers/${internal.id}`, bob)).status).toBe(204);
  });

  withSshd(
    'ends the test of a server that never stops talking (ForceCommand cat /dev/zero) within its deadline',
    async () => {
      const sshd = await startPrivateSshd({ forceCommand: 'cat /dev/zero' });
      try {
        const call = stack.call;
        const server = (
          await call(
            'POST',
            '/api/v1/servers',
            admin,
            serverBody({
              name: 'zeros',
              port: sshd.port,
              username: sshd.username,
              auth: { method: 'private_key', privateKey: sshd.privateKey },
              hostKeyFingerprint: sshd.hostKeyFingerprint,
            }),
          )
        ).json;
        const began = Date.now();
        const tested = await call('POST', `/api/v1/servers/${server.id}/test`, admin);
        expect(Date.now() - began).toBeLessThan(10_000 + 2_000);
        expect(tested.json).toMatchObject({ ok: false, authenticated: true });
        expect(tested.json.error).toMatch(/more than 4096 bytes/);
        const health = await fetch(`${stack.base}/health`);
        expect(health.status).toBe(200);
        expect((await call('DELETE', `/api/v1/servers/${server.id}`, admin)).status).toBe(204);
      } finally {
        await sshd.stop();
      }
    },
    60_000,
  );

  it('validates servers with field pointers, and never returns credentials', async () => {
    const call = stack.call;
    const pointerOf = async (body: unknown) => {
      const answer = await call('POST', '/api/v1/servers', admin, body);
      return [answer.status, answer.json.errors?.[0]?.pointer];
    };
    expect(
      await pointerOf(serverBody({ auth: { method: 'private_key', privateKey: plain.publicKey } })),
    ).toEqual([422, '/body/auth/privateKey']);
    expect(
      await pointerOf(
        serverBody({ auth: { method: 'private_key', privateKey: locked.privateKey } }),
      ),
    ).toEqual([422, '/body/auth/passphrase']);
    expect(
      await pointerOf(
        serverBody({
          auth: { method: 'private_key', privateKey: locked.privateKey, passphrase: 'wrong' },
        }),
      ),
    ).toEqual([422, '/body/auth/passphrase']);
    expect(await pointerOf(serverBody({ host: '-oProxyCommand=touch' }))).toEqual([
      422,
      '/body/host',
    ]);
    expect(await pointerOf(serverBody({ username: 'a b' }))).toEqual([422, '/body/username']);
    expect(await pointerOf(serverBody({ hostKeyFingerprint: 'MD5:aa:bb' }))).toEqual([
      400,
      '/body/hostKeyFingerprint',
    ]);
    expect(await pointerOf(serverBody({ port: 0 }))).toEqual([400, '/body/port']);
    expect((await call('POST', '/api/v1/servers', admin, serverBody({ extra: 1 }))).status).toBe(
      400,
    );
    expect(
      (await call('POST', '/api/v1/servers', admin, serverBody({ auth: { method: 'kerberos' } })))
        .status,
    ).toBe(400);
    expect((await call('GET', '/api/v1/servers', admin)).json).toEqual([]);

    const withKey = await call(
      'POST',
      '/api/v1/servers',
      admin,
      serverBody({
        name: 'locked',
        auth: {
          method: 'private_key',
          privateKey: locked.privateKey,
          passphrase: 'the passphrase',
        },
        hostKeyFingerprint: OTHER_FINGERPRINT,
      }),
    );
    expect(withKey.status).toBe(201);
    expect(withKey.json.hostKeyFingerprint).toBe(OTHER_FINGERPRINT);
    const withPassword = await call(
      'POST',
      '/api/v1/servers',
      admin,
      serverBody({ name: 'pw', auth: { method: 'password', password: 'hunter2-password' } }),
    );
    expect(withPassword.json.authMethod).toBe('password');
    expect((await call('POST', '/api/v1/servers', admin, serverBody({ name: 'pw' }))).status).toBe(
      409,
    );
    const listed = await call('GET', '/api/v1/servers', admin);
    expect(listed.json.map((s: { name: string }) => s.name)).toEqual(['locked', 'pw']);
    for (const text of [withKey.text, withPassword.text, listed.text]) {
      expect(text).not.toContain('PRIVATE KEY');
      expect(text).not.toContain('the passphrase');
      expect(text).not.toContain('hunter2');
    }

    // A new port is another machine as far as the key goes: it is unpinned.
    const moved = await call('PATCH', `/api/v1/servers/${withKey.json.id}`, admin, { port: 2222 });
    expect(moved.json).toMatchObject({ port: 2222, hostKeyFingerprint: null });
    const renamed = await call('PATCH', `/api/v1/servers/${withKey.json.id}`, admin, {
      name: 'pw',
    });
    expect(renamed.status).toBe(409);

    // Nothing listens on this port: the scan says so.
    const closed = await call(
      'POST',
      '/api/v1/servers',
      admin,
      serverBody({ name: 'closed', port: await freePort() }),
    );
    const scan = await call('POST', `/api/v1/servers/${closed.json.id}/host-key/scan`, admin);
    expect(scan.status).toBe(422);
    expect(scan.json.detail).toMatch(/cannot reach 127\.0\.0\.1/);
  });

  it('keeps each user to their own servers; an admin sees everyone’s', async () => {
    const call = stack.call;
    const mine = (await call('POST', '/api/v1/servers', bob, serverBody({ name: 'bobs' }))).json;
    const admins = (await call('GET', '/api/v1/servers', admin)).json;
    const adminsOwn = admins.find((s: { ownerId: number }) => s.ownerId !== mine.ownerId);
    expect(admins.map((s: { id: number }) => s.id)).toContain(mine.id);
    expect(
      (await call('GET', '/api/v1/servers', bob)).json.map((s: { id: number }) => s.id),
    ).toEqual([mine.id]);
    const id = adminsOwn.id;
    for (const [method, path, body] of [
      ['GET', `/api/v1/servers/${id}`],
      ['PATCH', `/api/v1/servers/${id}`, { name: 'mine now' }],
      ['DELETE', `/api/v1/servers/${id}`],
      ['POST', `/api/v1/servers/${id}/test`],
      ['POST', `/api/v1/servers/${id}/host-key/scan`],
      ['PUT', `/api/v1/servers/${id}/host-key`, { fingerprint: OTHER_FINGERPRINT }],
    ] as const)
      expect([method, path, (await call(method, path, bob, body)).status]).toEqual([
        method,
        path,
        404,
      ]);
    // Nor can an event of bob's use it.
    const event = await call('POST', '/api/v1/events', bob, {
      name: 'x',
      type: 'bash',
      script: 'true',
      targetKind: 'ssh',
      serverIds: [id],
    });
    expect([event.status, event.json.errors[0].pointer]).toEqual([422, '/body/serverIds']);
    expect((await call('GET', `/api/v1/servers/${mine.id}`, admin)).status).toBe(200);
  });

  it('never answers 5xx to generated requests, valid or broken, on every server route', async () => {
    const call = stack.call;
    const target = (await call('POST', '/api/v1/servers', admin, serverBody({ name: 'target' })))
      .json;
    const field = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue(),
      fc.constantFrom('127.0.0.1', 'private_key', 'password', plain.publicKey, -1, 0, 70_000),
    );
    const body = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .record(
          {
            name: field,
            host: field,
            port: field,
            username: field,
            auth: fc.oneof(
              field,
              fc.record(
                { method: field, privateKey: field, password: field, passphrase: field },
                { requiredKeys: [] },
              ),
            ),
            maxConnections: field,
            hostKeyFingerprint: fc.oneof(field, fc.constant(OTHER_FINGERPRINT)),
            fingerprint: fc.oneof(field, fc.constant(OTHER_FINGERPRINT)),
          },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
    );
    await expectWellFormedAnswers(stack, admin, {
      paths: [
        '/api/v1/servers',
        `/api/v1/servers/${target.id}`,
        `/api/v1/servers/${target.id}/host-key`,
        '/api/v1/servers/999999',
        '/api/v1/servers/abc/test',
        '/api/v1/servers/0/host-key/scan',
      ],
      bodies: body,
      keep: `/api/v1/servers/${target.id}`,
      numRuns: 150,
    });
    // Every server the property created is whole: a name, a host and a user ssh can take.
    for (const s of (await call('GET', '/api/v1/servers', admin)).json) {
      expect(s.name.trim()).not.toBe('');
      expect(s.host).toMatch(/^[A-Za-z0-9_[\]:.-]+$/);
      expect(s.username).toMatch(/^[A-Za-z0-9._]/);
      expect(['private_key', 'password']).toContain(s.authMethod);
    }
  }, 120_000);
});
