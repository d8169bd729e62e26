// Bookkeeping of the script users a launcher runs processes as, and the cleanup after them.
// Shared by both launchers (plain JavaScript so the launch helper can use it).
//
// A script can leave its process group (setsid, a double fork) and so escape the group kill.
// Where no PID namespace ends it (bubblewrap), what is left of an owner's uid is killed with
// `kill -9 -1` run as that uid, once none of that owner's scripts is running in this launcher
// any more; a new script of that owner waits for that cleanup. Until then, a finished script's
// directory is removed as its own uid (the owner's other scripts could race a removal by this
// privileged process with symlinks); what that leaves, and the directories of the last one,
// are removed by this process after the kill, when no process of the uid is left to race it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { removeWorkDir } from './work-dir.mjs';

const KILL_ALL = ['-c', 'kill -9 -1 2>/dev/null; exit 0'];

function runAs(user, file, args) {
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      uid: user.uid,
      gid: user.gid,
      env: {},
      cwd: '/',
      stdio: 'ignore',
    });
    child.once('error', () => resolve());
    child.once('close', () => resolve());
  });
}

/** Kills every process of the uid (blocking; for a launcher that is going away). */
export function killUserProcessesSync(user) {
  spawnSync('/bin/sh', KILL_ALL, {
    uid: user.uid,
    gid: user.gid,
    env: {},
    cwd: '/',
    stdio: 'ignore',
  });
}

export class ScriptUsers {
  /** uid -> { user, count }: scripts running */
  #running = new Map();
  /** uid -> the cleanup in progress */
  #cleaning = new Map();
  /** uid -> directories left for the final cleanup */
  #leftovers = new Map();

  /** Before a script of this user starts: waits for a cleanup of its uid to finish. */
  async begin(user) {
    while (this.#cleaning.has(user.uid)) await this.#cleaning.get(user.uid);
    const entry = this.#running.get(user.uid) ?? { user, count: 0 };
    entry.count += 1;
    this.#running.set(user.uid, entry);
  }

  /** A script started with `begin` has ended (or never started): its directory goes. */
  async end(user, workDir) {
    const entry = this.#running.get(user.uid) ?? { user, count: 1 };
    entry.count -= 1;
    if (entry.count > 0) {
      await runAs(user, '/bin/rm', ['-rf', '--', workDir]);
      if (existsSync(workDir))
        this.#leftovers.set(user.uid, [...(this.#leftovers.get(user.uid) ?? []), workDir]);
      return;
    }
    this.#running.delete(user.uid);
    const dirs = [...(this.#leftovers.get(user.uid) ?? []), workDir];
    this.#leftovers.delete(user.uid);
    const cleanup = (async () => {
      await runAs(user, '/bin/sh', KILL_ALL);
      for (const dir of dirs) await removeWorkDir(dir);
    })();
    this.#cleaning.set(user.uid, cleanup);
    await cleanup;
    this.#cleaning.delete(user.uid);
  }

  /** The launcher is going away: every script user's processes are killed, directories removed. */
  endAllSync(removeSync) {
    for (const { user } of this.#running.values()) killUserProcessesSync(user);
    for (const dirs of this.#leftovers.values()) for (const dir of dirs) removeSync(dir);
  }
}
