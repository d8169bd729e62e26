import type { ClientChannel, SFTPWrapper } from 'ssh2';
import type { DestinationCheck } from '@cronium/egress';
import {
  killGraceFor,
  type EgressFor,
  type ExecutionContext,
  type ExecutionRequest,
  type ExecutionResult,
  type Executor,
  type TargetOutcome,
} from '../executor.ts';
import { sdkFiles } from '@cronium/sdk';
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
  shellQuote,
} from './remote-script.ts';
import { describeServer, type SshServer } from './ssh-server.ts';
import type { ScriptType } from '@cronium/contracts';

export interface SshExecutorOptions {
  pool: SshConnectionPool;
  /** Connections go only where the egress policy allows the event's owner. */
  egress: EgressFor;
  /** Between SIGTERM and SIGKILL of the remote process group when an attempt is aborted. */
  killGraceMs?: number;
}

/** How long to wait for the script's channel to close after its group was killed. */
const CLOSE_AFTER_KILL_MS = 5_000;

/**
 * Runs a script on every server of the event, in parallel, over pooled SSH connections:
 * uploads it (with SFTP, or through the shell where the server has no SFTP) into a fresh 0700
 * directory, starts it in a session of its own, and
 * streams its output as it comes, each line tagged with its server. Abort (cancel, timeout,
 * shutdown) kills the remote process group, not only the channel. One server's outcome is
 * the run's; with several, all succeeded is `succeeded`, none is `failed`, and a mix is
 * `partial`. Each server's own status, exit code and error are reported via `onTarget`.
 */
export class SshExecutor implements Executor {
  readonly kind = 'ssh';
  readonly #pool: SshConnectionPool;
  readonly #killGraceMs: number;
  readonly #egress: EgressFor;

