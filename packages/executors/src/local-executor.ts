import { randomBytes } from 'node:crypto';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { isScriptType, type ScriptType } from '@cronium/contracts';
import { SDK_DIR } from '@cronium/sdk';
import {
  killGraceFor,
  type ExecutionContext,
  type ExecutionRequest,
  type ExecutionResult,
  type Executor,
} from './executor.ts';
import {
  DirectProcessLauncher,
  type LaunchedProcess,
  type ProcessLauncher,
  type WorkDirPlan,
} from './launch/index.ts';
import { LineSplitter } from './line-splitter.ts';
import type { LocalIsolation } from './local-isolation.ts';
import { processGroupAlive, signalProcessGroup } from './process-group.ts';

export interface LocalExecutorOptions {
  /** Where per-run working directories are made. */
  workRoot?: string;
  /** Between SIGTERM and SIGKILL when an attempt is aborted. */
  killGraceMs?: number;
  /** Interpreters; node defaults to the orchestrator's own Node.js. */
  interpreters?: Partial<Record<ScriptType, string>>;
  /** Variables passed through from the orchestrator's environment (PATH, LANG...). */
  baseEnv?: Record<string, string>;
  /**
   * What starts the processes; by default this process itself. The orchestrator passes a
   * `HelperProcessLauncher`, which keeps the cost of forking off its event loop.
   */
  launcher?: ProcessLauncher;
  /**
   * Runs each owner's scripts as an unprivileged uid of their own (sandboxed with bubblewrap
   * where it works); see `LocalIsolation`. Unset, scripts run as this process's user.
   */
  isolation?: LocalIsolation;
}

/** How long output pipes may stay open after the script is gone (held by an escaped process). */
const PIPE_CLOSE_WAIT_MS = 1_000;

const SCRIPT_FILES: Record<ScriptType, string> = {
  bash: 'script.sh',
  python: 'script.py',
  node: 'script.js',
};

/**
 * Runs a script as a child process on this machine, in its own process group, working
 * directory and environment (only what the run carries: nothing of this process's own).
 * With `isolation`, as its owner's unprivileged uid, sandboxed where bubblewrap works. Abort (cancel, timeout, shutdown) sends SIGTERM to the whole
 * group, then SIGKILL after the grace period; when the script ends, whatever it left in its
 * group is killed too, so nothing of the attempt survives it.
 */
