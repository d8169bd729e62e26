import type { Db } from '@cronium/db';
import type { RunEvent, RunEventBus } from '@cronium/run-events';
import type { LiveConnection } from './live-connection.ts';
import { readRunSnapshot } from './run-snapshot.ts';
import { readWorkflowRunSnapshot } from './workflow-run-snapshot.ts';

/**
 * A ws process's switchboard: bus events go to the connections that follow the run (or its
 * owner's runs), and workflow-run hints to those that follow the owner's runs. Because the
 * bus only hints, a slow safety poll re-reads every unfinished subscription too, so a dropped
 * notification (Valkey away, a LISTEN reconnect) delays a line by at most `pollMs`, never
 * loses it.
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
    let ticks = 0;
    const tick = () => {
      this.#pollAll();
      // About every 10 s: connections whose session or token was revoked are closed.
      if (++ticks % Math.max(1, Math.round(10_000 / this.#pollMs)) === 0)
        for (const c of this.#connections) c.recheckCredential().catch(this.#onError);
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

  /** Open connections of one user (each costs polling and a socket: capped per user). */
  connectionsOf(userId: number): number {
    let n = 0;
    for (const c of this.#connections) if (c.viewer.userId === userId) n += 1;
    return n;
  }

  remove(connection: LiveConnection): void {
    connection.close();
    this.#connections.delete(connection);
  }

  async #deliver(event: RunEvent): Promise<void> {
    try {
      if (event.kind === 'log') {
        for (const c of this.#connections)
          if (c.follows(event.runId)) c.pump(event.runId).catch(this.#onError);
        return;
      }
      const interested = [...this.#connections].filter(
        (c) => c.follows(event.runId) || c.followsOwner(event.ownerId),
      );
      if (interested.length === 0) return;
      const snapshot = await readRunSnapshot(this.#db, event.runId);
      if (!snapshot) return;
      for (const c of interested) c.refreshStatus(event.runId, snapshot).catch(this.#onError);
    } catch (error) {
      this.#onError(error as Error);
    }
  }

  /**
   * A workflow run moved (its notification): tell the connections following its owner's runs
   * (the owner's, an admin's). Never throws.
   */
  async workflowRunChanged(workflowRunId: number): Promise<void> {
    try {
      if (![...this.#connections].some((c) => c.followsMyRuns)) return;
      const run = await readWorkflowRunSnapshot(this.#db, workflowRunId);
      if (!run) return;
      for (const c of this.#connections) c.sendWorkflowRun(run);
    } catch (error) {
      this.#onError(error as Error);
    }
  }

  /** Never throws: a database outage is reported and the next tick tries again. */
  #pollAll(): void {
    for (const c of this.#connections)
      for (const runId of c.activeRunIds()) c.refreshStatus(runId).catch(this.#onError);
  }
}