  constructor(options: SshExecutorOptions) {
    this.#pool = options.pool;
    this.#egress = options.egress;
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
    const destination = await this.#egress(request);
    const outcomes = await Promise.all(
      servers.map((server) => this.#runOn(server, destination, request, type, context)),
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
      // The first failed server's exit code; null when none of them got to run the script.
      exitCode:
        failedOn.length === 0 ? 0 : (failedOn.find((o) => o.exitCode !== null)?.exitCode ?? null),
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
    destination: DestinationCheck,
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
      outcome = await this.#execute(server, destination, request, type, context, system);
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
    destination: DestinationCheck,
    request: ExecutionRequest,
    type: ScriptType,
    context: ExecutionContext,
    system: (text: string) => void,
  ): Promise<Pick<TargetOutcome, 'status' | 'exitCode' | 'error'>> {
    const lease = await this.#pool.acquire(server, destination, context.signal);
    const dir = remoteRunDir(request.runId, request.attempt);
    let launched = false;
    let forward: { port: number; close(): Promise<void> } | undefined;
    try {
      let runtimeEnv: Record<string, string> = {};
      if (request.runtime) {
        // The runtime API on the script's side: a per-run port on the server's loopback,
        // carried back over this run's own connection.
        const api = new URL(request.runtime.apiUrl);
        try {
          forward = await lease.forwardToLocal({
            host: api.hostname.replace(/^\[|\]$/g, ''),
            port: Number(api.port || 80),
          });
          runtimeEnv = {
            CRONIUM_API_URL: `http://127.0.0.1:${forward.port}`,
            CRONIUM_RUN_TOKEN: request.runtime.token(server.id),
          };
        } catch (error) {
          // The script still runs; only the SDK cannot reach Cronium (it says so if used).
          system(
            `the runtime API is not available to this run: ${(error as Error).message} (AllowTcpForwarding on the server?)`,
          );
        }
      }
      const env = environmentFile({ ...request.env, ...runtimeEnv });
      if (env.skipped.length > 0)
        system(`not passed to the script (not valid shell names): ${env.skipped.join(', ')}`);
      await upload(lease, dir, [
        { path: 'env', content: env.content },
        { path: REMOTE_SCRIPT_FILES[type], content: request.script ?? '' },
        ...(request.runtime ? sdkFiles() : []),
      ]);
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
      return code === 0
        ? { status: 'succeeded', exitCode: 0 }
        : { status: 'failed', exitCode: code, error: `exit code ${code}` };
    } finally {
      await forward?.close().catch(() => {});
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
        const out = new LineSplitter((text, continues) =>
          context.onLog({
            stream: 'stdout',
            at: new Date(),
            text,
            serverId,
            ...(continues && { continues }),
          }),
        );
        const err = new LineSplitter((text, continues) =>
          context.onLog({
            stream: 'stderr',
            at: new Date(),
            text,
            serverId,
            ...(continues && { continues }),
          }),
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
          void exec(lease, killCommand(dir, killGraceFor(context.signal, this.#killGraceMs)))
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

/**
 * Uploads files (relative paths, sub-directories made as needed) into a new 0700 `dir`: over
 * SFTP, or, on a server without the SFTP subsystem, through the shell.
 */
async function upload(
  lease: SshLease,
  dir: string,
  files: { path: string; content: string | Buffer }[],
): Promise<void> {
  let sftp: SFTPWrapper;
  try {
    sftp = await lease.sftp();
  } catch {
    // "Unable to start subsystem: sftp": servers may turn SFTP off; a shell is all a run needs.
    return uploadThroughShell(lease, dir, files);
  }
  const call = (what: string, op: (done: (error?: Error | null) => void) => void) =>
    new Promise<void>((resolve, reject) =>
      op((error) =>
        error
          ? reject(new Error(`cannot upload the script (${what}): ${error.message}`))
          : resolve(),
      ),
    );
  const mkdir = (path: string) =>
    call(`mkdir ${path}`, (done) => sftp.mkdir(path, { mode: 0o700 }, done));
  try {
    await mkdir(dir);
  } catch {
    // First run on this login: make the base (it may exist), then the run's own directory.
    await mkdir('.cronium').catch(() => {});
    await mkdir(REMOTE_RUNS_DIR).catch(() => {});
    await mkdir(dir);
  }
  const subdirs = [...new Set(files.flatMap((f) => parentsOf(f.path)))];
  for (const sub of subdirs) await mkdir(`${dir}/${sub}`);
  await Promise.all(
    files.map((file) =>
      call(file.path, (done) =>
        sftp.writeFile(`${dir}/${file.path}`, file.content, { mode: 0o600 }, done),
      ),
    ),
  );
}

/**
 * The same upload with `mkdir` and `cat > file` (the content on the command's stdin), one
 * file at a time so that a run never holds more than one extra channel. umask 077 gives the
 * directories 0700 and the files 0600, as over SFTP.
 */
async function uploadThroughShell(
  lease: SshLease,
  dir: string,
  files: { path: string; content: string | Buffer }[],
): Promise<void> {
  const subdirs = [...new Set(files.flatMap((f) => parentsOf(f.path)))];
  const mkdirs = [
    'umask 077',
    `mkdir -p ${shellQuote(REMOTE_RUNS_DIR)}`,
    `mkdir ${shellQuote(dir)}`,
    ...subdirs.map((sub) => `mkdir ${shellQuote(`${dir}/${sub}`)}`),
  ].join(' && ');
  const made = await execWithInput(lease, mkdirs, null);
  if (made.code !== 0)
    throw new Error(
      `cannot upload the script (mkdir ${dir}, no SFTP): ${made.stderr || `exit code ${made.code}`}`,
    );
  for (const file of files) {
    const target = `${dir}/${file.path}`;
    const wrote = await execWithInput(
      lease,
      `umask 077 && cat > ${shellQuote(target)}`,
      file.content,
    );
    if (wrote.code !== 0)
      throw new Error(
        `cannot upload the script (${file.path}, no SFTP): ${wrote.stderr || `exit code ${wrote.code}`}`,
      );
  }
}

/** Runs a command with `input` on its stdin (then EOF); its exit code and some of its stderr. */
function execWithInput(
  lease: SshLease,
  command: string,
  input: string | Buffer | null,
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    lease.client.exec(command, (error, channel: ClientChannel) => {
      if (error) return reject(new Error(`cannot upload the script: ${error.message}`));
      let code: number | null = null;
      let stderr = '';
      channel.on('exit', (exitCode: number | null) => (code = exitCode));
      channel.on('data', () => {});
      channel.stderr.on('data', (chunk: Buffer) => {
        if (stderr.length < 1000) stderr += chunk.toString('utf8');
      });
      channel.once('close', () => resolve({ code, stderr: stderr.trim().slice(0, 1000) }));
      channel.end(input ?? undefined);
    });
  });
}

/** `a/b/c.js` -> [`a`, `a/b`]. */
function parentsOf(path: string): string[] {
  const parts = path.split('/').slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
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
