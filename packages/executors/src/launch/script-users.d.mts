import type { ScriptUser } from './work-dir.mjs';

/** Kills every process of the uid (blocking; for a launcher that is going away). */
export function killUserProcessesSync(user: ScriptUser): void;

/** Which script users have scripts running, and the cleanup after each (see script-users.mjs). */
export class ScriptUsers {
  begin(user: ScriptUser): Promise<void>;
  end(user: ScriptUser, workDir: string): Promise<void>;
  endAllSync(removeSync: (dir: string) => void): void;
}
