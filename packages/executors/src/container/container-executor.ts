import { basename, dirname } from 'node:path';
import { PassThrough } from 'node:stream';
import { SDK_DIR } from '@cronium/sdk';
import type Dockerode from 'dockerode';
import {
  killGraceFor,
  type ExecutionContext,
  type ExecutionRequest,
  type ExecutionResult,
  type Executor,
} from '../executor.ts';
import { LineSplitter } from '../line-splitter.ts';
import { CreateRequestRefused, guardCreateRequest, type SandboxCaps } from './create-guard.ts';
import {
  CONTAINER_RUNTIME_DIR,
  CONTAINER_SDK_DIR,
  hardenedCreateRequest,
  type SandboxLimits,
} from './hardened-create-request.ts';
import { ensureImage } from './ensure-image.ts';
import { explainStartError, scriptCommand } from './script-command.ts';
import type { ScriptType } from '@cronium/contracts';

export const CONTAINER_LABELS = {
  installation: 'cronium.installation',
  runId: 'cronium.run-id',
  attempt: 'cronium.attempt',
  orchestrator: 'cronium.orchestrator',
} as const;

export interface ContainerExecutorOptions {
  docker: Dockerode;
  /** Default image per language when the event names none. */
  images: Record<ScriptType, string>;
  caps: SandboxCaps;
  /** Limits for events that ask for none. */
  limits: SandboxLimits;
  /** The network events with `network_enabled` join (one of caps.allowedNetworks); none if unset. */
  network?: string;
  /**
   * Whether the attempt's event may join `network` (its owner is an admin when it runs): a
   * container network is not under the egress policy. Without it, no event may.
   */
  mayUseNetwork?: (request: ExecutionRequest) => Promise<boolean>;
  /** Numeric uid:gid scripts run as. */
  user: string;
  orchestratorId: string;
  /** Which Cronium installation the containers belong to (several may share an engine). */
  installationId: string;
  killGraceMs: number;
  /** The SDK directory to mount (default: the installed SDK's own directory). */
  sdkDir?: string;
  /**
   * A path of this process as the Docker engine's host sees it, for bind mounts (see
   * host-paths.ts). Default: the same path, as when the orchestrator is not in a container.
   */
  hostPath?: (path: string) => string;
}

/**
 * Runs each attempt in a fresh, hardened container (see hardened-create-request.ts), checked
 * by the create guard before Docker sees it. Output is demultiplexed into stdout/stderr lines
 * as it happens; the exit code, an OOM kill and a timeout are reported as such; cancel and
 * timeout stop the container (SIGTERM, then SIGKILL after the grace); the container is always
 * removed. Every container carries the run id, attempt and orchestrator as labels, for the
 * orphan reaper.
 */
export class ContainerExecutor implements Executor {
  readonly kind = 'container';
  readonly #o: ContainerExecutorOptions;

