// Moving every encrypted value to the current master key, online: a pass reads a column in
// id order, a batch at a time, and writes each value sealed again under the current key only
// if nobody changed it meanwhile. What is left to do is "every value that does not start with
// the current key's prefix", so a pass that stops (crash, Ctrl-C) resumes by simply running again.
import { sql, type Kysely } from 'kysely';
import { DecryptionError, type SecretBox } from '@cronium/crypto';
import type { Database } from './schema/database.ts';
import { eventSecretEnvAad } from './repositories/event-secret-env.ts';
import { serverSecretAad } from './repositories/servers.repository.ts';
import { toolCredentialAad } from './repositories/tool-credentials.repository.ts';
import { variableSecretAad } from './repositories/variables.repository.ts';
import { webhookSecretAad } from './repositories/webhooks.repository.ts';

type Row = Record<string, unknown> & { id: number };

export interface EncryptedColumn {
  table: 'variables' | 'events' | 'servers' | 'tool_credentials' | 'webhooks';
  column: string;
  /** The other columns the value's associated data is made of. */
  bindsTo: readonly string[];
  aad(row: Row): string;
}

/** Every column that holds a value sealed with the master key. */
export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [
  {
    table: 'variables',
    column: 'value_encrypted',
    bindsTo: ['owner_id', 'key'],
    aad: (r) => variableSecretAad(r.owner_id as number, r.key as string),
  },
  {
    table: 'events',
    column: 'secret_env_encrypted',
    bindsTo: [],
    aad: (r) => eventSecretEnvAad(r.id),
  },
  {
    table: 'servers',
    column: 'credential_encrypted',
    bindsTo: [],
    aad: (r) => serverSecretAad(r.id, 'credential'),
  },
  {
    table: 'servers',
    column: 'passphrase_encrypted',
    bindsTo: [],
    aad: (r) => serverSecretAad(r.id, 'passphrase'),
  },
  {
    table: 'tool_credentials',
    column: 'config_encrypted',
    bindsTo: [],
    aad: (r) => toolCredentialAad(r.id),
  },
  {
    table: 'webhooks',
    column: 'secret_encrypted',
    bindsTo: [],
    aad: (r) => webhookSecretAad(r.id, 'secret'),
  },
  {
    table: 'webhooks',
    column: 'previous_secret_encrypted',
    bindsTo: [],
    aad: (r) => webhookSecretAad(r.id, 'previous_secret'),
  },
];

export const columnName = (c: EncryptedColumn): string => `${c.table}.${c.column}`;

export interface ColumnKeyStatus {
  column: string;
  total: number;
  /** Values per key id; `v1` for values written before keys had ids. */
  byKey: Record<string, number>;
  /** Values the current key did not seal. */
  outstanding: number;
}

/** How many values each key sealed, per column (a count, nothing is decrypted). */
export async function keyStatus(db: Kysely<Database>, box: SecretBox): Promise<ColumnKeyStatus[]> {
  const statuses: ColumnKeyStatus[] = [];
  for (const c of ENCRYPTED_COLUMNS) {
    const value = sql.ref(c.column);
    const { rows } = await sql<{ key_id: string; n: number }>`
      SELECT CASE WHEN starts_with(${value}, 'v2.') THEN split_part(${value}, '.', 2)
                  ELSE split_part(${value}, '.', 1) END AS key_id,
             count(*)::int AS n
      FROM ${sql.table(c.table)} WHERE ${value} IS NOT NULL GROUP BY 1 ORDER BY 1`.execute(db);
    const byKey = Object.fromEntries(rows.map((r) => [r.key_id, r.n]));
    const total = rows.reduce((sum, r) => sum + r.n, 0);
    statuses.push({
      column: columnName(c),
      total,
      byKey,
      outstanding: total - (byKey[box.keyId] ?? 0),
    });
  }
  return statuses;
}

export interface ReencryptProgress {
  column: string;
  /** Values in this column the current key did not seal when the pass began on it. */
  planned: number;
  resealed: number;
  /** Changed by someone else between the read and the write: left to them (and to a re-run). */
  changed: number;
  failed: number;
}

