// Per-run overhead of the local executor (working directory, script file, process group,
// line capture, cleanup) over a bare child_process.spawn of the same command.
// Usage: node bench/src/local-overhead.ts   (BENCH_RUNS)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalExecutor } from '@cronium/executors';
import { summarize, writeResults } from './results.ts';

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
async function viaExecutor(i: number): Promise<number> {
  const started = performance.now();
  await executor.run(
    { runId: i, attempt: 1, eventId: 1, type: 'bash', script: 'true\n', http: null, env },
    { signal: new AbortController().signal, onLog: () => undefined },
  );
  return performance.now() - started;
}

const bareTimes: number[] = [];
const executorTimes: number[] = [];
for (let i = 0; i < 20; i++) {
  await bare();
  await viaExecutor(i);
}
for (let i = 0; i < RUNS; i++) {
  // Interleaved, so drift on the machine affects both alike.
  bareTimes.push(await bare());
  executorTimes.push(await viaExecutor(i));
}
rmSync(dir, { recursive: true, force: true });
const b = summarize(bareTimes);
const e = summarize(executorTimes);
writeResults('local-overhead', {
  runs: RUNS,
  command: 'bash script.sh (true)',
  bareSpawnMs: b,
  localExecutorMs: e,
  overheadMs: {
    mean: Math.round((e.mean - b.mean) * 100) / 100,
    p50: Math.round((e.p50 - b.p50) * 100) / 100,
  },
  target: 'overhead < 5 ms',
});
