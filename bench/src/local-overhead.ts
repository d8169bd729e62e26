// Per-run overhead of the local executor (working directory, script file, process group,
// line capture, cleanup) over a bare child_process.spawn of the same command; as root also
// through the launch helper with scripts run as their owner's uid, without and with bubblewrap.
// Usage: node bench/src/local-overhead.ts   (BENCH_RUNS)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HelperProcessLauncher,
  LocalExecutor,
  LocalIsolation,
  canSwitchUsers,
} from '@cronium/executors';
import { rawSamples, summarize, writeResults } from './results.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 300);
const dir = mkdtempSync(join(tmpdir(), 'cronium-overhead-'));
const script = join(dir, 'script.sh');
writeFileSync(script, 'true\n');
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };

function bare(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('bash', [script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.on('close', () => resolve(performance.now() - started));
  });
}

const executor = new LocalExecutor();
// As the orchestrator runs scripts: through the launch helper; as root, as the owner's uid
// (one owner, one script at a time: each run ends with that uid's cleanup).
const helper = new HelperProcessLauncher();
// The helper does not keep a process alive by itself (the orchestrator has its own handles).
const keepAlive = setInterval(() => undefined, 1_000);
const viaHelper = new LocalExecutor({ launcher: helper });
const isolated = canSwitchUsers()
  ? {
      user: await LocalIsolation.prepare({
        workRoot: tmpdir(),
        uidBase: 1_999_000_000,
        sandbox: 'off',
      }),
      bubblewrap: await LocalIsolation.prepare({ workRoot: tmpdir(), uidBase: 1_999_000_000 }),
    }
  : undefined;
const asUser = isolated && new LocalExecutor({ launcher: helper, isolation: isolated.user });
const inSandbox =
  isolated?.bubblewrap.sandbox === 'bubblewrap'
    ? new LocalExecutor({ launcher: helper, isolation: isolated.bubblewrap })
    : undefined;

async function timed(ex: LocalExecutor, i: number): Promise<number> {
  const started = performance.now();
  const result = await ex.run(
    {
      runId: i,
      attempt: 1,
      eventId: 1,
      ownerId: 1,
      type: 'bash',
      script: 'true\n',
      http: null,
      env,
    },
    { signal: new AbortController().signal, onLog: () => undefined },
  );
  if (result.status !== 'succeeded') throw new Error(JSON.stringify(result));
  return performance.now() - started;
}

const variants = { executor, viaHelper, asUser, inSandbox };
const times: Record<string, number[]> = { bare: [] };
for (const name of Object.keys(variants)) times[name] = [];
for (let i = 0; i < RUNS + 20; i++) {
  // Interleaved, so drift on the machine affects all alike; the first 20 warm up.
  const bareMs = await bare();
  if (i >= 20) times.bare!.push(bareMs);
  for (const [name, ex] of Object.entries(variants)) {
    if (!ex) continue;
    const ms = await timed(ex, i);
    if (i >= 20) times[name]!.push(ms);
  }
}
await helper.close();
clearInterval(keepAlive);
await isolated?.user.close();
await isolated?.bubblewrap.close();
rmSync(dir, { recursive: true, force: true });
const b = summarize(times.bare!);
const over = (name: string) => {
  if (times[name]!.length === 0) return undefined;
  const e = summarize(times[name]!);
  return {
    ms: e,
    overheadMs: {
      mean: Math.round((e.mean - b.mean) * 100) / 100,
      p50: Math.round((e.p50 - b.p50) * 100) / 100,
    },
  };
};
const e = over('executor')!;
writeResults(
  'local-overhead',
  {
    runs: RUNS,
    command: 'bash script.sh (true)',
    bareSpawnMs: b,
    localExecutorMs: e.ms,
    overheadMs: e.overheadMs,
    throughHelper: over('viaHelper'),
    asOwnerUid: over('asUser') ?? 'not root: users cannot be switched',
    inBubblewrap: over('inSandbox') ?? 'bubblewrap not available',
    target: 'overhead < 5 ms (plain executor)',
  },
  Object.fromEntries(
    Object.entries(times)
      .filter(([, values]) => values.length > 0)
      .map(([name, values]) => [name, rawSamples(values)]),
  ),
);
