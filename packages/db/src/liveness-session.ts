// An orchestrator's proof of life in PostgreSQL: a connection of its own that holds a shared
// session-level advisory lock named after it. PostgreSQL releases the lock the moment the
// session ends, so peers see a dead orchestrator within a check interval instead of a lease.
import { sql, type RawBuilder } from 'kysely';
import pg from 'pg';
import { onDatabaseStopping } from './database-stopping.ts';

/** The application name of a liveness session: how peers learn which orchestrators are up. */
export const LIVENESS_APPLICATION_PREFIX = 'cronium-live:';

/**
 * The application name of an orchestrator's liveness session. PostgreSQL keeps 63 bytes of it
 * (orchestrator names are ASCII), so a name over 50 characters appears cut.
 */
export function livenessApplicationName(owner: string): string {
  return `${LIVENESS_APPLICATION_PREFIX}${owner}`.slice(0, 63);
}

const KEY_PREFIX = 'cronium:orchestrator:';

/** The lock's 64-bit key for an orchestrator name (a value, or an SQL expression of one). */
export function livenessLockKey(owner: string | RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`hashtextextended(${KEY_PREFIX}::text || ${owner}, 0)`;
}

export interface LivenessSessionOptions {
  url: string;
  owner: string;
  /** How often the session is pinged, and how often a lost one is opened again. */
  pingMs: number;
  /**
   * Server-side TCP keepalive of the session, in seconds before the first probe: longer than
   * the lease, so that a network partition never ends the session (and frees the lock) before
   * the partitioned orchestrator's leases expire; the lease rule then governs.
   */
  keepaliveIdleSeconds: number;
  /** Told when the lock is held (true) and when the session is lost (false). */
  onChange: (live: boolean) => void;
  onError?: (error: Error) => void;
}

export interface LivenessSession {
  /** Whether the lock is held, as of the last ping or (re)connection. */
  readonly live: boolean;
  /** performance.now() of the last moment the server confirmed the session (a ping answered). */
  readonly confirmedAt: number;
  close(): Promise<void>;
}

/**
 * Opens the session, takes the lock, and pings every `pingMs`. A ping not answered within
 * `pingMs` or any error ends the session (the socket is destroyed) and it is opened again
 * every `pingMs` until it succeeds.
 */
export function openLivenessSession(options: LivenessSessionOptions): LivenessSession {
  let client: pg.Client | undefined;
  let live = false;
  let confirmedAt = -Infinity;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;

  const setLive = (value: boolean) => {
    if (live === value) return;
    live = value;
    options.onChange(value);
  };

  const lose = (error?: Error) => {
    if (error) options.onError?.(error);
    const current = client;
    client = undefined;
    if (current) {
      current.removeAllListeners();
      current.on('error', () => undefined);
      // Not end(): a session that stopped answering would make it wait.
      (
        current as unknown as { connection?: { stream?: { destroy(): void } } }
      ).connection?.stream?.destroy();
    }
    setLive(false);
  };

  const withTimeout = <T>(work: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error('the liveness session did not answer in time')),
        options.pingMs,
      );
      work.then(
        (value) => {
          clearTimeout(t);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(t);
          reject(error as Error);
        },
      );
    });

  const connect = async () => {
    const next = new pg.Client({
      connectionString: options.url,
      application_name: livenessApplicationName(options.owner),
      keepAlive: true,
      connectionTimeoutMillis: options.pingMs,
    });
    next.on('error', (error) => {
      if (client === next) lose(error);
    });
    next.on('end', () => {
      if (client === next) lose();
    });
    client = next;
    try {
      await withTimeout(next.connect());
      const idle = Math.max(1, Math.ceil(options.keepaliveIdleSeconds));
      // The server must not end this session sooner than the lease, nor for being idle.
      await withTimeout(
        next.query(
          `SET idle_session_timeout = 0; SET tcp_keepalives_idle = ${idle}; ` +
            'SET tcp_keepalives_interval = 10; SET tcp_keepalives_count = 3; SET tcp_user_timeout = 0',
        ),
      );
      const sent = performance.now();
      const { rows } = await withTimeout(
        next.query<{ locked: boolean }>(
          'SELECT pg_try_advisory_lock_shared(hashtextextended($1::text || $2::text, 0)) AS locked',
          [KEY_PREFIX, options.owner],
        ),
      );
      if (!rows[0]?.locked)
        throw new Error('the liveness lock is held exclusively by another session');
      if (client !== next || closed) return;
      confirmedAt = sent;
      setLive(true);
    } catch (error) {
      if (client === next) lose(error as Error);
    }
  };

  const tick = async () => {
    if (closed) return;
    const current = client;
    if (!current) await connect();
    else {
      const sent = performance.now();
      try {
        await withTimeout(current.query('SELECT 1'));
        if (client === current) confirmedAt = sent;
      } catch (error) {
        if (client === current) lose(error as Error);
      }
    }
    if (!closed) timer = setTimeout(() => void tick(), options.pingMs);
  };

  // A smart shutdown waits for this session too: let go of it (the next tick opens it again).
  const unsubscribe = onDatabaseStopping(() => lose());

  void tick();
  return {
    get live() {
      return live;
    },
    get confirmedAt() {
      return confirmedAt;
    },
    async close() {
      closed = true;
      unsubscribe();
      clearTimeout(timer);
      const current = client;
      client = undefined;
      live = false;
      if (current) {
        current.removeAllListeners();
        current.on('error', () => undefined);
        await current.end().catch(() => undefined);
      }
    },
  };
}
