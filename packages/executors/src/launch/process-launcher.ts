import type { Readable } from 'node:stream';
import type { ScriptUser, WorkDirPlan } from './work-dir.mjs';

export type { ScriptUser, WorkDirPlan };

/** How a process ended: its exit code, or the signal that killed it. */
export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process was lost rather than ended on its own (the launcher died). */
  error?: string;
}

/** A script's process, started in a process group of its own (the unit Cronium signals). */
export interface LaunchedProcess {
  /** Its pid, which is also its process group id. */
  readonly pid: number;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves when the process has ended. */
  readonly exited: Promise<ExitStatus>;
  /**
   * Resolves when it has ended, its output pipes are closed (all of its output read) and its
   * working directory is removed.
   */
  readonly closed: Promise<ExitStatus>;
  /** Stops waiting for output pipes that a process which left the group still holds open. */
  abandonOutput(): void;
}

export interface LaunchOptions {
  /** The process's private working directory: made before it starts, removed after `closed`. */
  workDir: WorkDirPlan;
  env: Record<string, string>;
  /**
   * The unprivileged user the script runs as: it owns the working directory, and once none of
   * its scripts runs any more in this launcher, whatever is left of its processes is killed.
   */
  user?: ScriptUser;
  /**
   * Whether the launcher switches to `user` when it starts the process (true), or the command
   * does that itself (false: bubblewrap, which must start privileged to set up its sandbox).
   */
  switchUser?: boolean;
}

/**
 * Starts script processes: detached (their own session and process group), no stdin,
 * stdout and stderr piped back, in a fresh working directory of their own. Rejects when the
 * directory cannot be made or the program cannot be started (not found, not executable), with
 * the system's reason; the directory is gone again by then.
 */
export interface ProcessLauncher {
  launch(file: string, args: string[], options: LaunchOptions): Promise<LaunchedProcess>;
  close(): Promise<void>;
}
