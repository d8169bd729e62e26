import type { ClientChannel } from 'ssh2';
import type {
  ExecutionContext,
  ExecutionRequest,
  ExecutionResult,
  Executor,
  TargetOutcome,
} from '../executor.ts';
import { LineSplitter } from '../line-splitter.ts';
import type { SshConnectionPool, SshLease } from './ssh-connection-pool.ts';
import {
  REMOTE_INTERPRETERS,
  REMOTE_RUNS_DIR,
  REMOTE_SCRIPT_FILES,
  environmentFile,
  killCommand,
  launchCommand,
  remoteRunDir,
  removeDirCommand,
} from './remote-script.ts';
import { describeServer, type SshServer } from './ssh-server.ts';

export interface SshExecutorOptions {
  pool: SshConnectionPool;
  /** Between SIGTERM and SIGKILL of the remote process group when an attempt is aborted. */
  killGraceMs?: number;
}

type ScriptType = 'bash' | 'python' | 'node';

/** How long to wait for the script's channel to close after its group was killed. */
const CLOSE_AFTER_KILL_MS = 5_000;

/**
 * Runs a script on every server of the event, in parallel, over pooled SSH connections:
 * uploads it with SFTP into a fresh 0700 directory, starts it in a session of its own, and
 * streams its output as it comes, each line tagged with its server. Abort (cancel, timeout,
 * shutdown) kills the remote process group, not only the channel. One server's outcome is
 * the run's; with several, all succeeded is `succeeded`, none is `failed`, and a mix is
 * `partial`. Each server's own status, exit code and error are reported via `onTarget`.
 */
export class SshExecutor implements Executor {
  readonly kind = 'ssh';
  readonly #pool: SshConnectionPool;
  readonly #killGraceMs: number;

  constructor(options: SshExecutorOptions) {
    this.#pool = options.pool;
    this.#killGraceMs = options.killGraceMs ?? 5_000;
  }

  async run(request: ExecutionRequest, context: ExecutionContext): Promise<ExecutionResult> {
    const servers = request.servers ?? [];
    if (servers.length === 0)
      return { status: 'failed', exitCode: null, error: 'the event has no servers to run on' };
    if (request.type !== 'bash' && request.type !== 'python' && request.type !== 'node')
      return {
        status: 'failed',
        exitCode: null,
        error: `${request.type} events do not run over SSH`,
      };
    const type = request.type;
    const outcomes = await Promise.all(
      servers.map((server) => this.#runOn(server, request, type, context)),
    );
    if (servers.length === 1) {
      const only = outcomes[0]!;
      return {
        status: only.status === 'succeeded' ? 'succeeded' : 'failed',
        exitCode: only.exitCode,
        ...(only.error ? { error: only.error } : {}),
        result: { targets: outcomes },
      };
    }
    const succeeded = outcomes.filter((o) => o.status === 'succeeded').length;
    const failedOn = outcomes.filter((o) => o.status !== 'succeeded');
    return {
      status: succeeded === outcomes.length ? 'succeeded' : succeeded === 0 ? 'failed' : 'partial',
      exitCode: failedOn[0]?.exitCode ?? 0,
      ...(failedOn.length > 0
        ? {
            error: `${failedOn.length} of ${outcomes.length} servers failed: ${failedOn
              .map((o) => `${o.serverName}: ${o.error ?? `exit code ${o.exitCode}`}`)
              .join('; ')}`,
          }
        : {}),
      result: { targets: outcomes },
    };
  }

  async #runOn(
    server: SshServer,
    request: ExecutionRequest,
    type: ScriptType,
    context: ExecutionContext,
  ): Promise<TargetOutcome> {
    const startedAt = new Date();
    const base = { serverId: server.id, serverName: server.name, startedAt };
    context.onTarget?.({ ...base, status: 'running', exitCode: null, finishedAt: null });
    const system = (text: string) =>
      context.onLog({ stream: 'system', at: new Date(), text, serverId: server.id });
    let outcome: Omit<TargetOutcome, keyof typeof base | 'finishedAt'>;
    try {
      outcome = await this.#execute(server, request, type, context, system);
    } catch (error) {
      outcome = { status: 'failed', exitCode: null, error: (error as Error).message };
    }
    if (context.signal.aborted && outcome.status !== 'succeeded')
      outcome = {
        ...outcome,
        status: context.signal.reason === 'timeout' ? 'timed_out' : 'cancelled',
      };
    const finished: TargetOutcome = { ...base, ...outcome, finishedAt: new Date() };
    if (finished.error) system(`${describeServer(server)}: ${finished.error}`);
    context.onTarget?.(finished);
    return finished;
  }

