import type { Db } from '@cronium/db';
import type { RunEvent, RunEventBus } from '@cronium/run-events';
import type { LiveConnection } from './live-connection.ts';
import { readRunSnapshot } from './run-snapshot.ts';

/**
 * A ws process's switchboard: bus events go to the connections that follow the run (or its
 * owner's runs). Because the bus only hints, a slow safety poll re-reads every unfinished
 * subscription too, so a dropped notification (Valkey away, a LISTEN reconnect) delays a
 * line by at most `pollMs`, never loses it.
 */
export class LiveHub {
  readonly #db: Db;
  readonly #bus: RunEventBus;
  readonly #connections = new Set<LiveConnection>();
  readonly #pollMs: number;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  readonly #onError: (error: Error) => void;

  constructor(options: {
    db: Db;
    bus: RunEventBus;
    pollMs?: number;
    onError?: (error: Error) => void;
  }) {
    this.#db = options.db;
    this.#bus = options.bus;
    this.#pollMs = options.pollMs ?? 1_000;
    this.#onError = options.onError ?? (() => undefined);
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  start(): void {
    this.#unsubscribe = this.#bus.subscribe((event) => void this.#deliver(event));
    this.#bus.onReconnect(() => this.#pollAll());
    const tick = () => {
      this.#pollAll();
      this.#timer = setTimeout(tick, this.#pollMs);
      this.#timer.unref();
    };
    this.#timer = setTimeout(tick, this.#pollMs);
    this.#timer.unref();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#unsubscribe?.();
    for (const c of this.#connections) c.close();
    this.#connections.clear();
  }

  add(connection: LiveConnection): void {
    this.#connections.add(connection);
  }

  remove(connection: LiveConnection): void {
    connection.close();
    this.#connections.delete(connection);
  }

  async #deliver(event: RunEvent): Promise<void> {
    try {
      if (event.kind === 'log') {
        for (const c of this.#connections) if (c.follows(event.runId)) void c.pump(event.runId);
        return;
      }
      const interested = [...this.#connections].filter(
        (c) => c.follows(event.runId) || c.followsOwner(event.ownerId),
      );
      if (interested.length === 0) return;
      const snapshot = await readRunSnapshot(this.#db, event.runId);
      if (!snapshot) return;
      for (const c of interested) void c.refreshStatus(event.runId, snapshot);
    } catch (error) {
      this.#onError(error as Error);
    }
  }

  #pollAll(): void {
    for (const c of this.#connections)
      for (const runId of c.activeRunIds()) void c.refreshStatus(runId);
  }
}
