// What a benchmark needs beyond Node.js and a database, checked before it is started: each
// check answers why the benchmark cannot run here, or undefined when it can.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { privateSshdAvailable } from '@cronium/executors/testing';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

export type Prerequisite = () => Promise<string | undefined>;

export const dockerEngine: Prerequisite = async () => {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 15_000 });
    return undefined;
  } catch {
    return 'no Docker engine (`docker info` failed): sudo bash .ci/provision-docker.sh';
  }
};

/** The image must be here already: pulling it would reach a registry, not only loopback. */
export function dockerImage(image: string, hint: string): Prerequisite {
  return async () => {
    const noEngine = await dockerEngine();
    if (noEngine) return noEngine;
    try {
      await run('docker', ['image', 'inspect', image], { timeout: 15_000 });
      return undefined;
    } catch {
      return `no image ${image}: ${hint}`;
    }
  };
}

export const sshd: Prerequisite = async () =>
  privateSshdAvailable()
    ? undefined
    : 'needs root, /usr/sbin/sshd and the cronium-ssh login: sudo bash .ci/provision-sshd.sh';

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

const WEB_NOT_BUILT = 'the web app is not built: pnpm --filter @cronium/web build';

/** The production build of the web app (its pages and their JavaScript). */
export const webBuild: Prerequisite = async () =>
  existsSync(`${root}/apps/web/.next/BUILD_ID`) ? undefined : WEB_NOT_BUILT;

/** The web app built, and Debian's Chromium for playwright-core (it downloads no browser). */
export const webBuildAndChromium: Prerequisite = async () => {
  const chromium = process.env.CRONIUM_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromium))
    return `no Chromium at ${chromium} (set CRONIUM_CHROMIUM): sudo apt-get install chromium`;
  return webBuild();
};

/** The stack as `npm start` runs it: its fixed ports free, the web app built. */
export const wholeStack: Prerequisite = async () => {
  for (const port of [3000, 3001, 3002, 3003, 54329])
    if (!(await portFree(port)))
      return `port ${port} is in use (the stack listens on 3000-3003 and 54329)`;
  return webBuild();
};

export function gitCommit(commit: string): Prerequisite {
  return async () => {
    try {
      await run('git', ['-C', root, 'cat-file', '-e', `${commit}^{commit}`]);
      return undefined;
    } catch {
      return `commit ${commit} (the masker compared with) is not in this clone`;
    }
  };
}
