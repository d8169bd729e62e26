// The web UI's processes for the UI benchmarks: the production web build (`next build`) and the
// ws process (live logs), on a fresh migrated database, with an administrator and an ordinary
// user signed in. Both stay in the benchmark's process group, so that run-all.ts stopping the
// benchmark stops them too.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '@cronium/db';
import { openBenchDatabase } from './bench-database.ts';
import { freePort, waitUntilReady } from './local-ports.ts';

const apps = fileURLToPath(new URL('../../apps/', import.meta.url));
const PASSWORD = 'a long bench passphrase';

export interface WebStack {
  /** http://127.0.0.1:<port>, the web process (pages, /api/v1 and the /v1/live proxy). */
  base: string;
  /** The migrated database, to seed with SQL. */
  db: Db;
  postgres: string;
  /** The ordinary user's id and session cookie (`name=value`). */
  user: { id: number; cookie: string };
  /** A GET of /api/v1 with the user's session, as the UI makes it; the parsed answer. */
  get(path: string): Promise<unknown>;
  stop(): Promise<void>;
}

interface Service {
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startService(main: string, env: Record<string, string>, port: number) {
  const child = spawn(process.execPath, [join(apps, main)], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const service: Service = {
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    await waitUntilReady(`http://127.0.0.1:${port}/ready`, 90_000);
  } catch (error) {
    await service.stop();
    throw new Error(`${main} did not start: ${(error as Error).message}\n${stderr}`, {
      cause: error,
    });
  }
  return service;
}

async function post(base: string, path: string, body: unknown, cookie?: string) {
  const response = await fetch(`${base}/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
  return response;
}

async function signIn(base: string, email: string): Promise<string> {
  const response = await post(base, '/sessions', { email, password: PASSWORD });
  return response.headers.get('set-cookie')!.split(';')[0]!;
}

/** The first administrator, then an ordinary user invited by them: the one who owns the data. */
async function createUser(base: string): Promise<string> {
  await post(base, '/setup', { email: 'admin@example.com', password: PASSWORD });
  const admin = await signIn(base, 'admin@example.com');
  const invitation = (await (
    await post(base, '/invitations', { email: 'owner@example.com', role: 'user' }, admin)
  ).json()) as { invitationToken: string };
  await post(base, '/invitations/accept', {
    token: invitation.invitationToken,
    password: PASSWORD,
  });
  return signIn(base, 'owner@example.com');
}

export async function startWebStack(): Promise<WebStack> {
  const database = await openBenchDatabase();
  const services: Service[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'cronium-bench-web-'));
  const stop = async () => {
    for (const s of services.reverse()) await s.stop();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const { url, db } = await database.create('bench_ui', true);
    const [webPort, wsPort] = [await freePort(), await freePort()];
    const env = {
      DATABASE_URL: url,
      CRONIUM_DATA_DIR: dataDir,
      CRONIUM_ENCRYPTION_KEY: 'ab'.repeat(32),
      CRONIUM_JWT_SECRET: 'j'.repeat(40),
      WEB_PORT: String(webPort),
      WS_PORT: String(wsPort),
    };
    services.push(await startService('ws/src/main.ts', env, wsPort));
    services.push(await startService('web/src/main.ts', env, webPort));
    const base = `http://127.0.0.1:${webPort}`;
    const cookie = await createUser(base);
    const get = async (path: string) => {
      const response = await fetch(`${base}/api/v1${path}`, { headers: { cookie } });
      const text = await response.text();
      if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${text}`);
      return JSON.parse(text) as unknown;
    };
    const me = (await get('/me')) as { id: number };
    return {
      base,
      db: db!,
      postgres: database.version,
      user: { id: Number(me.id), cookie },
      get,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