export interface ReencryptFailure {
  column: string;
  id: number;
  message: string;
}

export interface ReencryptResult {
  resealed: number;
  changed: number;
  failures: ReencryptFailure[];
}

export interface ReencryptOptions {
  /** Rows per batch (default 500). */
  batchSize?: number;
  /** Bytes of ciphertext per batch at most (default 16 MiB; a batch has at least one row). */
  batchBytes?: number;
  onProgress?: (progress: ReencryptProgress) => void;
}

/**
 * One pass over every encrypted column: each value not sealed by the box's current key is
 * decrypted (with whichever configured key sealed it) and sealed again with the current key,
 * bound to the same row. A batch is one read and one compare-and-set write, each in its own
 * short statement, so users' writes are never blocked for long and never overwritten. A value
 * no configured key opens is reported, not changed.
 */
export async function reencryptAll(
  db: Kysely<Database>,
  box: SecretBox,
  options: ReencryptOptions = {},
): Promise<ReencryptResult> {
  const result: ReencryptResult = { resealed: 0, changed: 0, failures: [] };
  for (const c of ENCRYPTED_COLUMNS) {
    const progress = await reencryptColumn(db, box, c, options, result.failures);
    result.resealed += progress.resealed;
    result.changed += progress.changed;
  }
  return result;
}

async function reencryptColumn(
  db: Kysely<Database>,
  box: SecretBox,
  c: EncryptedColumn,
  options: ReencryptOptions,
  failures: ReencryptFailure[],
): Promise<ReencryptProgress> {
  const batchSize = options.batchSize ?? 500;
  const batchBytes = options.batchBytes ?? 16 * 1024 * 1024;
  const table = sql.table(c.table);
  const value = sql.ref(c.column);
  const outstanding = sql`${value} IS NOT NULL AND NOT starts_with(${value}, ${box.currentPrefix})`;
  const { rows: counted } = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM ${table} WHERE ${outstanding}`.execute(db);
  const progress: ReencryptProgress = {
    column: columnName(c),
    planned: counted[0]!.n,
    resealed: 0,
    changed: 0,
    failed: 0,
  };
  options.onProgress?.({ ...progress });
  const bindsTo = c.bindsTo.map((name) => sql.ref(name));
  let after = 0;
  for (;;) {
    // The next batch in id order, cut where its values pass the byte budget (a batch of huge
    // values stays small; the first row always comes).
    const { rows } = await sql<Row & { sealed: string }>`
      SELECT ${sql.join([sql.ref('id'), ...bindsTo])}, sealed FROM (
        SELECT *, ${value} AS sealed,
               sum(octet_length(${value})) OVER (ORDER BY id) - octet_length(${value}) AS before
        FROM ${table} WHERE id > ${after} AND ${outstanding} ORDER BY id LIMIT ${batchSize}
      ) batch
      WHERE before < ${batchBytes} ORDER BY id`.execute(db);
    if (rows.length === 0) return progress;
    after = rows.at(-1)!.id;
    const writes: { ids: number[]; old: string[]; sealed: string[] } = {
      ids: [],
      old: [],
      sealed: [],
    };
    for (const row of rows) {
      try {
        writes.sealed.push(box.reseal(row.sealed, c.aad(row)));
        writes.ids.push(row.id);
        writes.old.push(row.sealed);
      } catch (error) {
        if (!(error instanceof DecryptionError)) throw error;
        progress.failed++;
        failures.push({ column: progress.column, id: row.id, message: error.message });
      }
    }
    if (writes.ids.length > 0) {
      // Compare-and-set: a value someone rewrote since the read is theirs to keep.
      const { numAffectedRows } = await sql`
        UPDATE ${table} AS t SET ${value} = v.sealed
        FROM unnest(${writes.ids}::bigint[], ${writes.old}::text[], ${writes.sealed}::text[])
          AS v(id, old, sealed)
        WHERE t.id = v.id AND t.${value} = v.old`.execute(db);
      const written = Number(numAffectedRows ?? 0);
      progress.resealed += written;
      progress.changed += writes.ids.length - written;
    }
    options.onProgress?.({ ...progress });
  }
}
