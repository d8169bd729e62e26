import pg from 'pg';
import { onDatabaseStopping } from './database-stopping.ts';

export interface NotificationListener {
  close(): Promise<void>;
}

/**
 * LISTENs on Postgres channels over one dedicated connection (a pooled one would lose its
 * LISTEN when returned). Reconnects with backoff when the connection drops; after a
 * reconnect, `onReconnect` runs because notifications sent meanwhile were lost, and the
 * caller must look at the tables again (they are the truth; a notification is only a hint).
 */
export function listenForNotifications(options: {
  url: string;
  channels: string[];
  onNotification: (channel: string, payload: string) => void;
  onReconnect?: () => void;
  onError?: (error: Error) => void;
  /** How the connection is named in pg_stat_activity. */
  applicationName?: string;
}): NotificationListener {
  let client: pg.Client | undefined;
  let closed = false;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    if (closed) return;
    const next = new pg.Client({
      connectionString: options.url,
      application_name: options.applicationName ?? 'cronium-listener',
    });
    next.on('notification', (message) =>
      options.onNotification(message.channel, message.payload ?? ''),
    );
    next.on('error', (error) => {
      options.onError?.(error);
      scheduleReconnect();
    });
    next.on('end', () => scheduleReconnect());
    try {
      await next.connect();
      for (const channel of options.channels)
        await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      if (closed) {
        await next.end();
        return;
      }
      client = next;
      if (attempt > 0) options.onReconnect?.();
      attempt = 0;
    } catch (error) {
      options.onError?.(error as Error);
      next.removeAllListeners('end');
      await next.end().catch(() => undefined);
      scheduleReconnect();
    }
  };

  const scheduleReconnect = () => {
    if (closed || retryTimer) return;
    client = undefined;
    attempt += 1;
    retryTimer = setTimeout(
      () => {
        retryTimer = undefined;
        void connect();
      },
      Math.min(100 * 2 ** attempt, 5_000),
    );
  };

  // A smart shutdown waits for this session too: let go of it, and reconnect with backoff.
  const unsubscribe = onDatabaseStopping(() => {
    const current = client;
    if (!current) return;
    client = undefined;
    current.removeAllListeners('end');
    current.removeAllListeners('error');
    current.on('error', () => undefined);
    void current.end().catch(() => undefined);
    scheduleReconnect();
  });

  void connect();
  return {
    async close() {
      closed = true;
      unsubscribe();
      clearTimeout(retryTimer);
      const current = client;
      client = undefined;
      if (current) {
        current.removeAllListeners('end');
        await current.end().catch(() => undefined);
      }
    },
  };
}
