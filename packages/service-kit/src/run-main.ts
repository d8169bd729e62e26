import type { Logger } from '@cronium/logger';
import { ConfigError } from './env-schema.ts';
import { onShutdownSignal } from './shutdown-signals.ts';
import { reportStartupFailure } from './startup-failure.ts';

/** Exit code for invalid configuration (EX_CONFIG), so pm2 logs and operators can tell it from a crash. */
export const EXIT_CONFIG = 78;

export interface StartedProcess {
  logger: Logger;
  /** Upper bound for the whole shutdown; past it the process exits anyway. */
  forceAfterMs: number;
  stop(): Promise<void>;
}

/**
 * The body of every app's main.ts: load config (reporting all problems at once), start,
 * and wire SIGTERM/SIGINT to a graceful stop. `exit` is main's `process.exit`.
 */
export async function runMain<C>(options: {
  name: string;
  loadConfig: () => C;
  start: (config: C) => Promise<StartedProcess>;
  exit: (code: number) => never;
}): Promise<void> {
  let config: C;
  try {
    config = options.loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${options.name}: ${error.message}`);
      reportStartupFailure(options.name, error.message);
      options.exit(EXIT_CONFIG);
    }
    throw error;
  }
  try {
    const started = await options.start(config);
    onShutdownSignal({
      logger: started.logger,
      forceAfterMs: started.forceAfterMs,
      exit: options.exit,
      shutdown: () => started.stop(),
    });
  } catch (error) {
    console.error(`${options.name} failed to start:`, error);
    options.exit(1);
  }
}
