import { randomBytes, timingSafeEqual } from 'node:crypto';
import { linkSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

/** The file a generated setup token is kept in, in the data directory. */
export const SETUP_TOKEN_FILE = 'setup-token';

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/**
 * The token creating the first admin needs (review finding M5): none while the web process
 * listens on loopback only (whoever reaches it is on this machine); otherwise the one given
 * in CRONIUM_SETUP_TOKEN, or one generated once into `<data dir>/setup-token` (0600), so that
 * a scanner reaching a fresh install first cannot make itself its admin.
 */
export function setupTokenFor(options: {
  host: string;
  given: string | undefined;
  dataDir: string;
}): { token: string; file?: string } | undefined {
  if (options.given) return { token: options.given };
  if (isLoopback(options.host)) return undefined;
  const file = join(options.dataDir, SETUP_TOKEN_FILE);
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temp, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, file); // exactly one process wins; the others read its token
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temp);
  }
  return { token: readFileSync(file, 'utf8').trim(), file };
}

/** Whether `offered` is the token, compared in constant time. */
export function setupTokenMatches(expected: string, offered: string | undefined): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(offered ?? '');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Once the first admin exists the token is void: its file goes. */
export function retireSetupToken(file: string | undefined): void {
  if (file) rmSync(file, { force: true });
}
