import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The installation's data directory when CRONIUM_DATA_DIR is unset: `data/` at the root of
 * the Cronium checkout (found by its pnpm-workspace.yaml), so that every process agrees on it
 * whatever directory it was started from (turbo runs each app in its own folder); outside a
 * checkout, `data/` under the working directory.
 */
export function defaultDataDir(cwd: string): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return join(dir, 'data');
    if (dirname(dir) === dir) return join(resolve(cwd), 'data');
  }
}

/** Where the runtime API's unix socket is unless RUNTIME_API_SOCKET says otherwise. */
export function defaultRuntimeApiSocket(dataDir: string): string {
  return `${dataDir.replace(/\/$/, '')}/run/runtime-api.sock`;
}
