import type { RunEvent, RunEventBus } from './run-event.ts';

/**
 * The bus with its publishes coalesced: events published during one turn of the event loop
 * go out together in one publish (one statement or one round trip) at the end of that turn.
 * A burst of finishing runs then costs a few publishes instead of one each. Order is kept.
 */
export function coalescePublishes(bus: RunEventBus): RunEventBus {
  let queued: RunEvent[] = [];
  let flushing: Promise<void> | undefined;
  const flush = (): Promise<void> =>
    (flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      const events = queued;
      queued = [];
      flushing = undefined;
      await bus.publish(events);
    }));
  return {
    publish(events) {
      if (events.length === 0) return Promise.resolve();
      queued.push(...events);
      return flush();
    },
    subscribe: (listener) => bus.subscribe(listener),
    health: () => bus.health(),
    whenReady: (timeoutMs) => bus.whenReady(timeoutMs),
    onReconnect: (listener) => bus.onReconnect(listener),
    async close() {
      if (flushing) await flushing;
      await bus.close();
    },
  };
}
