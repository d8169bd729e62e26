import { spawnSync } from 'node:child_process';
import { accessSync, constants, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { chmod, copyFile, cp, link, lstat, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SDK_DIR } from '@cronium/sdk';
import type { ScriptUser } from './launch/index.ts';

const BWRAP = '/usr/bin/bwrap';
const SETPRIV = '/usr/bin/setpriv';

// CAP_CHOWN (hand the work directory over), CAP_KILL (signal the scripts), CAP_FOWNER (remove
// what they leave in a sticky /tmp), CAP_SETGID and CAP_SETUID (become their user).
const NEEDED_CAPS = [0, 5, 3, 6, 7];

/**
 * Whether this process can run scripts as other users: it is root, or holds the capabilities
 * that takes (a service started with them, e.g. systemd's AmbientCapabilities).
 */
export function canSwitchUsers(): boolean {
  try {
    const line = readFileSync('/proc/self/status', 'utf8').match(/^CapEff:\s*([0-9a-f]+)$/m);
    if (!line) return false;
    const caps = BigInt(`0x${line[1]}`);
    return NEEDED_CAPS.every((bit) => (caps >> BigInt(bit)) & 1n);
  } catch {
    return false;
  }
}

export interface LocalIsolationOptions {
  /** Where the read-only runtime copy is made (a folder every user can reach, e.g. /tmp). */
  workRoot: string;
  /** The owner with user id N runs as uid and gid `uidBase + N`. */
  uidBase: number;
  /** Whether to use bubblewrap when it works here ('auto') or never ('off'). */
  sandbox?: 'auto' | 'off';
  /** The Node.js to run node scripts with (default: this one). */
  node?: string;
}

export interface IsolatedCommand {
  file: string;
  args: string[];
  /** Whether the launcher switches to the user (false: the command does, inside its sandbox). */
  switchUser: boolean;
}

/**
 * How local scripts are kept apart from Cronium and from each other's owners: each owner's
 * scripts run as an unprivileged uid/gid of their own (`uidBase + user id`, no supplementary
 * groups, no account needed) and, where bubblewrap can make namespaces, in a sandbox with a
 * private /proc (a PID namespace: nothing of a run survives it), /tmp, IPC and host name, and
 * only /usr, /etc, the runtime copy and the run's own directory visible.
 *
 * What a script needs from Cronium (the SDK files, a Node.js to run node scripts) is copied at
 * start into a directory of this process's user, mode 0755, that the scripts can read but not
 * change: the checkout itself may be out of their reach (/root/cronium), and must stay out of
 * their write access (other runs, SSH servers and containers use its SDK files).
 */
export class LocalIsolation {
  readonly sandbox: 'bubblewrap' | 'none';
  /**
   * Why bubblewrap is not used although it is installed (its probe failed), so the fallback
   * to user switching alone is never silent.
   */
  readonly sandboxProblem: string | undefined;
  /** The SDK files as scripts see them. */
  readonly sdkDir: string;
  /** The Node.js node scripts run with. */
  readonly node: string;
  readonly #uidBase: number;
  readonly #runtimeDir: string;

  private constructor(options: {
    sandbox: 'bubblewrap' | 'none';
    sandboxProblem?: string;
    runtimeDir: string;
    node: string;
    uidBase: number;
  }) {
    this.sandbox = options.sandbox;
    this.sandboxProblem = options.sandboxProblem;
    this.#runtimeDir = options.runtimeDir;
    this.sdkDir = join(options.runtimeDir, 'sdk');
    this.node = options.node;
    this.#uidBase = options.uidBase;
  }

  /** Prepares the runtime copy and finds out whether bubblewrap works here (tried once). */
  static async prepare(options: LocalIsolationOptions): Promise<LocalIsolation> {
    await removeStaleCopies(options.workRoot);
    const runtimeDir = await mkdtemp(join(options.workRoot, `cronium-local-${process.pid}-`));
    try {
      await chmod(runtimeDir, 0o755);
      await cp(SDK_DIR, join(runtimeDir, 'sdk'), { recursive: true });
      await makeReadable(join(runtimeDir, 'sdk'));
      await mkdir(join(runtimeDir, 'bin'), { mode: 0o755 });
      const node = join(runtimeDir, 'bin', 'node');
      // A hard link costs nothing; another file system needs a copy (about 120 MB).
      await link(options.node ?? process.execPath, node).catch(() =>
        copyFile(options.node ?? process.execPath, node),
      );
      await chmod(node, 0o755);
      const draft = new LocalIsolation({
        sandbox: 'bubblewrap',
        runtimeDir,
        node,
        uidBase: options.uidBase,
      });
      const problem = options.sandbox === 'off' ? 'off' : draft.#bubblewrapProblem();
      return new LocalIsolation({
        sandbox: problem === undefined ? 'bubblewrap' : 'none',
        ...(problem && problem !== 'off' && problem !== 'not installed'
          ? { sandboxProblem: problem }
          : {}),
        runtimeDir,
        node,
        uidBase: options.uidBase,
      });
    } catch (error) {
      await rm(runtimeDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** The uid/gid an owner's scripts run as. */
  userFor(ownerId: number): ScriptUser {
    return { uid: this.#uidBase + ownerId, gid: this.#uidBase + ownerId };
  }

  /** The command that runs `file args` as `user`, sandboxed where bubblewrap works. */
  command(file: string, args: string[], workDir: string, user: ScriptUser): IsolatedCommand {
    if (this.sandbox === 'none') return { file, args, switchUser: true };
    // bubblewrap starts privileged (to set up the namespaces) and drops to the user inside,
    // with setpriv: no capabilities, no supplementary groups, no new privileges. The outer
    // bwrap ignores SIGTERM, so a stop reaches the script (which may clean up in its grace
    // time) rather than ending the whole sandbox at once; `env --default-signal` gives the
    // script the default disposition back. SIGKILL ends bwrap, and with it the sandbox.
    const inner = [
      ...this.#sandboxArgs(workDir),
      '--',
      '/usr/bin/env',
      '--default-signal=TERM',
      SETPRIV,
      `--reuid=${user.uid}`,
      `--regid=${user.gid}`,
      '--clear-groups',
      '--inh-caps=-all',
      '--bounding-set=-all',
      '--no-new-privs',
      '--',
      file,
      ...args,
    ];
    return {
      file: '/bin/sh',
      args: ['-c', `trap '' TERM; exec ${BWRAP} "$@"`, 'bwrap', ...inner],
      switchUser: false,
    };
  }

  /** Removes the runtime copy. */
  async close(): Promise<void> {
    await rm(this.#runtimeDir, { recursive: true, force: true });
  }

  #sandboxArgs(workDir: string): string[] {
    const args = [
      '--unshare-pid',
      '--unshare-ipc',
      '--unshare-uts',
      '--die-with-parent',
      '--ro-bind',
      '/usr',
      '/usr',
    ];
    for (const top of ['/bin', '/lib', '/lib64', '/lib32', '/sbin']) args.push(...rootEntry(top));
    args.push(
      '--ro-bind',
      '/etc',
      '/etc',
      '--ro-bind-try',
      '/run/systemd/resolve',
      '/run/systemd/resolve',
      '--proc',
      '/proc',
      '--dev',
      '/dev',
      '--tmpfs',
      '/tmp',
    );
    // Folders on the way to the binds, traversable (bwrap would make them 0700).
    const dirs = new Set<string>();
    for (const path of [this.#runtimeDir, workDir])
      for (let d = dirname(path); d !== '/' && d !== '/tmp'; d = dirname(d)) dirs.add(d);
    for (const d of [...dirs].sort()) args.push('--perms', '0755', '--dir', d);
    args.push('--ro-bind', this.#runtimeDir, this.#runtimeDir, '--bind', workDir, workDir);
    args.push('--chdir', workDir);
    return args;
  }

  /** Undefined when bubblewrap works here; otherwise why not. */
  #bubblewrapProblem(): string | undefined {
    try {
      accessSync(BWRAP, constants.X_OK);
      accessSync(SETPRIV, constants.X_OK);
    } catch {
      return 'not installed';
    }
    const probe = this.command('/bin/true', [], this.#runtimeDir, this.userFor(0));
    const result = spawnSync(probe.file, probe.args, {
      env: {},
      cwd: '/',
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
      timeout: 10_000,
    });
    if (result.status === 0) return undefined;
    const how = result.error
      ? result.error.message
      : result.signal
        ? `killed by ${result.signal}`
        : `exit code ${result.status}`;
    return `${how}${result.stderr ? `: ${result.stderr.trim().slice(0, 300)}` : ''}`;
  }
}

/**
 * Removes the runtime copies of this user's processes that are gone (an orchestrator killed
 * before it could remove its own); the pid is in the name.
 */
async function removeStaleCopies(workRoot: string): Promise<void> {
  const names = await readdir(workRoot).catch(() => [] as string[]);
  for (const name of names) {
    const pid = /^cronium-local-(\d+)-/.exec(name)?.[1];
    if (!pid || processExists(Number(pid))) continue;
    const path = join(workRoot, name);
    if ((await lstat(path)).uid === process.getuid?.())
      await rm(path, { recursive: true, force: true });
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** /bin, /lib...: a symlink into /usr on merged-/usr systems, a folder of its own otherwise. */
function rootEntry(path: string): string[] {
  try {
    return lstatSync(path).isSymbolicLink()
      ? ['--symlink', readlinkSync(path), path]
      : ['--ro-bind', path, path];
  } catch {
    return [];
  }
}

/** Folders 0755, files 0644 (0755 when executable), owned by this process's user. */
async function makeReadable(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await makeReadable(path);
    else if (entry.isFile()) await chmod(path, (await lstat(path)).mode & 0o111 ? 0o755 : 0o644);
  }
}
