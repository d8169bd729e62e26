import { sql } from 'kysely';
import { listenForNotifications, type Db, type NotificationListener } from '@cronium/db';
import {
  RUN_EVENTS_CHANNEL,
  decodeRunEvent,
  encodeRunEvent,
  type RunEvent,
  type RunEventBus,
} from './run-event.ts';

/**
 * The bus without Valkey: NOTIFY through the database every process already has, LISTEN on
 * one dedicated connection per subscribing process (it reconnects by itself).
 */
export class PostgresRunEventBus implements RunEventBus {
  readonly #db: Db;
  readonly #url: string;
  readonly #listeners = new Set<(event: RunEvent) => void>();
  readonly #reconnectListeners = new Set<() => void>();
  #listening: NotificationListener | undefined;
  #degraded = false;
  readonly #onError: (error: Error) => void;

  constructor(options: { db: Db; url: string; onError?: (error: Error) => void }) {
    this.#db = options.db;
    this.#url = options.url;
    this.#onError = options.onError ?? (() => undefined);
  }

  async publish(events: RunEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      // One statement for the batch.
      await sql`SELECT pg_notify(${RUN_EVENTS_CHANNEL}, e) FROM unnest(${events.map(encodeRunEvent)}::text[]) AS e`.execute(
        this.#db,
      );
    } catch (error) {
      this.#onError(error as Error);
    }
  }

  subscribe(listener: (event: RunEvent) => void): () => void {
    this.#listeners.add(listener);
    this.#listening ??= listenForNotifications({
      url: this.#url,
      channels: [RUN_EVENTS_CHANNEL],
      onNotification: (_channel, payload) => {
        const event = decodeRunEvent(payload);
        if (event) for (const l of this.#listeners) l(event);
      },
      onReconnect: () => {
        this.#degraded = false;
        for (const l of this.#reconnectListeners) l();
      },
      onError: (error) => {
        this.#degraded = true;
        this.#onError(error);
      },
    });
    return () => this.#listeners.delete(listener);
  }

  onReconnect(listener: () => void): void {
    this.#reconnectListeners.add(listener);
  }

  async whenReady(): Promise<void> {
    // Publishing uses the pool, which connects on demand; LISTEN reconnects by itself.
  }

  health(): 'ok' | 'degraded' {
    return this.#degraded ? 'degraded' : 'ok';
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    await this.#listening?.close();
  }
}
