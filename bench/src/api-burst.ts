// The whole system as the README starts it (`cronium.mjs start`, embedded PostgreSQL, local
// executor), driven through the public API: 200 runs of a `true` bash event triggered at once,
// timed until all 200 are finished; then the same with the event's concurrency capped (the
// cap must never be exceeded); and the resident memory of the whole stack, idle and at the
// peak of the burst. Targets: burst under 1 s; under 500 MB idle and 1 GB at the peak.
// Usage: node bench/src/api-burst.ts   (BENCH_RUNS, BENCH_CAP; uses ports 3000-3003 and 54329)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summarize, writeResults } from './results.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 200);
const CAP = Number(process.env.BENCH_CAP ?? 10);
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

/** Sum of VmRSS over the stack, in MiB (shared pages counted per process: an upper bound). */
function stackRssMiB(pid: number): number {
  let kib = 0;
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (match) kib += Number(match[1]);
    } catch {
      // gone
    }
  }
  return Math.round(kib / 1024);
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
          scopes: ['events:read', 'events:write', 'runs:read', 'runs:write'],
        }),
      })
    ).json()) as { token: string }
  ).token;

  await sleep(10_000); // let the stack settle before measuring it idle
  const idleMiB = stackRssMiB(stack.pid!);

  async function burst(concurrency: { policy: string; max?: number }) {
    const event = await call('POST', '/events', token, {
      name: `burst ${concurrency.policy}`,
      type: 'bash',
      script: 'true',
      concurrency,
    });
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, stackRssMiB(stack.pid!));
        await sleep(50);
      }
    })();
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
    let runs: { status: string; startedAt: string | null; finishedAt: string | null }[];
    for (;;) {
      const page = await call('GET', `/runs?eventId=${event.id}&limit=200`, token);
      runs = page.runs;
      if (runs.length === RUNS && runs.every((r) => ['succeeded', 'failed'].includes(r.status)))
        break;
      if (performance.now() - began > 120_000) throw new Error('the burst did not finish in 120 s');
      await sleep(20);
    }
    const allFinished = performance.now() - began;
    sampling = false;
    await sampler;
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
      runs: runIds.length,
      failed: runs.filter((r) => r.status !== 'succeeded').length,
      allTriggeredMs: Math.round(allTriggered),
      allFinishedMs: Math.round(allFinished),
      triggerLatencyMs: summarize(triggerLatencies),
      maxRunningAtOnce: maxRunning,
      peakStackRssMiB: peak,
    };
  }

  const uncapped = await burst({ policy: 'allow' });
  const capped = await burst({ policy: 'queue', max: CAP });
  writeResults('api-burst', {
    runsPerBurst: RUNS,
    idleStackRssMiB: idleMiB,
    uncapped,
    capped: { ...capped, cap: CAP, capHeld: capped.maxRunningAtOnce <= CAP },
    targets: 'burst finished < 1000 ms; idle < 500 MiB; peak < 1024 MiB; the cap never exceeded',
    note: 'RSS is summed per process (shared pages counted in each): an upper bound',
  });
} finally {
  stack.kill('SIGTERM');
  await new Promise((resolve) => stack.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
}
