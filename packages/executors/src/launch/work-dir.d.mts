/** A script's private working directory, as the launchers make it. */
export interface WorkDirPlan {
  /** The directory to create (it must not exist yet); made 0700. */
  path: string;
  /** Folders inside it, made first. */
  dirs?: string[];
  files?: { name: string; content: string; mode?: number }[];
  /** Symbolic links inside it, to `target`. */
  links?: { name: string; target: string }[];
}

/** The unprivileged uid/gid a script runs as (no supplementary groups). */
export interface ScriptUser {
  uid: number;
  gid: number;
}

export function makeWorkDir(plan: WorkDirPlan, user?: ScriptUser): Promise<void>;
export function removeWorkDir(path: string): Promise<void>;
