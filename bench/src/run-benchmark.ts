// Runs one benchmark as a child process (`node bench/src/<name>.ts`) in a process group of
// its own, its output passed through with its name in front, and answers where its result
// file is. A benchmark past its time, or asked to stop, and everything it started get SIGTERM
// (the apps, orchestrators and PostgreSQL shut down cleanly), then SIGKILL for whatever of the
// group is left after 30 s.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RESULT_FILE_PREFIX } from './results.ts';

export type Outcome = { file: string } | { failed: string };

export interface RunOptions {
  env: Record<string, string | undefined>;
  timeoutMs: number;
  signal: AbortSignal;
}

const TERM_GRACE_MS = 30_000;

export function runBenchmark(name: string, options: RunOptions): Promise<Outcome> {
  const entry = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const child = spawn(process.execPath, [entry], {
    env: options.env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let file: string | undefined;
  let lastError = '';
  const relay = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream, isError: boolean) => {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith(RESULT_FILE_PREFIX)) file = line.slice(RESULT_FILE_PREFIX.length);
        if (isError && line.trim()) lastError = line.trim();
        out.write(`[${name}] ${line}\n`);
      }
    });
  };
  relay(child.stdout!, process.stdout, false);
  relay(child.stderr!, process.stderr, true);

  let stoppedBecause: string | undefined;
  const stop = (why: string) => {
    if (stoppedBecause || child.exitCode !== null) return;
    stoppedBecause = why;
    signalGroup(child.pid!, 'SIGTERM');
    setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), TERM_GRACE_MS).unref();
  };
  const timer = setTimeout(
    () => stop(`did not finish in ${options.timeoutMs / 60_000} min`),
    options.timeoutMs,
  );
  const onAbort = () => stop('stopped');
  options.signal.addEventListener('abort', onAbort, { once: true });

  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      void endGroup(child.pid!).then((straggled) => {
        if (code === 0 && file && !straggled) resolve({ file });
        else
          resolve({
            failed:
              stoppedBecause ??
              (code === 0 && file
                ? 'left processes running after it exited (stopped)'
                : `exit ${code ?? signal}${lastError ? `: ${lastError.slice(0, 300)}` : ''}`),
          });
      });
    });
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Once the benchmark's own process has exited, what is left of its group gets SIGTERM and
 * then, after the grace, SIGKILL. Answers whether anything was left.
 */
async function endGroup(pgid: number): Promise<boolean> {
  if (!groupAlive(pgid)) return false;
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + TERM_GRACE_MS;
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  signalGroup(pgid, 'SIGKILL');
  return true;
}
