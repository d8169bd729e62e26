import { Redis as Valkey } from 'iovalkey';
import {
  RUN_EVENTS_CHANNEL,
  decodeRunEvent,
  encodeRunEvent,
  type RunEvent,
  type RunEventBus,
} from './run-event.ts';

/**
 * The bus with Valkey (or Redis 7): PUBLISH on one connection, SUBSCRIBE on another. While
 * Valkey is away, publishing fails fast (no offline queue: a run never waits on it) and the
 * bus reports `degraded`; it reconnects by itself and then tells subscribers to re-read the
 * store, which holds every line regardless.
 */
export class ValkeyRunEventBus implements RunEventBus {
  readonly #publisher: Valkey;
  #subscriber: Valkey | undefined;
  readonly #url: string;
  readonly #listeners = new Set<(event: RunEvent) => void>();
  readonly #reconnectListeners = new Set<() => void>();
  readonly #onError: (error: Error) => void;
  readonly #channel: string;
  #lostSubscriber = false;
  #subscribed = false;

  constructor(options: { url: string; namespace?: string; onError?: (error: Error) => void }) {
    this.#url = options.url;
    // Installations sharing one Valkey do not hear each other.
    this.#channel = options.namespace
      ? `${RUN_EVENTS_CHANNEL}:${options.namespace}`
      : RUN_EVENTS_CHANNEL;
    this.#onError = options.onError ?? (() => undefined);
    this.#publisher = connect(this.#url);
    this.#publisher.on('error', (error: Error) => this.#onError(error));
  }

  async publish(events: RunEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      const pipeline = this.#publisher.pipeline();
      for (const event of events) pipeline.publish(this.#channel, encodeRunEvent(event));
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error);
      if (failed?.[0]) this.#onError(failed[0]);
    } catch (error) {
      this.#onError(error as Error);
    }
  }

  subscribe(listener: (event: RunEvent) => void): () => void {
    this.#listeners.add(listener);
    if (!this.#subscriber) {
      const subscriber = connect(this.#url);
      subscriber.on('error', (error: Error) => this.#onError(error));
      subscriber.on('message', (_channel: string, message: string) => {
        const event = decodeRunEvent(message);
        if (event) for (const l of this.#listeners) l(event);
      });
      subscriber.on('close', () => (this.#lostSubscriber = true));
      // Subscribing needs a live connection (there is no offline queue): on every ready,
      // the first and each after a reconnect.
      subscriber.on('ready', () => {
        void subscriber
          .subscribe(this.#channel)
          .then(() => {
            this.#subscribed = true;
            if (!this.#lostSubscriber) return;
            this.#lostSubscriber = false;
            for (const l of this.#reconnectListeners) l();
          })
          .catch((error: Error) => this.#onError(error));
      });
      subscriber.on('close', () => (this.#subscribed = false));
      this.#subscriber = subscriber;
    }
    return () => this.#listeners.delete(listener);
  }

  onReconnect(listener: () => void): void {
    this.#reconnectListeners.add(listener);
  }

  health(): 'ok' | 'degraded' {
    const publisherReady = this.#publisher.status === 'ready';
    const subscriberReady = !this.#subscriber || this.#subscribed;
    return publisherReady && subscriberReady ? 'ok' : 'degraded';
  }

  /** Resolves once connected (and subscribed, if subscribing), or after `timeoutMs` anyway. */
  async whenReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.health() !== 'ok' && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
  }

  async close(): Promise<void> {
    this.#listeners.clear();
    this.#publisher.disconnect();
    this.#subscriber?.disconnect();
  }
}

function connect(url: string): Valkey {
  return new Valkey(url, {
    // Fail fast while disconnected: callers treat the bus as best effort.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times: number) => Math.min(50 * 2 ** times, 2_000),
    connectionName: 'cronium-run-events',
    lazyConnect: false,
  });
}
