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
  passphrase?: string;
  hostKeyFingerprint?: string;
}

export interface ServerCredentials {
  credential: string;
  passphrase: string | null;
}

/** The associated data that binds an encrypted column to its row. */
export function serverSecretAad(serverId: number, column: 'credential' | 'passphrase'): string {
  return `servers:${serverId}:${column}`;
}

const PUBLIC_COLUMNS = [
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
  return db.transaction().execute(async (trx) => {
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
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return trx
      .updateTable('servers')
      .set({
        credential_encrypted: box.encrypt(server.credential, serverSecretAad(id, 'credential')),
        passphrase_encrypted:
          server.passphrase === undefined
            ? null
            : box.encrypt(server.passphrase, serverSecretAad(id, 'passphrase')),
      })
      .where('id', '=', id)
      .returning(PUBLIC_COLUMNS)
      .executeTakeFirstOrThrow();
  });
}

export async function findServerById(db: Executor, id: number): Promise<ServerRow | undefined> {
  return db.selectFrom('servers').select(PUBLIC_COLUMNS).where('id', '=', id).executeTakeFirst();
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
