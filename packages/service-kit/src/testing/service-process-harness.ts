// Test helpers that run an app the way pm2 does: a real `node src/main.ts` process.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Flags a child `node` needs to run a `.ts` entry point: none on 22.18+/23.6+, one before. */
export function nodeTypeScriptArgs(version = process.versions.node): string[] {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const native = major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
  return native ? [] : ['--experimental-strip-types'];
}

export interface ServiceProcess {
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL if it has not exited after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnService(
  entry: string,
  env: Record<string, string | undefined>,
  args: string[] = [],
): ServiceProcess {
  const child = spawn(process.execPath, [...nodeTypeScriptArgs(), entry, ...args], {
    // VALKEY_URL passes through: CI runs the whole suite once without Valkey and once with it.
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...(process.env.VALKEY_URL ? { VALKEY_URL: process.env.VALKEY_URL } : {}),
      ...env,
    } as unknown as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => output,
    exited,
    async stop(timeoutMs = 20_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Polls `url` until it answers `status` (or the process dies, or time runs out). */
export async function waitForStatus(
  url: string,
  status: number,
  options: { timeoutMs?: number; process?: ServiceProcess } = {},
): Promise<{ status: number; body: unknown }> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (options.process && options.process.child.exitCode !== null) {
      throw new Error(
        `process exited (${options.process.child.exitCode}) before ${url} answered ${status}:\n${options.process.output()}`,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      const body: unknown = await response.json();
      if (response.status === status) return { status, body };
      last = `${response.status} ${JSON.stringify(body)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(
    `${url} did not answer ${status} in time (last: ${last})${options.process ? `\n${options.process.output()}` : ''}`,
  );
}
