// A real orchestrator (`node apps/orchestrator/src/main.ts`) for benchmarks that start
// several on one database, its JSON log kept for the run ledger. It stays in the benchmark's
// process group, so that run-all.ts stopping the benchmark stops it too.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitUntilReady } from './local-ports.ts';

const main = fileURLToPath(new URL('../../apps/orchestrator/src/main.ts', import.meta.url));

export interface OrchestratorProcess {
  id: string;
  child: ChildProcess;
  /** Every JSON line the process has logged so far. */
  logLines(): string[];
  exited: Promise<void>;
  /** SIGKILL, as a crash (its launch helper ends its scripts and itself when it is gone). */
  kill(): Promise<void>;
  /** SIGTERM (its graceful shutdown), SIGKILL after `timeoutMs`; removes its data directory. */
  stop(timeoutMs?: number): Promise<void>;
}

export async function startOrchestrator(
  databaseUrl: string,
  id: string,
  env: Record<string, string>,
): Promise<OrchestratorProcess> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'cronium-bench-orch-'));
  const child = spawn(process.execPath, [main], {
    // Only what an orchestrator needs: none of the benchmark's own variables.
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: databaseUrl,
      CRONIUM_DATA_DIR: dataDir,
      CRONIUM_ENCRYPTION_KEY: 'ab'.repeat(32),
      CRONIUM_JWT_SECRET: 'j'.repeat(40),
      ORCHESTRATOR_PORT: String(port),
      ORCHESTRATOR_ID: id,
      ORCHESTRATOR_CONTAINERS: 'off',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const complete = text.split('\n');
    partial = complete.pop()!;
    lines.push(...complete.filter(Boolean));
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  let starting = true;
  try {
    await Promise.race([
      waitUntilReady(`http://127.0.0.1:${port}/ready`, 60_000),
      exited.then(() => {
        if (starting) throw new Error(`exited (${child.exitCode ?? child.signalCode})`);
      }),
    ]);
    starting = false;
  } catch (error) {
    starting = false;
    child.kill('SIGKILL');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`orchestrator ${id} did not start: ${(error as Error).message}\n${stderr}`, {
      cause: error,
    });
  }
  return {
    id,
    child,
    logLines: () => lines,
    exited,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop(timeoutMs = 30_000) {
      if (alive()) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
