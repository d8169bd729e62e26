import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { signalProcessGroup } from '../process-group.ts';
import { killUserProcessesSync } from './script-users.mjs';
import { removeWorkDir } from './work-dir.mjs';
import type {
  ExitStatus,
  LaunchedProcess,
  LaunchOptions,
  ProcessLauncher,
  ScriptUser,
} from './process-launcher.ts';

/** Resolves when a stream has delivered everything (or was destroyed). */
function drained(stream: PassThrough): Promise<void> {
  return finished(stream).catch(() => undefined);
}

const HELPER = fileURLToPath(new URL('./launch-helper.mjs', import.meta.url));

type HelperMessage =
  | { t: 'started'; id: number; pid: number }
  | { t: 'failed'; id: number; message: string }
  | { t: 'out'; id: number; fd: 1 | 2; data: Uint8Array }
  | { t: 'exit' | 'close'; id: number; code: number | null; signal: NodeJS.Signals | null };

type Started = Omit<LaunchedProcess, 'exited' | 'closed'>;

interface Pending {
  workDir: string;
  user: ScriptUser | undefined;
  started: { resolve(process: Started): void; reject(error: Error): void };
  pid?: number;
  stdout: PassThrough;
  stderr: PassThrough;
  exit(status: ExitStatus): void;
  close(status: ExitStatus): void;
}

/**
 * Starts processes through a small helper process (`launch-helper.mjs`), so each start forks
 * the helper (about 1 ms) instead of this process (several ms for an orchestrator, with its
 * event loop blocked meanwhile). Output comes back over the IPC channel; signals go to the
 * process groups directly. The helper is started on first use; if it dies, the scripts it
 * started are killed, their attempts fail with the reason, and the next launch starts a new
 * helper. When this process goes away, the helper kills what it started and exits.
 *
 * The helper starts with an empty environment (`helperEnv` aside), never this process's: its
 * `/proc/<pid>/environ` is readable by whatever runs as its user, and scripts are its
 * children. Each script's environment is only what its launch carries.
 */
export class HelperProcessLauncher implements ProcessLauncher {
  #helper: ChildProcess | undefined;
  readonly #helperEnv: Record<string, string>;

  constructor(options: { helperEnv?: Record<string, string> } = {}) {
    this.#helperEnv = options.helperEnv ?? {};
  }

  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  launch(file: string, args: string[], options: LaunchOptions): Promise<LaunchedProcess> {
    const helper = this.#helper ?? this.#startHelper();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      let exit!: (status: ExitStatus) => void;
      let close!: (status: ExitStatus) => void;
      const exited = new Promise<ExitStatus>((done) => (exit = done));
      const closed = new Promise<ExitStatus>((done) => (close = done));
      this.#pending.set(id, {
        workDir: options.workDir.path,
        user: options.user,
        started: { resolve: (started) => resolve({ ...started, exited, closed }), reject },
        stdout: new PassThrough(),
        stderr: new PassThrough(),
        exit,
        close,
      });
      helper.send({
        t: 'launch',
        id,
        file,
        args,
        workDir: options.workDir,
        env: options.env,
        user: options.user,
        switchUser: options.switchUser ?? true,
      });
    });
  }

  async close(): Promise<void> {
    const helper = this.#helper;
    if (!helper) return;
    const gone = new Promise<void>((resolve) => helper.once('exit', () => resolve()));
    helper.disconnect();
    await gone;
  }

  #startHelper(): ChildProcess {
    const helper = spawn(
      process.execPath,
      ['--max-semi-space-size=1', '--v8-pool-size=1', HELPER],
      {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        serialization: 'advanced',
        env: this.#helperEnv,
      },
    );
    helper.on('message', (message: HelperMessage) => this.#receive(message));
    helper.once('exit', (code, signal) => this.#helperGone(helper, code, signal));
    // The helper must not keep this process alive on its own.
    helper.unref();
    (helper.channel as { unref?: () => void } | undefined)?.unref?.();
    this.#helper = helper;
    return helper;
  }

  #receive(message: HelperMessage): void {
    const entry = this.#pending.get(message.id);
    if (!entry) return;
    switch (message.t) {
      case 'started':
        entry.pid = message.pid;
        entry.started.resolve({
          pid: message.pid,
          stdout: entry.stdout,
          stderr: entry.stderr,
          abandonOutput: () => this.#helper?.send({ t: 'abandon', id: message.id }),
        });
        break;
      case 'failed':
        this.#pending.delete(message.id);
        entry.started.reject(new Error(message.message));
        break;
      case 'out':
        (message.fd === 1 ? entry.stdout : entry.stderr).write(Buffer.from(message.data));
        break;
      case 'exit':
        entry.exit({ code: message.code, signal: message.signal });
        break;
      case 'close': {
        this.#pending.delete(message.id);
        entry.stdout.end();
        entry.stderr.end();
        // Closed once every line has been handed to the reader, as with a child's own pipes.
        const status = { code: message.code, signal: message.signal };
        void Promise.all([entry.stdout, entry.stderr].map((s) => drained(s))).then(() =>
          entry.close(status),
        );
        break;
      }
    }
  }

  /** The helper died: what it started is killed, and its attempts end with the reason. */
  #helperGone(helper: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#helper === helper) this.#helper = undefined;
    const why = `the process launcher stopped (${signal ?? `exit code ${code}`}); the script was killed`;
    // What a script user left outside its group goes too, before its directories are removed.
    const users = new Map<number, ScriptUser>();
    for (const entry of this.#pending.values())
      if (entry.user) users.set(entry.user.uid, entry.user);
    for (const entry of this.#pending.values())
      if (entry.pid !== undefined) signalProcessGroup(entry.pid, 'SIGKILL');
    for (const user of users.values()) killUserProcessesSync(user);
    for (const [id, entry] of this.#pending) {
      this.#pending.delete(id);
      if (entry.pid === undefined) {
        void removeWorkDir(entry.workDir).then(() => entry.started.reject(new Error(why)));
        continue;
      }
      entry.stdout.end();
      entry.stderr.end();
      const status: ExitStatus = { code: null, signal: 'SIGKILL', error: why };
      entry.exit(status);
      void removeWorkDir(entry.workDir).then(() => entry.close(status));
    }
  }
}