export class LocalExecutor implements Executor {
  readonly kind = 'local';
  readonly #options: Required<Omit<LocalExecutorOptions, 'interpreters' | 'isolation'>> & {
    interpreters: Record<ScriptType, string>;
    isolation: LocalIsolation | undefined;
  };

  constructor(options: LocalExecutorOptions = {}) {
    this.#options = {
      workRoot: options.workRoot ?? tmpdir(),
      killGraceMs: options.killGraceMs ?? 5_000,
      baseEnv: options.baseEnv ?? {},
      launcher: options.launcher ?? new DirectProcessLauncher(),
      isolation: options.isolation,
      interpreters: {
        bash: 'bash',
        python: 'python3',
        node: options.isolation?.node ?? process.execPath,
        ...options.interpreters,
      },
    };
  }

  async run(request: ExecutionRequest, context: ExecutionContext): Promise<ExecutionResult> {
    if (!isScriptType(request.type) || request.script === null) {
      return {
        status: 'failed',
        exitCode: null,
        error: `the local executor runs bash, python and node scripts, not ${request.type}`,
      };
    }
    const workDir = join(
      this.#options.workRoot,
      `cronium-run-${request.runId}-${request.attempt}-${randomBytes(6).toString('base64url')}`,
    );
    const { isolation } = this.#options;
    if (isolation && request.ownerId === undefined)
      return {
        status: 'failed',
        exitCode: null,
        error: 'the local executor runs scripts as their owner, and this run names none',
      };
    const scriptFile = SCRIPT_FILES[request.type];
    return this.#spawn(
      this.#options.interpreters[request.type],
      {
        path: workDir,
        files: [{ name: scriptFile, content: request.script, mode: 0o600 }],
        ...(request.runtime ? sdkLinks(isolation?.sdkDir ?? SDK_DIR) : {}),
      },
      request,
      context,
    );
  }

  async #spawn(
    interpreter: string,
    workDir: WorkDirPlan,
    request: ExecutionRequest,
    context: ExecutionContext,
  ): Promise<ExecutionResult> {
    const scriptPath = join(workDir.path, workDir.files![0]!.name);
    if (context.signal.aborted)
      return {
        status: 'failed',
        exitCode: null,
        error: `aborted before start (${String(context.signal.reason)})`,
      };
    const { isolation } = this.#options;
    const sdkDir = isolation?.sdkDir ?? SDK_DIR;
    const user = isolation?.userFor(request.ownerId!);
    const command =
      isolation && user
        ? isolation.command(interpreter, [scriptPath], workDir.path, user)
        : { file: interpreter, args: [scriptPath], switchUser: false };
    let child: LaunchedProcess;
    try {
      child = await this.#options.launcher.launch(command.file, command.args, {
        workDir,
        ...(user ? { user, switchUser: command.switchUser } : {}),
        env: {
          ...this.#options.baseEnv,
          HOME: workDir.path,
          TMPDIR: workDir.path,
          ...request.env,
          ...(request.runtime
            ? {
                CRONIUM_API_URL: request.runtime.apiUrl,
                CRONIUM_RUN_TOKEN: request.runtime.token(),
                BASH_ENV: join(sdkDir, 'bash', 'cronium.sh'),
              }
            : {}),
        },
      });
    } catch (error) {
      return {
        status: 'failed',
        exitCode: null,
        error: `could not start ${interpreter}: ${(error as Error).message}`,
      };
    }
    const pgid = child.pid; // its own process group: the unit we signal
    const splitters = {
      stdout: new LineSplitter((text, continues) =>
        context.onLog({ stream: 'stdout', at: new Date(), text, ...(continues && { continues }) }),
      ),
      stderr: new LineSplitter((text, continues) =>
        context.onLog({ stream: 'stderr', at: new Date(), text, ...(continues && { continues }) }),
      ),
    };
    child.stdout.on('data', (chunk: Buffer) => splitters.stdout.write(chunk));
    child.stderr.on('data', (chunk: Buffer) => splitters.stderr.write(chunk));

    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      const graceMs = killGraceFor(context.signal, this.#options.killGraceMs);
      if (graceMs === 0) {
        signalProcessGroup(pgid, 'SIGKILL');
        return;
      }
      signalProcessGroup(pgid, 'SIGTERM');
      killTimer = setTimeout(() => signalProcessGroup(pgid, 'SIGKILL'), graceMs);
    };
    context.signal.addEventListener('abort', onAbort, { once: true });
    // Aborted while it was being started: stop it now that it runs.
    if (context.signal.aborted) onAbort();

    let pipeTimer: NodeJS.Timeout | undefined;
    void child.exited.then(() => {
      // The script is done; anything it left running in its group goes with it. Its output
      // pipes close once the last holder is gone; a process that left the group (setsid)
      // can keep them open, and the attempt does not wait for it beyond a short while.
      if (processGroupAlive(pgid)) signalProcessGroup(pgid, 'SIGKILL');
      pipeTimer = setTimeout(() => child.abandonOutput(), PIPE_CLOSE_WAIT_MS);
    });
    const { code, signal, error } = await child.closed;
    clearTimeout(killTimer);
    clearTimeout(pipeTimer);
    context.signal.removeEventListener('abort', onAbort);
    splitters.stdout.flush();
    splitters.stderr.flush();
    if (error) return { status: 'failed', exitCode: null, error };
    const exitCode = code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : null);
    return {
      status: code === 0 && !context.signal.aborted ? 'succeeded' : 'failed',
      exitCode,
      ...(code === 0 ? {} : { error: signal ? `killed by ${signal}` : `exited with code ${code}` }),
      ...(signal ? { result: { signal } } : {}),
    };
  }
}

/**
 * Makes the SDK importable from the script's directory: `require`/`import 'cronium'` finds
 * node_modules/cronium there, and Python has the script's directory on sys.path.
 */
function sdkLinks(sdkDir: string): Pick<WorkDirPlan, 'dirs' | 'links'> {
  return {
    dirs: ['node_modules'],
    links: [
      { name: 'node_modules/cronium', target: join(sdkDir, 'node', 'cronium') },
      { name: 'cronium.py', target: join(sdkDir, 'python', 'cronium.py') },
    ],
  };
}
