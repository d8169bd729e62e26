// The whole system as the README starts it (`cronium.mjs start`, embedded PostgreSQL, local
// executor), driven through the public API: 200 runs of a `true` bash event triggered at once,
// timed until all 200 are finished; then the same with the event's concurrency capped (the
// cap must never be exceeded); and the resident memory of the whole stack, idle and at the
// peak of the burst. Targets: burst under 1 s; under 450 MiB PSS idle and 1 GiB at the peak.
// Usage: node bench/src/api-burst.ts   (BENCH_RUNS, BENCH_CAP; uses ports 3000-3003 and 54329)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pgModule from 'pg';
import { rawSamples, summarize, writeResults } from './results.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const CAP = Number(process.env.BENCH_CAP ?? 10);
/** Sampling memory and the database costs CPU on a 2-core machine; 0 turns it off (timing only). */
const SAMPLE = process.env.BENCH_SAMPLE !== '0';
const root = fileURLToPath(new URL('../..', import.meta.url));
const API = 'http://127.0.0.1:3000/api/v1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every process under `pid` (the launcher: pm2, the four apps, PostgreSQL). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone
    }
  }
  const all: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      all.push(c);
      walk(c);
    }
  };
  walk(pid);
  return all;
}

/**
 * The stack's memory in MiB: `rss` sums each process's resident set (shared pages counted in
 * every process that maps them: an upper bound); `pss` shares them out (the honest total).
 */
function stackMemoryMiB(pid: number): {
  rss: number;
  pss: number;
  pssByProcess: Record<string, number>;
} {
  let rss = 0;
  let pss = 0;
  const byName = new Map<string, number>();
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      rss += Number(/^Rss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
      const own = Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
      pss += own;
      const name = processName(p);
      byName.set(name, (byName.get(name) ?? 0) + own);
    } catch {
      // gone
    }
  }
  return {
    rss: Math.round(rss / 1024),
    pss: Math.round(pss / 1024),
    pssByProcess: Object.fromEntries(
      [...byName].sort((a, b) => b[1] - a[1]).map(([n, kb]) => [n, Math.round(kb / 1024)]),
    ),
  };
}

/** A short name for a process of the stack: its script, or `postgres`. */
function processName(pid: number): string {
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  const script = cmdline.find((a) => /\.(ts|mjs|js)$|postgres$/.test(a)) ?? cmdline[0]!;
  return script.includes('postgres') && !script.endsWith('.ts')
    ? 'postgres'
    : script.split('/').slice(-3).join('/');
}

/** CPU seconds each process of the stack has used (its own and its reaped children's). */
function stackCpuSeconds(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, cutime, cstime (fields 14-17; here from the state field on).
      const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
      const name = processName(p);
      byName.set(name, (byName.get(name) ?? 0) + ticks / 100);
    } catch {
      // gone
    }
  }
  return byName;
}

function cpuUsedSince(before: Map<string, number>, after: Map<string, number>) {
  return Object.fromEntries(
    [...after]
      .map(
        ([name, seconds]) =>
          [name, Math.round((seconds - (before.get(name) ?? 0)) * 100) / 100] as const,
      )
      .filter(([, seconds]) => seconds > 0)
      .sort((a, b) => b[1] - a[1]),
  );
}

