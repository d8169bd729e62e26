import { createHash } from 'node:crypto';
import type { Db } from '@cronium/db';
import { coalescePublishes } from './coalesced-publish.ts';
import { PostgresRunEventBus } from './postgres-run-event-bus.ts';
import type { RunEventBus } from './run-event.ts';
import { ValkeyRunEventBus } from './valkey-run-event-bus.ts';

/**
 * Valkey pub/sub when VALKEY_URL is set, Postgres LISTEN/NOTIFY otherwise; publishes made in
 * the same turn of the event loop go out together.
 */
export function createRunEventBus(options: {
  db: Db;
  databaseUrl: string;
  valkeyUrl: string | undefined;
  onError?: (error: Error) => void;
}): RunEventBus {
  return coalescePublishes(transportFor(options));
}

function transportFor(options: Parameters<typeof createRunEventBus>[0]): RunEventBus {
  return options.valkeyUrl
    ? new ValkeyRunEventBus({
        url: options.valkeyUrl,
        namespace: databaseNamespace(options.databaseUrl),
        onError: options.onError,
      })
    : new PostgresRunEventBus({
        db: options.db,
        url: options.databaseUrl,
        onError: options.onError,
      });
}

/** The same for every process of one installation (one database), and only for them. */
export function databaseNamespace(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return createHash('sha256')
    .update(`${url.hostname}:${url.port}${url.pathname}`)
    .digest('base64url')
    .slice(0, 16);
}
