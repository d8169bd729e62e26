// Live logs end to end: a real orchestrator runs scripts, real ws processes stream them to
// real WebSocket clients, over the Postgres bus and over a Valkey of the test's own (which it
// also kills mid-run).
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import WebSocket from 'ws';
import { hashToken, issueToken } from '@cronium/auth';
import type { ServerFrame } from '@cronium/contracts';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import {
  startPrivateValkey,
  valkeyServerBinary,
  type PrivateValkey,
} from '@cronium/run-events/testing';
import { cancelWorkflowRun, startWorkflowRun, triggerRun } from '@cronium/run-queue';
import {
  freePort,
  spawnService,
  waitForStatus,
  type ServiceProcess,
} from '@cronium/service-kit/testing';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const KEY = 'ab'.repeat(32);
const JWT = 'j'.repeat(40);
const appsDir = join(__dirname, '..', '..', '..');

/** A WebSocket client that records every frame. */
class Viewer {
  readonly frames: ServerFrame[] = [];
  readonly socket: WebSocket;
  readonly opened: Promise<void>;
  constructor(url: string, token: string | undefined) {
    this.socket = new WebSocket(
      url,
      token ? { headers: { authorization: `Bearer ${token}` } } : {},
    );
    this.socket.on('message', (data) =>
      this.frames.push(JSON.parse(data.toString()) as ServerFrame),
    );
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
      this.socket.once('unexpected-response', (_req, res) =>
        reject(new Error(`HTTP ${res.statusCode}`)),
      );
    });
  }
  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }
  /** Every line received for the run, from `log` and batched `logs` frames alike. */
  logs(runId: number) {
    return this.frames.flatMap((f) =>
      f.type === 'log' && f.runId === runId
        ? [f]
        : f.type === 'logs' && f.runId === runId
          ? f.lines.map((line) => ({ type: 'log' as const, runId, ...line }))
          : [],
    );
  }
  async until(what: string, probe: () => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!probe()) {
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}; last frames ${JSON.stringify(this.frames.slice(-3))}`,
        );
      await sleep(20);
    }
  }
  close(): void {
    this.socket.close();
  }
}

const modes: [string, boolean][] = [
  ['without Valkey (Postgres LISTEN/NOTIFY)', false],
  ['with Valkey', true],
];

describe.each(modes)('live logs %s', (_name, useValkey) => {
  const available = !useValkey || Boolean(valkeyServerBinary()) || process.env.CI === 'true';
  const maybe = available ? it : it.skip;
  let t: TestDatabase;
  let valkey: PrivateValkey | undefined;
  let orchestrator: ServiceProcess;
  const wsProcesses: ServiceProcess[] = [];
  let wsPort: number;
  let alice: { id: number; token: string };
  let bob: { id: number; token: string };
  let env: Record<string, string | undefined>;

  const startWs = async () => {
    wsPort = await freePort();
    const proc = spawnService(join(appsDir, 'ws', 'src', 'main.ts'), {
      ...env,
      WS_PORT: String(wsPort),
      WS_POLL_MS: '500',
      WS_HIGH_WATER_BYTES: '65536',
    });
    await waitForStatus(`http://127.0.0.1:${wsPort}/ready`, 200, {
      process: proc,
      timeoutMs: 30_000,
    });
    wsProcesses.push(proc);
    return proc;
  };
  const session = async (userId: number) => {
    const issued = issueToken('session');
    await t.db
      .insertInto('sessions')
      .values({
        user_id: userId,
        token_hash: issued.hash,
        expires_at: new Date(Date.now() + 3_600_000),
      })
      .execute();
    return issued.token;
  };
  const viewer = (token: string | null = alice.token) =>
    new Viewer(`ws://127.0.0.1:${wsPort}/v1/live`, token ?? undefined);
  const run = async (script: string, ownerId = alice.id) => {
    const eventId = await insertTestEvent(t.db, ownerId, {
      script,
      type: 'node',
      concurrency_policy: 'allow',
    });
    return ((await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number }).runId;
  };
  const lines = (count: number, perSecond: number) =>
    `let i = 0; const t = setInterval(() => { for (let k = 0; k < ${perSecond / 100} && i < ${count}; k++) console.log('line ' + (++i)); if (i >= ${count}) clearInterval(t); }, 10);`;

  beforeAll(async () => {
    if (!available) return;
    t = await createTestDatabase({ poolMax: 5 });
    if (useValkey) valkey = await startPrivateValkey();
    env = {
      DATABASE_URL: t.url,
      CRONIUM_DATA_DIR: mkdtempSync(join(tmpdir(), 'cronium-live-')),
      CRONIUM_ENCRYPTION_KEY: KEY,
      CRONIUM_JWT_SECRET: JWT,
      LOG_LEVEL: 'warn',
      // Explicit either way (CI's second pass sets VALKEY_URL for every process it starts).
      VALKEY_URL: valkey?.url,
    };
    const aliceId = await insertTestUser(t.db);
    const bobId = await insertTestUser(t.db);
    alice = { id: aliceId, token: await session(aliceId) };
    bob = { id: bobId, token: await session(bobId) };
    const orchPort = await freePort();
    orchestrator = spawnService(join(appsDir, 'orchestrator', 'src', 'main.ts'), {
      ...env,
      ORCHESTRATOR_PORT: String(orchPort),
      ORCHESTRATOR_CONTAINERS: 'off',
      ORCHESTRATOR_POLL_MS: '200',
      ORCHESTRATOR_SWEEP_MS: '300',
      // Alice and Bob are ordinary users, with uids of their own from a range of this test's.
      ORCHESTRATOR_LOCAL: 'everyone',
      ORCHESTRATOR_LOCAL_UID_BASE: String(
        1_900_000_000 + Math.floor(Math.random() * 90_000) * 1_000,
      ),
    });
    await waitForStatus(`http://127.0.0.1:${orchPort}/ready`, 200, {
      process: orchestrator,
      timeoutMs: 30_000,
    });
    await startWs();
  }, 60_000);
  afterAll(async () => {
    for (const p of wsProcesses) await p.stop(5_000);
    await orchestrator?.stop(10_000);
    await valkey?.stop();
    await t?.destroy();
  });

  maybe('refuses an upgrade without a valid session or token', async () => {
    await expect(viewer(null).opened).rejects.toThrow('HTTP 401');
    await expect(viewer('crs_not-a-real-session').opened).rejects.toThrow('HTTP 401');
    // An API token without the runs:read scope is refused too.
    const scoped = issueToken('api');
    await t.db
      .insertInto('api_tokens')
      .values({
        user_id: alice.id,
        name: 'no scope',
        token_prefix: scoped.displayPrefix,
        token_hash: scoped.hash,
        scopes: ['events:write'],
      })
      .execute();
    await expect(viewer(scoped.token).opened).rejects.toThrow('HTTP 401');
    const reader = issueToken('api');
    await t.db
      .insertInto('api_tokens')
      .values({
        user_id: alice.id,
        name: 'reader',
        token_prefix: reader.displayPrefix,
        token_hash: reader.hash,
        scopes: ['runs:read'],
      })
      .execute();
    const ok = viewer(reader.token);
    await ok.opened;
    ok.close();
  });

  maybe(
    'opens a socket with the session cookie only from Cronium’s own pages (Origin)',
    async () => {
      const open = async (headers: Record<string, string>) => {
        const socket = new WebSocket(`ws://127.0.0.1:${wsPort}/v1/live`, { headers });
        return new Promise<number>((resolve, reject) => {
          socket.once('open', () => {
            socket.close();
            resolve(101);
          });
          socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
          socket.once('error', reject);
        });
      };
      const cookie = `cronium_session=${encodeURIComponent(alice.token)}`;
      // Another page of the same site (another port or subdomain) gets the cookie too.
      expect(await open({ cookie, origin: 'https://evil.example' })).toBe(403);
      expect(await open({ cookie, origin: 'http://127.0.0.1:5173' })).toBe(403);
      expect(
        await open({ cookie, origin: 'http://127.0.0.1:3000', 'sec-fetch-site': 'same-site' }),
      ).toBe(403);
      // Cronium's own page (the default public URL is http://127.0.0.1:WEB_PORT).
      expect(await open({ cookie, origin: 'http://127.0.0.1:3000' })).toBe(101);
      expect(await open({ cookie: `__Host-${cookie}`, origin: 'http://localhost:3000' })).toBe(101);
      // A program: a bearer token and no Origin, or a cookie and no Origin (not a browser page).
      expect(await open({ authorization: `Bearer ${alice.token}` })).toBe(101);
      expect(
        await open({ authorization: `Bearer ${alice.token}`, origin: 'https://evil.example' }),
      ).toBe(101);
      expect(await open({ cookie })).toBe(101);
    },
  );

  maybe('caps sockets per user and subscribe messages per second (L9)', async () => {
    const sockets: Viewer[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const socket = viewer(bob.token);
        await socket.opened;
        sockets.push(socket);
      }
      await expect(viewer(bob.token).opened).rejects.toThrow('HTTP 429');
      const metrics = await (await fetch(`http://127.0.0.1:${wsPort}/metrics`)).text();
      const open = metrics.split('\n').find((l) => l.startsWith('cronium_ws_connections{'));
      expect(Number(open?.split(' ').at(-1))).toBeGreaterThanOrEqual(20);
      // Another user is not held up by bob's sockets.
      const other = viewer(alice.token);
      await other.opened;
      sockets.push(other);
      // 40 subscribes to runs that do not exist, at once: 20 answered, the rest refused
      // without a database query.
      const flood = sockets[0]!;
      for (let runId = 1_000_000; runId < 1_000_040; runId++)
        flood.send({ type: 'subscribe', runId });
      await flood.until('40 answers', () => flood.frames.length >= 40);
      const codes = flood.frames.map((f) => (f.type === 'error' ? f.code : f.type));
      expect(codes.filter((c) => c === 'rate_limited').length).toBeGreaterThanOrEqual(15);
      expect(codes.filter((c) => c === 'not_found').length).toBeGreaterThanOrEqual(20);
    } finally {
      for (const socket of sockets) socket.close();
    }
  });

  maybe(
    'answers a bad message with an error frame and stays open; refuses another user’s run',
    async () => {
      const runId = await run('console.log("private")');
      const intruder = viewer(bob.token);
      await intruder.opened;
      intruder.send('{not json');
      intruder.send({ type: 'subscribe', runId: 'x' });
      intruder.send({ type: 'subscribe', runId, sneaky: true });
      intruder.send({ type: 'subscribe', runId });
      intruder.send('x'.repeat(5_000));
      intruder.send({ type: 'ping', id: 'still-there' });
      await intruder.until('the pong', () => intruder.frames.some((f) => f.type === 'pong'));
      expect(intruder.frames.map((f) => (f.type === 'error' ? f.code : f.type))).toEqual([
        'bad_message',
        'bad_message',
        'bad_message',
        'not_found',
        'message_too_large',
        'pong',
      ]);
      const errors = intruder.frames.filter((f) => f.type === 'error');
      expect(errors[1]).toMatchObject({ message: expect.stringMatching(/runId/) });
      expect(errors[2]).toMatchObject({ message: expect.stringMatching(/sneaky|additional/i) });
      expect(intruder.logs(runId)).toEqual([]);
      intruder.close();
    },
  );

  maybe(
    'delivers 10,000 lines/s to 10 viewers complete and in order, then the final status',
    async () => {
      const total = 20_000;
      const runId = await run(lines(total, 10_000));
      const viewers = Array.from({ length: 10 }, () => viewer());
      await Promise.all(viewers.map((v) => v.opened));
      // Half subscribe at once, half a moment later (backlog from the store, then the tail);
      // every other one takes its lines in batches.
      const subscribe = (v: Viewer, i: number) =>
        v.send({ type: 'subscribe', runId, ...(i % 2 ? { batch: true } : {}) });
      viewers.slice(0, 5).forEach(subscribe);
      await sleep(700);
      viewers.slice(5).forEach((v, i) => subscribe(v, i + 5));
      // On a loaded machine the run may have finished before a viewer subscribed: then, as the
      // protocol says, `subscribed` carries the final status and the lines are all that follow.
      const finishedAtSubscribe = (v: Viewer) =>
        v.frames.some(
          (f) => f.type === 'subscribed' && f.runId === runId && f.status === 'succeeded',
        );
      for (const v of viewers) {
        await v.until(
          'every line and the final status',
          () =>
            v.frames.some(
              (f) => f.type === 'status' && f.runId === runId && f.status === 'succeeded',
            ) ||
            (finishedAtSubscribe(v) && v.logs(runId).length === total),
          60_000,
        );
        const seqs = v.logs(runId).map((f) => f.seq);
        expect(seqs.length).toBe(total);
        expect(seqs.every((s, i) => s === i + 1)).toBe(true);
        expect(v.logs(runId).at(-1)!.text).toBe(`line ${total}`);
        // The status comes after the last line (or came with `subscribed`, before all of them).
        const statusAt = v.frames.findIndex((f) => f.type === 'status' && f.status === 'succeeded');
        const lastLineAt = v.frames.findLastIndex((f) => f.type === 'log' || f.type === 'logs');
        if (finishedAtSubscribe(v)) expect(statusAt).toBe(-1);
        else expect(statusAt).toBeGreaterThan(lastLineAt);
        v.close();
      }
    },
    90_000,
  );

  maybe('sends a stored log in frames of up to 500 lines to a batch subscription', async () => {
    const runId = await run('for (let i = 1; i <= 1200; i++) console.log("line " + i)');
    const status = async () =>
      (await t.db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirst())
        ?.status;
    for (let i = 0; i < 600 && (await status()) !== 'succeeded'; i++) await sleep(50);
    const v = viewer();
    await v.opened;
    v.send({ type: 'subscribe', runId, afterSeq: 100, batch: true });
    await v.until('every line after 100', () => v.logs(runId).length === 1_100);
    const frames = v.frames.filter((f) => f.type === 'logs');
    expect(frames.map((f) => (f.type === 'logs' ? f.lines.length : 0))).toEqual([500, 500, 100]);
    expect(v.frames.some((f) => f.type === 'log')).toBe(false);
    expect(v.logs(runId).map((l) => l.seq)).toEqual(
      Array.from({ length: 1_100 }, (_, i) => i + 101),
    );
    expect(v.logs(runId).at(-1)).toMatchObject({ text: 'line 1200', stream: 'stdout' });
    v.close();
  });

  maybe(
    'resumes exactly after a ws process is killed mid-stream',
    async () => {
      const total = 5_000;
      const runId = await run(lines(total, 2_000));
      const first = viewer();
      await first.opened;
      first.send({ type: 'subscribe', runId });
      await first.until('some lines', () => first.logs(runId).length > 500);
      // The ws process dies (SIGKILL); a new one takes over.
      wsProcesses.at(-1)!.child.kill('SIGKILL');
      await wsProcesses.at(-1)!.exited;
      await startWs();
      const lastSeen = first.logs(runId).at(-1)!.seq;
      const second = viewer();
      await second.opened;
      second.send({ type: 'subscribe', runId, afterSeq: lastSeen });
      await second.until('the rest', () => second.logs(runId).at(-1)?.seq === total, 60_000);
      const seqs = [
        ...first
          .logs(runId)
          .map((f) => f.seq)
          .filter((s) => s <= lastSeen),
        ...second.logs(runId).map((f) => f.seq),
      ];
      expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      second.close();
    },
    90_000,
  );

  maybe(
    'a client that stops reading is told it fell behind, slows nobody, then catches up',
    async () => {
      // About 9 MB of output: more than the kernel's socket buffers hold for a paused reader.
      const total = 9_000;
      const pad = 'x'.repeat(1_000);
      const runId = await run(
        `let i = 0; const t = setInterval(() => { for (let k = 0; k < 100 && i < ${total}; k++) console.log('line ' + (++i) + ' ${pad}'); if (i >= ${total}) clearInterval(t); }, 10);`,
      );
      const slow = viewer();
      const fast = viewer();
      await Promise.all([slow.opened, fast.opened]);
      // The slow client stops reading from its TCP socket altogether.
      (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
      slow.send({ type: 'subscribe', runId });
      fast.send({ type: 'subscribe', runId });
      await fast.until(
        'every line for the fast client',
        () => fast.logs(runId).length === total,
        60_000,
      );
      // The run ends while the slow client still reads nothing: it was not held back.
      const status = async () =>
        (
          await t.db
            .selectFrom('runs')
            .select('status')
            .where('id', '=', runId)
            .executeTakeFirstOrThrow()
        ).status;
      for (let i = 0; i < 200 && (await status()) !== 'succeeded'; i++) await sleep(50);
      expect(await status()).toBe('succeeded');
      (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.resume();
      await slow.until(
        'every line for the slow client',
        () => slow.logs(runId).length === total,
        60_000,
      );
      expect(slow.frames.some((f) => f.type === 'behind' && f.runId === runId)).toBe(true);
      expect(slow.logs(runId).map((f) => f.seq)).toEqual(
        Array.from({ length: total }, (_, i) => i + 1),
      );
      slow.close();
      fast.close();
    },
    90_000,
  );

  maybe(
    'closes an open connection once its session is revoked',
    async () => {
      const token = await session(alice.id);
      const v = viewer(token);
      await v.opened;
      const closed = new Promise<number>((resolve) =>
        v.socket.once('close', (code) => resolve(code)),
      );
      await t.db
        .updateTable('sessions')
        .set({ revoked_at: new Date() })
        .where('token_hash', '=', hashToken(token))
        .execute();
      expect(await closed).toBe(4401);
      expect(v.frames.at(-1)).toMatchObject({ type: 'error', code: 'unauthenticated' });
    },
    30_000,
  );

  maybe(
    'closes an admin’s open connection once they are no longer an admin',
    async () => {
      const adminId = await insertTestUser(t.db, { role: 'admin' });
      const v = viewer(await session(adminId));
      await v.opened;
      const closed = new Promise<number>((resolve) =>
        v.socket.once('close', (code) => resolve(code)),
      );
      await t.db.updateTable('users').set({ role: 'user' }).where('id', '=', adminId).execute();
      expect(await closed).toBe(4401);
    },
    30_000,
  );

  maybe('tells a viewer about its own runs’ status changes', async () => {
    const v = viewer();
    await v.opened;
    v.send({ type: 'subscribe_my_runs' });
    await sleep(200);
    const mine = await run('console.log("mine")');
    const theirs = await run('console.log("theirs")', bob.id);
    await v.until('my run finished', () =>
      v.frames.some((f) => f.type === 'status' && f.runId === mine && f.status === 'succeeded'),
    );
    await sleep(500);
    expect(v.frames.some((f) => f.type === 'status' && f.runId === theirs)).toBe(false);
    v.close();
  });

  maybe('tells a viewer that one of its workflow runs moved, and no one else', async () => {
    /** A workflow of one step running `script`, started. */
    const workflowRun = async (script: string, ownerId = alice.id) => {
      const { id } = await t.db
        .insertInto('workflows')
        .values({ owner_id: ownerId, name: `wf ${Math.random()}` })
        .returning('id')
        .executeTakeFirstOrThrow();
      await t.db
        .insertInto('workflow_nodes')
        .values({
          workflow_id: id,
          name: 'step',
          kind: 'event',
          event_id: await insertTestEvent(t.db, ownerId, { script, type: 'node' }),
        })
        .execute();
      const started = await startWorkflowRun(t.db, Number(id), { trigger: 'manual' });
      if (started.outcome !== 'started') throw new Error(started.reason);
      return started.workflowRunId;
    };
    const mine = viewer();
    const other = viewer(bob.token);
    await Promise.all([mine.opened, other.opened]);
    mine.send({ type: 'subscribe_my_runs' });
    other.send({ type: 'subscribe_my_runs' });
    await sleep(200);
    const hints = (v: Viewer, workflowRunId: number) =>
      v.frames
        .filter((f) => f.type === 'workflow_run' && f.workflowRunId === workflowRunId)
        .map((f) => (f as { status: string }).status);

    // Ended by its step's run: announced as the run's advance commits.
    const done = await workflowRun('console.log("step")');
    await mine.until('its end', () => hints(mine, done).includes('succeeded'));
    // Cancelled (no orchestrator involved): announced by the cancel's own transaction.
    const held = await workflowRun('setTimeout(() => undefined, 60_000)');
    expect(await cancelWorkflowRun(t.db, held, { reason: 'stop' })).toBe(true);
    await mine.until('its cancel', () => hints(mine, held).includes('cancelled'));
    // Bob's own workflow run reaches Bob, and Alice's never did.
    const bobs = await workflowRun('console.log("bob")', bob.id);
    await other.until('his end', () => hints(other, bobs).includes('succeeded'));
    expect(hints(other, done)).toEqual([]);
    expect(hints(other, held)).toEqual([]);
    expect(hints(mine, bobs)).toEqual([]);
    mine.close();
    other.close();
  });

  maybe(
    'tells a viewer about runs that fail before they start, and runs taken back by the sweep',
    async () => {
      const v = viewer();
      await v.opened;
      v.send({ type: 'subscribe_my_runs' });
      await sleep(200);
      // No container executor on this orchestrator: the attempt fails before anything starts.
      const boxed = await insertTestEvent(t.db, alice.id, { target_kind: 'container' });
      const failed = ((await triggerRun(t.db, boxed, { trigger: 'manual' })) as { runId: number })
        .runId;
      // A run being cancelled whose orchestrator vanished (its lease expired): only the
      // sweep can end it, and it is the only one to announce that.
      const orphanEvent = await insertTestEvent(t.db, alice.id, { type: 'node' });
      const orphan = (
        (await triggerRun(t.db, orphanEvent, {
          trigger: 'manual',
          runAt: new Date(Date.now() + 3_600_000),
        })) as { runId: number }
      ).runId;
      await t.db
        .updateTable('runs')
        .set({
          status: 'cancelling',
          attempt: 1,
          started_at: new Date(),
          lease_owner: 'vanished',
          lease_expires_at: new Date(Date.now() - 1_000),
        })
        .where('id', '=', orphan)
        .execute();
      const statuses = (runId: number) =>
        v.frames
          .filter((f) => f.type === 'status' && f.runId === runId)
          .map((f) => (f as { status: string }).status);
      await v.until(
        'both announced',
        () => statuses(failed).includes('failed') && statuses(orphan).includes('cancelled'),
      );
      v.close();
    },
  );

  if (useValkey)
    maybe(
      'loses nothing when Valkey dies mid-run',
      async () => {
        const total = 4_000;
        const runId = await run(lines(total, 2_000));
        const v = viewer();
        await v.opened;
        v.send({ type: 'subscribe', runId });
        await v.until('some lines', () => v.logs(runId).length > 200);
        await valkey!.kill();
        await sleep(1_000);
        await valkey!.restart();
        await v.until('every line', () => v.logs(runId).at(-1)?.seq === total, 60_000);
        expect(v.logs(runId).map((f) => f.seq)).toEqual(
          Array.from({ length: total }, (_, i) => i + 1),
        );
        v.close();
      },
      90_000,
    );
});
