import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** The unprivileged login `.ci/provision-sshd.sh` creates for these tests. */
export const TEST_SSH_USER = process.env.CRONIUM_TEST_SSH_USER ?? 'cronium-ssh';
const SSHD = '/usr/sbin/sshd';

/** True when a private sshd can be started here (root, sshd and the test login exist). */
export function privateSshdAvailable(): boolean {
  if (process.getuid?.() !== 0 || !existsSync(SSHD)) return false;
  try {
    execFileSync('id', [TEST_SSH_USER], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export interface PrivateSshd {
  host: '127.0.0.1';
  port: number;
  username: string;
  /** An ed25519 client key in authorized_keys (OpenSSH private key format). */
  privateKey: string;
  /** Path of that key, for the `ssh` client. */
  privateKeyPath: string;
  /** The login's password, when started with `password: true`. */
  password: string | null;
  /** The host key's fingerprint as `ssh-keygen -l -E sha256` prints it. */
  hostKeyFingerprint: string;
  /** Kills every connection's session processes, as a network failure would end them. */
  dropConnections(): void;
  /** Drops every connection and restarts on the same port with a fresh host key (a re-keyed server). */
  rekey(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a real OpenSSH sshd on a free loopback port with its own generated host key and
 * authorized key, for tests and benchmarks; `stop()` ends it and removes its files. Needs
 * root (sshd changes to the login's user) and the test login; see `privateSshdAvailable`.
 */
export async function startPrivateSshd(
  options: {
    password?: boolean;
    /** `ForceCommand` for every session (a misbehaving server: `cat /dev/zero`). */
    forceCommand?: string;
    /** Whether the SFTP subsystem is offered (default true; real servers sometimes do not). */
    sftp?: boolean;
  } = {},
): Promise<PrivateSshd> {
  const dir = await mkdtemp(join(tmpdir(), 'cronium-sshd-'));
  await chmod(dir, 0o755); // the login reads authorized_keys from here
  const keygen = (file: string) =>
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'cronium-test', '-f', file]);
  keygen(join(dir, 'client_key'));
  await writeFile(join(dir, 'authorized_keys'), await readFile(join(dir, 'client_key.pub')));
  await chmod(join(dir, 'authorized_keys'), 0o644);
  let password: string | null = null;
  if (options.password) {
    password = randomBytes(12).toString('base64url');
    execFileSync('chpasswd', { input: `${TEST_SSH_USER}:${password}\n` });
  }
  const port = await freeLoopbackPort();
  const config = join(dir, 'sshd_config');
  await writeFile(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      `PasswordAuthentication ${options.password ? 'yes' : 'no'}`,
      'KbdInteractiveAuthentication no',
      'PermitRootLogin no',
      `AllowUsers ${TEST_SSH_USER}`,
      'MaxStartups 200:30:400',
      'MaxSessions 10',
      'LogLevel ERROR',
      ...(options.sftp === false ? [] : ['Subsystem sftp internal-sftp']),
      ...(options.forceCommand ? [`ForceCommand ${options.forceCommand}`] : []),
      '',
    ].join('\n'),
  );
  let child: ChildProcess | undefined;
  let fingerprint = '';
  const start = async () => {
    await rm(join(dir, 'host_key'), { force: true });
    await rm(join(dir, 'host_key.pub'), { force: true });
    keygen(join(dir, 'host_key'));
    fingerprint = execFileSync('ssh-keygen', [
      '-l',
      '-E',
      'sha256',
      '-f',
      join(dir, 'host_key.pub'),
    ])
      .toString()
      .split(' ')[1]!;
    child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitForBanner(port, () => (child!.exitCode !== null ? stderr : undefined));
  };
  const stopChild = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  const dropConnections = () => {
    const listener = child?.pid;
    if (!listener) return;
    // Each connection has a privileged monitor (the listener's child) and the login's
    // session process (its child, also named sshd); both hold the socket.
    const childrenOf = (pid: number | string) =>
      spawnSync('pgrep', ['-P', String(pid), 'sshd'], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter(Boolean);
    const monitors = childrenOf(listener);
    const sessions = monitors.flatMap((pid) => childrenOf(pid));
    for (const pid of [...sessions, ...monitors]) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  await start();
  return {
    host: '127.0.0.1',
    port,
    username: TEST_SSH_USER,
    privateKey: await readFile(join(dir, 'client_key'), 'utf8'),
    privateKeyPath: join(dir, 'client_key'),
    password,
    get hostKeyFingerprint() {
      return fingerprint;
    },
    dropConnections,
    async rekey() {
      // A re-keyed (or replaced) server: established connections end with the old one.
      dropConnections();
      await stopChild();
      await start();
    },
    async stop() {
      await stopChild();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Waits until the port answers with an SSH banner (or sshd exits, with its stderr). */
async function waitForBanner(port: number, failed: () => string | undefined): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const why = failed();
    if (why !== undefined) throw new Error(`sshd exited: ${why}`);
    const banner = await new Promise<string>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port });
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
        socket.destroy();
      });
      socket.on('error', () => resolve(''));
      socket.on('close', () => resolve(text));
      socket.setTimeout(1_000, () => socket.destroy());
    });
    if (banner.startsWith('SSH-2.0')) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`sshd did not answer on 127.0.0.1:${port} within 10 s`);
}