  #hostPath(path: string): string {
    return this.#o.hostPath ? this.#o.hostPath(path) : path;
  }

  constructor(options: ContainerExecutorOptions) {
    this.#o = options;
  }

  async run(request: ExecutionRequest, context: ExecutionContext): Promise<ExecutionResult> {
    const type = request.type;
    if ((type !== 'bash' && type !== 'python' && type !== 'node') || request.script === null) {
      return {
        status: 'failed',
        exitCode: null,
        error: `the container executor runs bash, python and node scripts, not ${type}`,
      };
    }
    const sandbox = this.#sandboxFor(request);
    if ('error' in sandbox) return { status: 'failed', exitCode: null, error: sandbox.error };
    if (sandbox.network !== 'none' && !(await this.#o.mayUseNetwork?.(request)))
      return {
        status: 'failed',
        exitCode: null,
        error:
          "only an admin's container events may use the container network (it is not under the egress policy)",
      };
    const image = request.image || this.#o.images[type];
    const available = await ensureImage(this.#o.docker, image, { signal: context.signal });
    if (!available.ok) return { status: 'failed', exitCode: null, error: available.error };

    const command = scriptCommand(type, image, {
      script: request.script,
      sdk: request.runtime !== undefined,
    });
    const createRequest = hardenedCreateRequest({
      image,
      cmd: command.cmd,
      // The image's own PATH applies inside the container, not the orchestrator's.
      env: {
        ...Object.fromEntries(Object.entries(request.env).filter(([name]) => name !== 'PATH')),
        ...runtimeEnv(request),
      },
      labels: {
        [CONTAINER_LABELS.installation]: this.#o.installationId,
        [CONTAINER_LABELS.runId]: String(request.runId),
        [CONTAINER_LABELS.attempt]: String(request.attempt),
        [CONTAINER_LABELS.orchestrator]: this.#o.orchestratorId,
      },
      limits: sandbox.limits,
      user: this.#o.user,
      network: sandbox.network,
      ...(request.runtime
        ? {
            sdkDir: this.#hostPath(this.#o.sdkDir ?? SDK_DIR),
            ...(request.runtime.socketPath
              ? { runtimeSocketDir: this.#hostPath(dirname(request.runtime.socketPath)) }
              : {}),
          }
        : {}),
    });
    try {
      guardCreateRequest(createRequest, this.#o.caps);
    } catch (error) {
      if (error instanceof CreateRequestRefused)
        return { status: 'failed', exitCode: null, error: error.message };
      throw error;
    }
    if (context.signal.aborted)
      return {
        status: 'failed',
        exitCode: null,
        error: `aborted before start (${String(context.signal.reason)})`,
      };

    const container = await this.#o.docker.createContainer(
      createRequest as Dockerode.ContainerCreateOptions,
    );
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    let stream: NodeJS.ReadWriteStream | undefined;
    const onAbort = () => {
      aborted = true;
      const graceMs = killGraceFor(context.signal, this.#o.killGraceMs);
      container.kill({ signal: graceMs === 0 ? 'SIGKILL' : 'SIGTERM' }).catch(() => undefined);
      if (graceMs > 0)
        killTimer = setTimeout(
          () => container.kill({ signal: 'SIGKILL' }).catch(() => undefined),
          graceMs,
        );
    };
    context.signal.addEventListener('abort', onAbort, { once: true });
    try {
      stream = await container.attach({
        stream: true,
        stdin: true,
        stdout: true,
        stderr: true,
        hijack: true,
      });
      const attached = stream;
      // The first line on stderr tells a missing program (see script-command.ts) apart.
      let firstStderrLine: string | undefined;
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const splitters = {
        stdout: new LineSplitter((text, continues) =>
          context.onLog({
            stream: 'stdout',
            at: new Date(),
            text,
            ...(continues && { continues }),
          }),
        ),
        stderr: new LineSplitter((text, continues) => {
          firstStderrLine ??= text;
          context.onLog({
            stream: 'stderr',
            at: new Date(),
            text,
            ...(continues && { continues }),
          });
        }),
      };
      stdout.on('data', (chunk: Buffer) => splitters.stdout.write(chunk));
      stderr.on('data', (chunk: Buffer) => splitters.stderr.write(chunk));
      container.modem.demuxStream(attached, stdout, stderr);
      const streamEnded = new Promise<void>((resolve) => {
        attached.once('end', resolve);
        attached.once('close', resolve);
        attached.once('error', () => resolve());
      });
      if (context.signal.aborted) {
        return {
          status: 'failed',
          exitCode: null,
          error: `aborted before start (${String(context.signal.reason)})`,
        };
      }
      try {
        await container.start();
      } catch (error) {
        const reason = explainStartError(image, error);
        if (reason) return { status: 'failed', exitCode: null, error: reason };
        throw error;
      }
      attached.end(request.script);
      // An abort that came while the container was starting is applied now that it runs.
      if (context.signal.aborted && !aborted) onAbort();
      const waited = (await container.wait()) as { StatusCode: number };
      await Promise.race([streamEnded, new Promise((r) => setTimeout(r, 2_000))]);
      splitters.stdout.flush();
      splitters.stderr.flush();
      const state = (await container.inspect()).State;
      const exitCode = waited.StatusCode;
      if (state.OOMKilled && exitCode !== 0) {
        return {
          status: 'failed',
          exitCode,
          error: `killed: out of memory (limit ${Math.round(sandbox.limits.memoryBytes / 2 ** 20)} MiB)`,
          result: { oomKilled: true },
        };
      }
      if (exitCode === 0 && !context.signal.aborted) return { status: 'succeeded', exitCode: 0 };
      return {
        status: 'failed',
        exitCode,
        error: command.explain(exitCode, firstStderrLine) ?? `exited with code ${exitCode}`,
      };
    } finally {
      clearTimeout(killTimer);
      context.signal.removeEventListener('abort', onAbort);
      (stream as { destroy?: () => void } | undefined)?.destroy?.();
      await container.remove({ force: true }).catch(() => undefined);
    }
  }

  /** The event's own limits, each within the administrator's caps, or the defaults. */
  #sandboxFor(
    request: ExecutionRequest,
  ): { limits: SandboxLimits; network: string } | { error: string } {
    const asked = request.sandbox;
    const MiB = 2 ** 20;
    const limits: SandboxLimits = {
      memoryBytes: asked?.memoryMb ? asked.memoryMb * MiB : this.#o.limits.memoryBytes,
      nanoCpus: asked?.cpuMillis ? asked.cpuMillis * 1e6 : this.#o.limits.nanoCpus,
      pids: asked?.pids ?? this.#o.limits.pids,
      tmpfsBytes: this.#o.limits.tmpfsBytes,
    };
    const caps = this.#o.caps;
    if (limits.memoryBytes > caps.maxMemoryBytes) {
      return {
        error: `the event asks for ${asked?.memoryMb} MB of memory; the administrator allows at most ${caps.maxMemoryBytes / MiB} MB`,
      };
    }
    if (limits.nanoCpus > caps.maxNanoCpus) {
      return {
        error: `the event asks for ${asked?.cpuMillis} millicpus; the administrator allows at most ${caps.maxNanoCpus / 1e6}`,
      };
    }
    if (limits.pids > caps.maxPids) {
      return {
        error: `the event asks for ${asked?.pids} processes; the administrator allows at most ${caps.maxPids}`,
      };
    }
    if (asked?.network && !this.#o.network) {
      return {
        error:
          'the event asks for network access, and no container network is configured (CONTAINER_NETWORK)',
      };
    }
    return { limits, network: asked?.network ? this.#o.network! : 'none' };
  }
}

/**
 * What a container script needs to find the runtime API and the SDK: the socket when the
 * runtime API has one (it works with network `none`), else the loopback URL (only reachable
 * with a network that can see it).
 */
function runtimeEnv(request: ExecutionRequest): Record<string, string> {
  if (!request.runtime) return {};
  return {
    CRONIUM_API_URL: request.runtime.socketPath
      ? `unix://${CONTAINER_RUNTIME_DIR}/${basename(request.runtime.socketPath)}`
      : request.runtime.apiUrl,
    CRONIUM_RUN_TOKEN: request.runtime.token(),
    BASH_ENV: `${CONTAINER_SDK_DIR}/bash/cronium.sh`,
    PYTHONPATH: `${CONTAINER_SDK_DIR}/python`,
  };
}
