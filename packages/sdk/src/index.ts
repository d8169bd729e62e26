import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Where the SDK files are on this machine: `node/cronium/` (the `cronium` Node.js package),
 * `python/cronium.py`, `bash/cronium.sh`. Executors make them visible to scripts from here
 * (symlinks for local runs, to a read-only copy where local scripts run as users of their own;
 * read-only binds for containers; an upload for SSH).
 */
export const SDK_DIR = fileURLToPath(new URL('../files/', import.meta.url)).replace(/\/$/, '');

/** Relative paths a script's directory gets, and the SDK file each comes from. */
export const SDK_LAYOUT = [
  { path: 'node_modules/cronium/package.json', source: 'node/cronium/package.json' },
  { path: 'node_modules/cronium/index.js', source: 'node/cronium/index.js' },
  { path: 'cronium.py', source: 'python/cronium.py' },
  { path: 'cronium.sh', source: 'bash/cronium.sh' },
] as const;

let cached: { path: string; content: Buffer }[] | undefined;

/** The SDK files to place beside a script (for an upload), read once. */
export function sdkFiles(): { path: string; content: Buffer }[] {
  cached ??= SDK_LAYOUT.map((f) => ({
    path: f.path,
    content: readFileSync(`${SDK_DIR}/${f.source}`),
  }));
  return cached;
}