  async #execute(
    server: SshServer,
    request: ExecutionRequest,
    type: ScriptType,
    context: ExecutionContext,
    system: (text: string) => void,
  ): Promise<Pick<TargetOutcome, 'status' | 'exitCode' | 'error'>> {
    const lease = await this.#pool.acquire(server, context.signal);
    const dir = remoteRunDir(request.runId, request.attempt);
    let launched = false;
    try {
      const env = environmentFile(request.env);
      if (env.skipped.length > 0)
        system(`not passed to the script (not valid shell names): ${env.skipped.join(', ')}`);
      await upload(lease, dir, REMOTE_SCRIPT_FILES[type], request.script ?? '', env.content);
      context.signal.throwIfAborted();
      launched = true;
      const { code, signal } = await this.#stream(
        lease,
        launchCommand(dir, REMOTE_INTERPRETERS[type], REMOTE_SCRIPT_FILES[type]),
        dir,
        server.id,
        context,
      );
      if (code === null)
        return {
          status: 'failed',
          exitCode: null,
          error: signal
            ? `the remote launcher was killed by ${signal}`
            : `connection lost during the run: ${lease.brokenReason ?? 'channel closed without an exit status'}`,
        };
      if (code === 97)
        return { status: 'failed', exitCode: code, error: 'the remote launcher failed' };
      return code === 0
        ? { status: 'succeeded', exitCode: 0 }
        : { status: 'failed', exitCode: code, error: `exit code ${code}` };
    } finally {
      if (!launched && !lease.broken) await exec(lease, removeDirCommand(dir)).catch(() => {});
      lease.release();
    }
  }

  /** Runs the launcher, streaming its output; on abort, kills the remote group. */
  #stream(
    lease: SshLease,
    command: string,
    dir: string,
    serverId: number,
    context: ExecutionContext,
  ): Promise<{ code: number | null; signal: string | null }> {
    return new Promise((resolve, reject) => {
      lease.client.exec(command, (error, channel) => {
        if (error) return reject(new Error(`cannot start the script: ${error.message}`));
        const out = new LineSplitter((text) =>
          context.onLog({ stream: 'stdout', at: new Date(), text, serverId }),
        );
        const err = new LineSplitter((text) =>
          context.onLog({ stream: 'stderr', at: new Date(), text, serverId }),
        );
        let code: number | null = null;
        let signal: string | null = null;
        channel.on('data', (chunk: Buffer) => out.write(chunk));
        channel.stderr.on('data', (chunk: Buffer) => err.write(chunk));
        channel.on('exit', (exitCode: number | null, exitSignal?: string) => {
          code = exitCode;
          signal = exitSignal ?? null;
        });
        let closeTimer: NodeJS.Timeout | undefined;
        const onAbort = () => {
          void exec(lease, killCommand(dir, this.#killGraceMs))
            .catch(() => {})
            .finally(() => {
              closeTimer = setTimeout(() => channel.destroy(), CLOSE_AFTER_KILL_MS);
            });
        };
        if (context.signal.aborted) onAbort();
        else context.signal.addEventListener('abort', onAbort, { once: true });
        channel.once('close', () => {
          clearTimeout(closeTimer);
          context.signal.removeEventListener('abort', onAbort);
          out.flush();
          err.flush();
          resolve({ code, signal });
        });
      });
    });
  }
}

function upload(
  lease: SshLease,
  dir: string,
  scriptFile: string,
  script: string,
  envContent: string,
): Promise<void> {
  return lease.sftp().then(
    (sftp) =>
      new Promise<void>((resolve, reject) => {
        const fail = (what: string) => (error: Error) =>
          reject(new Error(`cannot upload the script (${what}): ${error.message}`));
        const makeRunDir = (then: () => void) =>
          sftp.mkdir(dir, { mode: 0o700 }, (error) => {
            if (!error) return then();
            // First run on this login: make the base (ignoring "exists"), then try again.
            sftp.mkdir('.cronium', { mode: 0o700 }, () =>
              sftp.mkdir(REMOTE_RUNS_DIR, { mode: 0o700 }, () =>
                sftp.mkdir(dir, { mode: 0o700 }, (again) =>
                  again ? fail(`mkdir ${dir}`)(again) : then(),
                ),
              ),
            );
          });
        makeRunDir(() => {
          let pending = 2;
          const done = (what: string) => (error?: Error | null) => {
            if (error) return fail(what)(error);
            if (--pending === 0) resolve();
          };
          sftp.writeFile(`${dir}/env`, envContent, { mode: 0o600 }, done('env'));
          sftp.writeFile(`${dir}/${scriptFile}`, script, { mode: 0o600 }, done(scriptFile));
        });
      }),
  );
}

/** Runs a short command on the lease's connection; resolves with its exit code. */
function exec(lease: SshLease, command: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    lease.client.exec(command, (error, channel: ClientChannel) => {
      if (error) return reject(error);
      let code: number | null = null;
      channel.on('exit', (exitCode: number | null) => (code = exitCode));
      channel.on('data', () => {});
      channel.stderr.on('data', () => {});
      channel.once('close', () => resolve(code));
    });
  });
}
