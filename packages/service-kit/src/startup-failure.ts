import { appendFileSync } from 'node:fs';

/**
 * The variable through which `npm start` (packages/launcher/bin/cronium.mjs) learns that a
 * process cannot start: a file the launcher watches while it waits for readiness. When a
 * message lands there it prints it, stops everything and exits, instead of leaving pm2 to
 * restart a process that a restart cannot fix.
 */
export const STARTUP_FAILURE_FILE_VARIABLE = 'CRONIUM_STARTUP_FAILURE_FILE';

/**
 * Tells the launcher (when there is one) that this process cannot start, with what to do
 * about it. Never throws: the caller is already on its way out.
 */
export function reportStartupFailure(
  service: string,
  message: string,
  environment: Record<string, string | undefined> = process.env,
): void {
  const file = environment[STARTUP_FAILURE_FILE_VARIABLE];
  if (!file) return;
  try {
    appendFileSync(file, `${service}: ${message}\n`, { mode: 0o600 });
  } catch {
    // the launcher is gone; the message is in the process's own output anyway
  }
}
