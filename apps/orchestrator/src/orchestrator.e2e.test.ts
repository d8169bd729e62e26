import { createServer, type Server } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import { readRunLogs, requestCancel, triggerRun } from '@cronium/run-queue';
import { startOrchestrator, type OrchestratorProcess } from './orchestrator-process.test-helper.ts';

/** Live processes (not zombies) of this machine with exactly this command line. */
function processesRunning(...argv: string[]): number[] {
  const wanted = `${argv.join('\0')}\0`;
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return (
          readFileSync(`/proc/${pid}/cmdline`, 'utf8') === wanted &&
          stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('orchestrator process: runs events end to end', () => {
  let t: TestDatabase;
  let orchestrator: OrchestratorProcess;
  let userId: number;
  let server: Server;
  let serverUrl: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    userId = await insertTestUser(t.db);
    orchestrator = await startOrchestrator(t.url, 'orch-e2e', {
      ORCHESTRATOR_LOG_MAX_BYTES: '100000',
    });
    server = createServer((req, res) =>
      res.writeHead(req.url === '/fail' ? 500 : 200).end(`hello from ${req.url}`),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    serverUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    const { code } = await orchestrator.stop();
    server.close();
    await t.destroy();
    expect(code).toBe(0);
  });

  async function waitForRun(runId: number, statuses: string[], timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await t.db
        .selectFrom('runs')
        .selectAll()
        .where('id', '=', runId)
        .executeTakeFirstOrThrow();
      if (statuses.includes(run.status)) return run;
      if (Date.now() > deadline)
        throw new Error(
          `run ${runId} is ${run.status}, expected ${statuses.join('|')}\n${orchestrator.output().slice(-3000)}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const logText = async (runId: number) =>
    (await readRunLogs(t.db, runId)).map((l) => `${l.stream}:${l.data}`);
  const trigger = async (
    overrides: Parameters<typeof insertTestEvent>[2],
    input?: unknown,
    ownerId = userId,
  ) => {
    const eventId = await insertTestEvent(t.db, ownerId, overrides);
    const result = await triggerRun(t.db, eventId, { trigger: 'manual', input });
    if (result.outcome !== 'enqueued') throw new Error('not enqueued');
    return result.runId;
  };

  it.each([
    ['bash', 'echo "hello $CRONIUM_EVENT_NAME"; echo oops >&2'],
    ['python', 'import sys\nprint("hello", flush=True)\nprint("oops", file=sys.stderr)'],
    ['node', 'console.log("hello"); console.error("oops")'],
  ] as const)('runs a %s script and stores its output line by line', async (type, script) => {
    const runId = await trigger({ type, script, name: 'greeter' });
    const run = await waitForRun(runId, ['succeeded', 'failed']);
    expect(run).toMatchObject({ status: 'succeeded', exit_code: 0, attempt: 1 });
    const lines = await logText(runId);
    expect(lines).toContain('stderr:oops');
    expect(lines.some((l) => l.startsWith('stdout:hello'))).toBe(true);
  });

  it('counts attempts by outcome, target and type, and reports the queue, in /metrics', async () => {
    const runId = await trigger({ type: 'bash', script: 'true', name: 'counted' });
    await waitForRun(runId, ['succeeded']);
    const text = await (await fetch(`http://127.0.0.1:${orchestrator.port}/metrics`)).text();
    const value = (name: string, ...labels: string[]) => {
      const line = text
        .split('\n')
        .find((l) => l.startsWith(`${name}{`) && labels.every((label) => l.includes(label)));
      return line === undefined ? undefined : Number(line.split(' ').at(-1));
    };
    expect(
      value('cronium_run_attempts_total', 'status="succeeded"', 'target="local"', 'type="bash"'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      value('cronium_run_attempt_duration_seconds_count', 'target="local"', 'type="bash"'),
    ).toBeGreaterThanOrEqual(1);
    expect(value('cronium_runs_by_status', 'status="queued"')).toBeGreaterThanOrEqual(0);
    expect(value('cronium_runs_in_flight')).toBeGreaterThanOrEqual(0);
    expect(value('cronium_schedule_fire_latency_seconds_count')).toBeGreaterThanOrEqual(0);
    // No ids in labels: series stay few however many runs there are.
    expect(text).not.toMatch(/run_?id=|event_?id=|user_?id=|owner/);
  });

  it('measures queue wait from the due time and counts stored log bytes by stream', async () => {
    const scrape = async () => {
      const text = await (await fetch(`http://127.0.0.1:${orchestrator.port}/metrics`)).text();
      return (name: string, ...labels: string[]) =>
        Number(
          text
            .split('\n')
            .find((l) => l.startsWith(`${name}{`) && labels.every((label) => l.includes(label)))
            ?.split(' ')
            .at(-1) ?? 0,
        );
    };
    const before = await scrape();
    const eventId = await insertTestEvent(t.db, userId, {
      type: 'bash',
      script: 'echo "héllo wörld"; echo warned >&2',
    });
    // Due two minutes ago: it waited at least that long when it is claimed.
    const due = await triggerRun(t.db, eventId, {
      trigger: 'manual',
      runAt: new Date(Date.now() - 120_000),
    });
    if (due.outcome !== 'enqueued') throw new Error('not enqueued');
    await waitForRun(due.runId, ['succeeded']);
    const after = await scrape();
    const waited = (value: typeof before, le: string) =>
      value('cronium_run_queue_wait_seconds_bucket', 'target="local"', `le="${le}"`);
    // One more observation above 60 s: in the +Inf bucket, not in the le="60" one.
    expect(waited(after, '+Inf') - waited(after, '60')).toBe(
      waited(before, '+Inf') - waited(before, '60') + 1,
    );
    // The log as stored, byte for byte (UTF-8), per stream; the counter grew by exactly that.
    const stored = await readRunLogs(t.db, due.runId);
    for (const stream of ['stdout', 'stderr']) {
      const bytes = stored
        .filter((l) => l.stream === stream)
        .reduce((sum, l) => sum + Buffer.byteLength(l.data, 'utf8'), 0);
      expect(bytes).toBeGreaterThan(0);
      const counter = (value: typeof before) =>
        value('cronium_run_log_bytes_total', `stream="${stream}"`, 'target="local"');
      expect(counter(after) - counter(before)).toBe(bytes);
    }
  });

  it('records a failing script with its exit code and retries it per policy', async () => {
    const runId = await trigger({
      script: 'echo "attempt $CRONIUM_RUN_ATTEMPT"; exit 4',
      retry_max_attempts: 2,
      retry_delay_seconds: 0,
    });
    const run = await waitForRun(runId, ['failed']);
    expect(run).toMatchObject({ exit_code: 4, attempt: 2, error: 'exited with code 4' });
    expect(await logText(runId)).toEqual(['stdout:attempt 1', 'stdout:attempt 2']);
  });

  it('times a run out, kills its process tree, and retries a timeout', async () => {
    // Scripts may run in a PID namespace (bubblewrap), where $! is no host pid: the sleep is
    // found by its command line, made unique.
    const seconds = String(300 + Math.floor(Math.random() * 100_000) / 1000);
    const runId = await trigger({
      script: `trap "" TERM; sleep ${seconds} & echo "pid $!"; wait`,
      timeout_seconds: 1,
      retry_max_attempts: 1,
    });
    const run = await waitForRun(runId, ['timed_out']);
    expect(run.error).toBe('timed out after 1 s');
    const lines = await logText(runId);
    expect(lines.at(-1)).toBe('system:timed out after 1 s: stopped');
    expect(lines[0]).toMatch(/^stdout:pid \d+$/);
    expect(processesRunning('sleep', seconds)).toEqual([]);
  });

  it('cancels a running script from another process, promptly, without retrying it', async () => {
    const runId = await trigger({ script: 'echo started; sleep 300', retry_max_attempts: 3 });
    await waitForRun(runId, ['running']);
    while (!(await logText(runId)).includes('stdout:started'))
      await new Promise((r) => setTimeout(r, 20));
    const asked = Date.now();
    expect(await requestCancel(t.db, runId)).toBe(true);
    const run = await waitForRun(runId, ['cancelled'], 5_000);
    expect(Date.now() - asked).toBeLessThan(3_000);
    expect(run).toMatchObject({ attempt: 1, error: 'cancelled by request' });
  });

  it('runs HTTP request events and fails on a non-2xx status', async () => {
    // The test server is on loopback: an admin's events may reach it.
    const adminId = await insertTestUser(t.db, { role: 'admin' });
    const ok = await trigger(
      { type: 'http', script: null, http_method: 'GET', http_url: `${serverUrl}/ping` },
      undefined,
      adminId,
    );
    expect(await waitForRun(ok, ['succeeded', 'failed'])).toMatchObject({
      status: 'succeeded',
      result: expect.objectContaining({ status: 200, body: 'hello from /ping' }),
    });
    const bad = await trigger(
      {
        type: 'http',
        script: null,
        http_method: 'POST',
        http_url: `${serverUrl}/fail`,
        http_body: '{}',
      },
      undefined,
      adminId,
    );
    expect(await waitForRun(bad, ['succeeded', 'failed'])).toMatchObject({
      status: 'failed',
      error: 'HTTP 500 Internal Server Error',
    });
  });

  it("refuses an ordinary user's HTTP event to loopback (egress policy) and audits it", async () => {
    const runId = await trigger({
      type: 'http',
      script: null,
      http_method: 'GET',
      http_url: `${serverUrl}/internal`,
    });
    const message =
      'destination not allowed: 127.0.0.1 (127.0.0.1, loopback; only admins, unless EGRESS_ALLOW lists it)';
    expect(await waitForRun(runId, ['succeeded', 'failed'])).toMatchObject({
      status: 'failed',
      error: message,
      attempt: 1,
    });
    expect(await logText(runId)).toContain(`system:${message}`);
    const audit = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'egress.refused')
      .execute();
    expect(audit).toEqual([
      expect.objectContaining({
        actor_kind: 'run',
        actor_id: userId,
        actor_ref: `run ${runId} attempt 1`,
        target_type: 'event',
        details: expect.objectContaining({
          host: '127.0.0.1',
          address: '127.0.0.1',
          runId,
        }),
      }),
    ]);
  });

  it('fails a run clearly when its secret environment cannot be decrypted', async () => {
    const runId = await trigger({
      script: 'echo never',
      secret_env_encrypted: 'v1.bm90LWEtcmVhbC1jaXBoZXJ0ZXh0LWF0LWFsbA',
    });
    const run = await waitForRun(runId, ['failed']);
    expect(run.error).toMatch(/^cannot prepare the run: Cannot decrypt value/);
    expect(run.attempt).toBe(1);
  });

  it('runs a one-off run at its time, not before', async () => {
    const eventId = await insertTestEvent(t.db, userId, { script: 'echo "input ok"' });
    const runAt = new Date(Date.now() + 1_500);
    const result = await triggerRun(t.db, eventId, {
      trigger: 'manual',
      runAt,
      input: { answer: 42 },
    });
    const run = await waitForRun((result as { runId: number }).runId, ['succeeded']);
    expect(run.input).toEqual({ answer: 42 });
    expect(run.started_at!.getTime()).toBeGreaterThanOrEqual(runAt.getTime() - 5);
    expect(run.started_at!.getTime() - runAt.getTime()).toBeLessThan(500);
  });

  it('fires a per-second schedule', async () => {
    const eventId = await insertTestEvent(t.db, userId, {
      schedule_cron: '* * * * * *',
      script: 'true',
    });
    await t.db.selectFrom('events').select('id').where('id', '=', eventId).execute();
    const deadline = Date.now() + 10_000;
    let finished = 0;
    while (finished < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      finished = (
        await t.db
          .selectFrom('runs')
          .select('id')
          .where('event_id', '=', eventId)
          .where('status', '=', 'succeeded')
          .execute()
      ).length;
    }
    await t.db.updateTable('events').set({ status: 'paused' }).where('id', '=', eventId).execute();
    expect(finished).toBeGreaterThanOrEqual(3);
    const ticks = await t.db
      .selectFrom('schedule_ticks')
      .select(['slot', 'outcome', 'run_id'])
      .where('event_id', '=', eventId)
      .orderBy('slot')
      .execute();
    expect(ticks.every((tick) => tick.outcome === 'enqueued' && tick.run_id !== null)).toBe(true);
    const seconds = ticks.map((tick) => tick.slot.getTime() / 1000);
    expect(seconds.every((s, i) => i === 0 || s === seconds[i - 1]! + 1)).toBe(true);
  });

  it('stores output up to the per-run cap, then says what was dropped', async () => {
    // 3000 lines of 50 bytes: 150 kB against a 100 kB cap, of which 4 KiB are kept for
    // Cronium's own lines.
    const runId = await trigger({
      script:
        'for i in $(seq 1000 3999); do echo "line $i padded with text to make fifty bytes...."; done',
    });
    const run = await waitForRun(runId, ['succeeded']);
    const lines = await readRunLogs(t.db, runId, 0, 10_000);
    const stdout = lines.filter((l) => l.stream === 'stdout');
    expect(stdout.length).toBe(Math.floor((100_000 - 4096) / 50));
    expect(stdout.map((l) => l.seq)).toEqual(stdout.map((_, i) => i + 1));
    const system = lines.filter((l) => l.stream === 'system').map((l) => l.data);
    expect(system).toEqual([
      'log limit of 100000 bytes per run reached: further output is not stored',
      `${3000 - stdout.length} line(s), ${(3000 - stdout.length) * 50} bytes, were dropped past the log limit`,
    ]);
    expect(run.log_bytes).toBeLessThanOrEqual(100_000);
    expect(run.log_truncated).toBe(true);
  });
});