async function call(method: string, path: string, token: string | undefined, body?: unknown) {
  const response = await fetch(API + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const dataDir = mkdtempSync(join(tmpdir(), 'cronium-bench-stack-'));
const stack = spawn(
  process.execPath,
  [join(root, 'packages/launcher/bin/cronium.mjs'), 'start', '--no-install', '--no-build'],
  {
    cwd: root,
    env: { ...process.env, CRONIUM_DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let output = '';
stack.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
try {
  const deadline = Date.now() + 180_000;
  while (!output.includes('Cronium is running')) {
    if (Date.now() > deadline || stack.exitCode !== null)
      throw new Error(`the stack did not start:\n${output}`);
    await sleep(200);
  }
  const password = 'a long bench passphrase';
  await call('POST', '/setup', undefined, { email: 'bench@example.com', password });
  const signIn = await fetch(`${API}/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'bench@example.com', password }),
  });
  const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
  const token = (
    (await (
      await fetch(`${API}/tokens`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'bench',
          scopes: ['events:read', 'events:write', 'events:execute', 'runs:read', 'runs:write'],
        }),
      })
    ).json()) as { token: string }
  ).token;

  await sleep(10_000); // let the stack settle before measuring it idle
  const idle = stackMemoryMiB(stack.pid!);
  // The database directly, to see what the orchestrators see: runs of an event running now.
  const secrets = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as {
    postgresPassword: string;
  };
  const pg = new pgModule.Client({
    connectionString: `postgres://cronium:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:54329/cronium`,
  });
  await pg.connect();

  async function burst(concurrency: { policy: string; max?: number }) {
    const event = await call('POST', '/events', token, {
      name: `burst ${concurrency.policy}`,
      type: 'bash',
      script: 'true',
      // The local executor, as the README's default stack has it without Docker: with a Docker
      // engine the default target is a container, which measures container starts instead.
      targetKind: 'local',
      concurrency,
    });
    const peak = { rss: 0, pss: 0 };
    let maxRunningSeen = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling && SAMPLE) {
        const now = stackMemoryMiB(stack.pid!);
        peak.rss = Math.max(peak.rss, now.rss);
        peak.pss = Math.max(peak.pss, now.pss);
        await sleep(50);
      }
    })();
    const runningSampler = (async () => {
      while (sampling && SAMPLE) {
        const { rows } = await pg.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM runs WHERE event_id = $1 AND status IN ('running', 'cancelling')`,
          [event.id],
        );
        maxRunningSeen = Math.max(maxRunningSeen, rows[0]!.n);
        await sleep(5);
      }
    })();
    const cpuBefore = stackCpuSeconds(stack.pid!);
    const startedAt = Date.now();
    const began = performance.now();
    const triggerLatencies: number[] = [];
    const runIds = await Promise.all(
      Array.from({ length: RUNS }, async () => {
        const t0 = performance.now();
        const run = await call('POST', `/events/${event.id}/runs`, token, {});
        triggerLatencies.push(performance.now() - t0);
        return run.id as number;
      }),
    );
    const allTriggered = performance.now() - began;
    // Waiting is done with a cheap count in the database, not through the API, so that
    // watching does not slow what is watched; the time is the last run's own finish.
    for (;;) {
      const { rows } = await pg.query<{ done: number }>(
        `SELECT count(*)::int AS done FROM runs WHERE event_id = $1 AND status IN ('succeeded', 'failed')`,
        [event.id],
      );
      if (rows[0]!.done === RUNS) break;
      if (performance.now() - began > 120_000) throw new Error('the burst did not finish in 120 s');
      await sleep(25);
    }
    const cpu = cpuUsedSince(cpuBefore, stackCpuSeconds(stack.pid!));
    const page = await call('GET', `/runs?eventId=${event.id}&limit=200`, token);
    const runs: {
      status: string;
      createdAt: string;
      startedAt: string | null;
      finishedAt: string | null;
    }[] = page.runs;
    const lastFinish = Math.max(...runs.map((r) => Date.parse(r.finishedAt!)));
    const allFinished = lastFinish - startedAt;
    sampling = false;
    await sampler;
    await runningSampler;
    // Most runs at once: the largest overlap of [startedAt, finishedAt] intervals.
    const edges = runs.flatMap((r) => [
      { at: Date.parse(r.startedAt!), d: 1 },
      { at: Date.parse(r.finishedAt!), d: -1 },
    ]);
    edges.sort((a, b) => a.at - b.at || a.d - b.d);
    let running = 0;
    let maxRunning = 0;
    for (const e of edges) maxRunning = Math.max(maxRunning, (running += e.d));
    return {
      triggerLatencies,
      runs: runIds.length,
      failed: runs.filter((r) => r.status !== 'succeeded').length,
      allTriggeredMs: Math.round(allTriggered),
      allFinishedMs: Math.round(allFinished),
      triggerLatencyMs: summarize(triggerLatencies),
      // Where a run's time goes: waiting in the queue, then running.
      queueWaitMs: summarize(runs.map((r) => Date.parse(r.startedAt!) - Date.parse(r.createdAt))),
      executionMs: summarize(runs.map((r) => Date.parse(r.finishedAt!) - Date.parse(r.startedAt!))),
      maxRunningFromTimestamps: maxRunning,
      maxRunningSampledInDatabase: maxRunningSeen,
      peakStackMiB: peak,
      cpuSecondsDuringBurst: cpu,
    };
  }

  const { triggerLatencies: uncappedTriggers, ...uncapped } = await burst({ policy: 'allow' });
  const { triggerLatencies: cappedTriggers, ...capped } = await burst({
    policy: 'queue',
    max: CAP,
  });
  const { rows: version } = await pg.query<{ server_version: string }>('SHOW server_version');
  // Idle again, now with everything a working stack has started (the launch helper, pooled
  // connections): what an installation that has run something holds, once the pools have
  // closed the burst's extra connections (idle for 10 s).
  await sleep(15_000);
  const idleAfter = stackMemoryMiB(stack.pid!);
  writeResults(
    'api-burst',
    {
      postgres: version[0]!.server_version,
      runsPerBurst: RUNS,
      idleStackMiB: idle,
      idleAfterBurstsMiB: idleAfter,
      uncapped,
      capped: {
        ...capped,
        cap: CAP,
        capHeld:
          capped.maxRunningSampledInDatabase <= CAP && capped.maxRunningFromTimestamps <= CAP,
      },
      targets:
        'burst finished < 1000 ms; idle < 450 MiB PSS; peak < 1024 MiB; the cap never exceeded',
      note: 'memory: rss sums per-process resident sets (upper bound), pss shares shared pages out',
    },
    {
      uncappedTriggerMs: rawSamples(uncappedTriggers),
      cappedTriggerMs: rawSamples(cappedTriggers),
    },
  );
  await pg.end();
} finally {
  stack.kill('SIGTERM');
  await new Promise((resolve) => stack.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
}
