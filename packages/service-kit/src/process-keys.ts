// Which master key each running process has as its current one (it seals new secrets under
// it), as PostgreSQL shows it: the lasting connection of every process that uses the key is
// named `cronium-<service>@<key id>` (a key id is no secret: every sealed value starts with it).
// `npm run keys` reads them, so a rotation is not declared done while a process still runs
// with the old key.
import { sql } from 'kysely';
import { masterKeyId, parseMasterKey } from '@cronium/crypto';
import type { Db } from '@cronium/db';
import type { BaseConfig } from './base-config.ts';

const NAMED = /^cronium-([a-z-]{1,30})@([A-Za-z0-9_-]{12})$/;

/** The application name of a process's lasting connection: with its key id if it uses the key. */
export function processApplicationName(
  service: string,
  base: BaseConfig,
  usesMasterKey: boolean,
): string {
  const key = base.secrets.encryptionKey;
  return usesMasterKey && key
    ? `cronium-${service}@${masterKeyId(parseMasterKey(key))}`
    : `cronium-${service}`;
}

export interface ProcessKey {
  service: string;
  /** The key the process seals new values under (its CRONIUM_ENCRYPTION_KEY). */
  keyId: string;
  /** Where it connects from (null over a Unix socket). */
  clientAddress: string | null;
  connectedAt: Date;
}

/** The processes connected to this database now that use the master key, and their keys. */
export async function processKeys(db: Db): Promise<ProcessKey[]> {
  const { rows } = await sql<{
    application_name: string;
    client_addr: string | null;
    backend_start: Date;
  }>`
    SELECT application_name, host(client_addr) AS client_addr, backend_start
    FROM pg_stat_activity
    WHERE datname = current_database() AND application_name LIKE 'cronium-%@%'
    ORDER BY backend_start`.execute(db);
  return rows.flatMap((row) => {
    const named = NAMED.exec(row.application_name);
    return named
      ? [
          {
            service: named[1]!,
            keyId: named[2]!,
            clientAddress: row.client_addr,
            connectedAt: row.backend_start,
          },
        ]
      : [];
  });
}
