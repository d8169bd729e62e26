import type { EventType, LogStream, ToolKind } from '@cronium/contracts';
import type { DestinationCheck } from '@cronium/egress';
import type { SshServer } from './ssh/ssh-server.ts';

/**
 * The egress check for an attempt: the egress policy for the event's owner as they are when
 * the attempt runs. Executors that connect somewhere for a user (HTTP, SSH) connect only
 * through it.
 */
export type EgressFor = (
  request: Pick<ExecutionRequest, 'runId' | 'attempt' | 'eventId'>,
) => Promise<DestinationCheck>;

/** What an executor is given for one attempt. */
export interface ExecutionRequest {
  runId: number;
  attempt: number;
  eventId: number;
  /** The event's owner (local scripts run as a uid of their owner's where users are switched). */
  ownerId?: number;
  type: EventType;
  script: string | null;
  http: {
    method: string;
    url: string;
    headers: Record<string, string>;
    body: string | null;
  } | null;
  /** A `tool` event's action: the kind, its credential (decrypted) and params (templates). */
  tool?: { kind: ToolKind; credential: unknown; params: Record<string, unknown> } | null;
  /** What a tool action's templates read of the run. */
  context?: {
    eventName: string;
    input: unknown;
    variables: Record<string, string>;
  };
  /** The event's own image (container target); the executor's per-language default otherwise. */
  image?: string | null;
  /** What the event asks of a sandbox (container target); unset means the defaults. */
  sandbox?: {
    memoryMb: number | null;
    cpuMillis: number | null;
    pids: number | null;
    network: boolean;
  };
  /** Environment for the script: the event's env plus what Cronium injects. */
  env: Record<string, string>;
  /** The servers an SSH event runs on, credentials decrypted (ssh target only). */
  servers?: SshServer[];
  /** How the script reaches the runtime API; unset, the SDK is not offered. */
  runtime?: RuntimeAccess;
}

/** The runtime API as each executor hands it to a script. */
export interface RuntimeAccess {
  /** Loopback URL of the runtime API on the orchestrator's machine (local runs, SSH forwards). */
  apiUrl: string;
  /** Host path of the runtime API's unix socket (containers without a network); null when off. */
  socketPath: string | null;
  /** The attempt's token (for an SSH run, the token of that server). */
  token(serverId?: number): string;
}

export interface ExecutionLogLine {
  stream: LogStream;
  at: Date;
  text: string;
  /** The server the line came from, for runs on several servers. */
  serverId?: number;
  /** A piece of a line too long to store as one: the next line of this stream goes on with it. */
  continues?: boolean;
}

/** Where one server of a multi-server run stands. */
export interface TargetOutcome {
  serverId: number;
  serverName: string;
  status: 'running' | 'succeeded' | 'failed' | 'timed_out' | 'cancelled';
  exitCode: number | null;
  error?: string;
  startedAt: Date;
  finishedAt: Date | null;
}

export interface ExecutionContext {
  /** Aborted on cancel, timeout or shutdown; `signal.reason` says which. */
  signal: AbortSignal;
  onLog(line: ExecutionLogLine): void;
  /** A server of the run started or finished (SSH runs). */
  onTarget?(target: TargetOutcome): void;
}

export interface ExecutionResult {
  /** `partial`: some of a multi-server run's servers succeeded, others did not. */
  status: 'succeeded' | 'failed' | 'partial';
  exitCode: number | null;
  error?: string;
  /** Backend-specific details: HTTP status/headers/body, the signal that ended a process... */
  result?: Record<string, unknown>;
  /** Trying again cannot help (a service refused the request as it is): no retry. */
  noRetry?: boolean;
  /** The service asked to be left alone this long (Retry-After): the retry waits for it. */
  retryAfterMs?: number;
}

/**
 * One interface for every backend (local process, HTTP, and later container and SSH).
 * `run` resolves when the attempt is over, also after an abort, and never leaves anything of
 * the attempt running behind it.
 */
export interface Executor {
  readonly kind: string;
  run(request: ExecutionRequest, context: ExecutionContext): Promise<ExecutionResult>;
}

/**
 * Why an attempt's signal was aborted. `lease_lost`: its lease was lost or could not be renewed
 * in time; `liveness_lost`: its orchestrator's liveness session was not confirmed in time.
 */
export type AbortReason = 'cancel' | 'timeout' | 'shutdown' | 'lease_lost' | 'liveness_lost';

/**
 * The time a stopped script gets between SIGTERM and SIGKILL: none when its orchestrator's
 * liveness session was lost, for a peer takes the run over a fixed time later and this copy
 * must be dead by then, not winding down.
 */
export function killGraceFor(signal: AbortSignal, graceMs: number): number {
  return signal.reason === ('liveness_lost' satisfies AbortReason) ? 0 : graceMs;
}
