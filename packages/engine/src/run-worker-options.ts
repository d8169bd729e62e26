import type { SecretSet } from '@cronium/log-masking';
import type { RunEvent } from '@cronium/run-events';
import type { Db } from '@cronium/db';
import type { Logger } from '@cronium/logger';
import type { ToolKind } from '@cronium/contracts';
import type { SshServer } from '@cronium/executors';
import type { ClaimedRun, LogLine } from '@cronium/run-queue';
import type { ExecutorRegistry } from './executor-registry.ts';

export interface RunWorkerOptions {
  db: Db;
  logger: Logger;
  owner: string;
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  /** Stored log per run (over all its attempts). */
  logMaxBytes: number;
  /** Most runs of one owner running at once over all orchestrators; undefined: no cap. */
  maxRunningPerOwner?: number;
  /**
   * How long before its lease would expire an attempt that could not renew it is stopped
   * (so it is dead before any sweep can hand the run to another orchestrator): the time a
   * stopped script is given to exit, plus a margin. At most a third of the lease is used.
   */
  leaseSafetyMs?: number;
  executors: ExecutorRegistry;
  /**
   * Builds the script environment for a run (event env, its secret environment as opened by
   * `openSecretEnv`, Cronium's variables).
   */
  environmentFor: (run: ClaimedRun, secretEnv: Record<string, string>) => Record<string, string>;
  /** Decrypts an event's secret environment (needed only by events that have one). */
  openSecretEnv?: (run: ClaimedRun) => Record<string, string>;
  /** The servers an SSH event runs on, credentials decrypted. */
  serversFor?: (run: ClaimedRun) => Promise<SshServer[]>;
  /** Conditional actions were queued with an outcome written here (wake their worker). */
  onActionsQueued?: () => void;
  /** A tool event's credential, decrypted (its owner's); undefined when it is gone. */
  toolCredentialFor?: (run: ClaimedRun) => Promise<{ kind: ToolKind; config: unknown } | undefined>;
  /**
   * What else to mask in the attempt's log: the owner's secret variables (a compiled set,
   * shared by the owner's runs). Secret environment values, server credentials and tokens are
   * masked by `prepareAttempt` itself.
   */
  secretsFor?: (run: ClaimedRun, servers: SshServer[]) => Promise<(string | SecretSet)[]>;
  /** Where live viewers hear of new lines and status changes (best effort; the store rules). */
  events?: { publish(events: RunEvent[]): Promise<void> };
  /** The runtime API scripts call; unset, scripts get no token and no SDK. */
  runtime?: { apiUrl: string; socketPath: string | null; jwtSecret: string };
  /** Told of each attempt's start and stored outcome (metrics). */
  observer?: RunObserver;
  /**
   * This orchestrator's liveness session (ORCHESTRATOR_LIVENESS_MS): nothing is claimed while
   * it is not held, and once the server has not confirmed it for `stopAfterMs` every attempt is
   * stopped at once, for peers take the runs over when the session has been gone for longer.
   * The attempts stopped so are handed back to the queue when the session is back.
   */
  liveness?: {
    session: { readonly live: boolean; readonly confirmedAt: number };
    stopAfterMs: number;
  };
}

/** What a metrics collector hears from the worker; nothing here may throw into it. */
export interface RunObserver {
  /** Right after the claim (`run.queueWaitMs` says how long it waited). */
  attemptStarted?(run: ClaimedRun): void;
  /** Each batch of the attempt's log lines once stored (masked, within the cap). */
  logStored?(run: ClaimedRun, lines: readonly LogLine[]): void;
  /** `status` is the run's status once the outcome is stored (`queued` for a retry). */
  attemptFinished?(run: ClaimedRun, status: string, durationMs: number): void;
}
