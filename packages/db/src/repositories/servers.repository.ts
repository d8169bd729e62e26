import type { Kysely, Selectable, Transaction } from 'kysely';
import type { SecretBox } from '@cronium/crypto';
import type { Database } from '../schema/database.ts';
import type { ServersTable } from '../schema/events.tables.ts';

type Executor = Kysely<Database> | Transaction<Database>;

export type ServerRow = Omit<
  Selectable<ServersTable>,
  'credential_encrypted' | 'passphrase_encrypted'
>;

export interface NewServer {
  ownerId: number;
  name: string;
  host: string;
  port?: number;
  username: string;
  authMethod: 'private_key' | 'password';
  credential: string;
  passphrase?: string | null;
  hostKeyFingerprint?: string;
  maxConnections?: number;
}

export interface ServerCredentials {
  credential: string;
  passphrase: string | null;
}

/** The associated data that binds an encrypted column to its row. */
export function serverSecretAad(serverId: number, column: 'credential' | 'passphrase'): string {
  return `servers:${serverId}:${column}`;
}

export const SERVER_PUBLIC_COLUMNS = [
  'id',
  'owner_id',
  'name',
  'host',
  'port',
  'username',
  'auth_method',
  'host_key_fingerprint',
  'host_key_confirmed_at',
  'max_connections',
  'created_at',
  'updated_at',
] as const;

/**
 * Inserts a server with its credentials encrypted. The id is only known after the insert,
 * and the ciphertext is bound to it, so both happen in one transaction.
 */
export async function insertServer(
  db: Kysely<Database>,
  box: SecretBox,
  server: NewServer,
): Promise<ServerRow> {
  return db.transaction().execute((trx) => insertServerIn(trx, box, server));
}

/** `insertServer` inside the caller's transaction (with the audit entry beside it, say). */
export async function insertServerIn(
  trx: Transaction<Database>,
  box: SecretBox,
  server: NewServer,
): Promise<ServerRow> {
  const { id } = await trx
    .insertInto('servers')
    .values({
      owner_id: server.ownerId,
      name: server.name,
      host: server.host,
      port: server.port,
      username: server.username,
      auth_method: server.authMethod,
      credential_encrypted: 'pending',
      host_key_fingerprint: server.hostKeyFingerprint ?? null,
      // A fingerprint given when adding the server is the one the user confirmed.
      host_key_confirmed_at: server.hostKeyFingerprint ? new Date() : null,
      max_connections: server.maxConnections,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await writeServerCredentials(trx, box, id, server);
  return (await findServerById(trx, id))!;
}

/** Replaces a server's credentials (encrypted, bound to the row) and its auth method. */
export async function writeServerCredentials(
  db: Executor,
  box: SecretBox,
  id: number,
  auth: Pick<NewServer, 'authMethod' | 'credential' | 'passphrase'>,
): Promise<void> {
  await db
    .updateTable('servers')
    .set({
      auth_method: auth.authMethod,
      credential_encrypted: box.encrypt(auth.credential, serverSecretAad(id, 'credential')),
      passphrase_encrypted:
        auth.passphrase === undefined || auth.passphrase === null
          ? null
          : box.encrypt(auth.passphrase, serverSecretAad(id, 'passphrase')),
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Changes a server's public fields; `unpinHostKey` forgets its pinned host key (it moved to
 * another address, so the key must be confirmed again).
 */
export async function updateServerFields(
  db: Executor,
  id: number,
  fields: {
    name?: string;
    host?: string;
    port?: number;
    username?: string;
    maxConnections?: number;
    unpinHostKey?: boolean;
  },
): Promise<void> {
  await db
    .updateTable('servers')
    .set({
      ...(fields.name !== undefined ? { name: fields.name } : {}),
      ...(fields.host !== undefined ? { host: fields.host } : {}),
      ...(fields.port !== undefined ? { port: fields.port } : {}),
      ...(fields.username !== undefined ? { username: fields.username } : {}),
      ...(fields.maxConnections !== undefined ? { max_connections: fields.maxConnections } : {}),
      ...(fields.unpinHostKey ? { host_key_fingerprint: null, host_key_confirmed_at: null } : {}),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

/** Deletes a server (refused by a foreign key while an event still runs on it). */
export async function deleteServerById(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('servers').where('id', '=', id).execute();
}

export async function findServerById(db: Executor, id: number): Promise<ServerRow | undefined> {
  return db
    .selectFrom('servers')
    .select(SERVER_PUBLIC_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Decrypts a server's credentials; throws DecryptionError if the key or the row is wrong. */
export async function readServerCredentials(
  db: Executor,
  box: SecretBox,
  id: number,
): Promise<ServerCredentials | undefined> {
  const row = await db
    .selectFrom('servers')
    .select(['credential_encrypted', 'passphrase_encrypted'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    credential: box.decrypt(row.credential_encrypted, serverSecretAad(id, 'credential')),
    passphrase: row.passphrase_encrypted
      ? box.decrypt(row.passphrase_encrypted, serverSecretAad(id, 'passphrase'))
      : null,
  };
}

/**
 * Pins a server's host key after the user confirmed the fingerprint (when adding the server,
 * or after a legitimate re-key). Connections present exactly this key or are refused.
 */
export async function pinServerHostKey(
  db: Executor,
  id: number,
  fingerprint: string,
): Promise<ServerRow | undefined> {
  return db
    .updateTable('servers')
    .set({
      host_key_fingerprint: fingerprint,
      host_key_confirmed_at: new Date(),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returning(SERVER_PUBLIC_COLUMNS)
    .executeTakeFirst();
}

export interface ServerWithCredentials extends ServerRow, ServerCredentials {
  /** The fingerprint to require, or null when none was confirmed. */
  pinnedFingerprint: string | null;
}

/** The servers an event runs on, ordered by id, with their credentials decrypted. */
export async function listEventServers(
  db: Executor,
  box: SecretBox,
  eventId: number,
): Promise<ServerWithCredentials[]> {
  const rows = await db
    .selectFrom('event_servers as es')
    .innerJoin('servers as s', 's.id', 'es.server_id')
    .select([
      ...SERVER_PUBLIC_COLUMNS.map((c) => `s.${c}` as const),
      's.credential_encrypted',
      's.passphrase_encrypted',
    ])
    .where('es.event_id', '=', eventId)
    .orderBy('s.id')
    .execute();
  return rows.map(({ credential_encrypted, passphrase_encrypted, ...row }) => ({
    ...row,
    credential: box.decrypt(credential_encrypted, serverSecretAad(row.id, 'credential')),
    passphrase: passphrase_encrypted
      ? box.decrypt(passphrase_encrypted, serverSecretAad(row.id, 'passphrase'))
      : null,
    pinnedFingerprint: row.host_key_confirmed_at ? row.host_key_fingerprint : null,
  }));
}
