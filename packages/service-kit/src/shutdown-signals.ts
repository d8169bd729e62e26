import type { Logger } from '@cronium/logger';

/**
 * Wires SIGTERM and SIGINT once for a process: the first signal runs `shutdown` (stop intake,
 * drain, close); a second signal, or a shutdown that exceeds `forceAfterMs`, exits at once.
 * Only an app's main.ts calls this; `exit` is passed in so nothing else ends the process.
 */
export function onShutdownSignal(options: {
  logger: Logger;
  shutdown: (signal: NodeJS.Signals) => Promise<void>;
  exit: (code: number) => void;
  forceAfterMs: number;
}): void {
  let started = false;
  const handle = (signal: NodeJS.Signals) => {
    if (started) {
      options.logger.warn({ signal }, 'second signal: exiting now');
      options.exit(1);
      return;
    }
    started = true;
    options.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      options.logger.error(
        { forceAfterMs: options.forceAfterMs },
        'shutdown took too long: exiting',
      );
      options.exit(1);
    }, options.forceAfterMs);
    force.unref();
    options
      .shutdown(signal)
      .then(() => {
        options.logger.info('shutdown complete');
        options.exit(0);
      })
      .catch((error: unknown) => {
        options.logger.error({ err: error }, 'shutdown failed');
        options.exit(1);
      });
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}
