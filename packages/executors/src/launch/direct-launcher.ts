import { spawn } from 'node:child_process';
import type {
  ExitStatus,
  LaunchedProcess,
  LaunchOptions,
  ProcessLauncher,
} from './process-launcher.ts';
import { ScriptUsers } from './script-users.mjs';
import { makeWorkDir, removeWorkDir } from './work-dir.mjs';

/**
 * Starts processes from this process. Simple, but each start forks this process, which costs
 * time in proportion to its memory (about 3.5 ms a start for an orchestrator of 130 MB on the
 * test machines) and blocks its event loop meanwhile; see `HelperProcessLauncher`.
 */
export class DirectProcessLauncher implements ProcessLauncher {
  readonly #users = new ScriptUsers();

  async launch(file: string, args: string[], options: LaunchOptions): Promise<LaunchedProcess> {
    const cwd = options.workDir.path;
    const { user } = options;
    if (user) await this.#users.begin(user);
    const finish = () => (user ? this.#users.end(user, cwd) : removeWorkDir(cwd));
    try {
      await makeWorkDir(options.workDir, user);
    } catch (error) {
      await finish();
      throw error;
    }
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, {
        cwd,
        env: options.env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(user && (options.switchUser ?? true) ? { uid: user.uid, gid: user.gid } : {}),
      });
      const status = (code: number | null, signal: NodeJS.Signals | null): ExitStatus => ({
        code,
        signal,
      });
      const exited = new Promise<ExitStatus>((done) =>
        child.once('exit', (c, s) => done(status(c, s))),
      );
      const closed = new Promise<ExitStatus>((done) =>
        child.once('close', (c, s) => void finish().then(() => done(status(c, s)))),
      );
      child.once('error', (error) => void finish().then(() => reject(error)));
      child.once('spawn', () => {
        child.removeAllListeners('error');
        resolve({
          pid: child.pid!,
          stdout: child.stdout,
          stderr: child.stderr,
          exited,
          closed,
          abandonOutput: () => {
            child.stdout.destroy();
            child.stderr.destroy();
          },
        });
      });
    });
  }

  async close(): Promise<void> {}
}
