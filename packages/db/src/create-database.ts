import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from './schema/database.ts';
import { onDatabaseStopping } from './database-stopping.ts';

export type Db = Kysely<Database>;

export interface DatabaseOptions {
  url: string;
  poolMax?: number;
  /** Shown in pg_stat_activity, so operators can tell the processes apart. */
  applicationName?: string;
  statementTimeoutMs?: number;
}

const INT8_OID = 20;

/**
 * Identity columns are bigint; parse them to numbers (exact up to 2^53) so ids and counts are
 * plain numbers everywhere. Applied per pool, not globally.
 */
function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`bigint ${value} exceeds the safe integer range`);
  return n;
}

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? parseInt8
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export function createPool(options: DatabaseOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 10,
    application_name: options.applicationName ?? 'cronium',
    connectionTimeoutMillis: 10_000,
    // A burst's extra connections (each a PostgreSQL backend of several MB) close soon after.
    idleTimeoutMillis: 10_000,
    statement_timeout: options.statementTimeoutMs ?? 60_000,
    // Cronium's statements are short; JIT compilation (tens of milliseconds) would cost more
    // than it saves whenever a plan's estimate crosses jit_above_cost (stale statistics on a
    // small table are enough), e.g. on every claim.
    options: '-c jit=off',
    types,
  });
  // An idle client losing its connection (server restart) must not crash the process;
  // the pool discards it and the next query reconnects.
  pool.on('error', () => undefined);
  // Nor one that is checked out between two queries (a transaction, or a connection just
  // acquired): pg emits the socket's error on the client, and without a listener that is an
  // uncaught exception. The query in progress, if any, is rejected with it anyway.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/**
 * A pool whose connections can all be let go at once (`renew`): later queries use a fresh pool,
 * which connects on demand, and the old one closes each connection as soon as it is released.
 */
export class RenewablePool {
  readonly #options: DatabaseOptions;
  #current: pg.Pool;

  constructor(options: DatabaseOptions) {
    this.#options = options;
    this.#current = createPool(options);
  }

  connect(): Promise<pg.PoolClient> {
    return this.#current.connect();
  }

  end(): Promise<void> {
    return this.#current.end();
  }

  renew(): void {
    const old = this.#current;
    this.#current = createPool(this.#options);
    void old.end().catch(() => undefined);
  }

  get options(): pg.PoolConfig {
    return this.#current.options;
  }

  get totalCount(): number {
    return this.#current.totalCount;
  }

  get idleCount(): number {
    return this.#current.idleCount;
  }

  get waitingCount(): number {
    return this.#current.waitingCount;
  }
}

/**
 * The query builder over a pool. The pool lets go of its connections when the process hears
 * that the database is stopping (see database-stopping.ts), until `db.destroy()`.
 */
export function createDatabase(options: DatabaseOptions): { db: Db; pool: RenewablePool } {
  const pool = new RenewablePool(options);
  const unsubscribe = onDatabaseStopping(() => pool.renew());
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: {
        Client: pg.Client,
        connect: () => pool.connect(),
        end: () => {
          unsubscribe();
          return pool.end();
        },
        get options() {
          return pool.options;
        },
      },
    }),
  });
  return { db, pool };
}
