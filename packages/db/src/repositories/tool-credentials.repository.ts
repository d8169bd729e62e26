import type { Kysely, Selectable, Transaction } from 'kysely';
import type { SecretBox } from '@cronium/crypto';
import type { ToolKind } from '@cronium/contracts';
import type { Database } from '../schema/database.ts';
import type { ToolCredentialsTable } from '../schema/events.tables.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** A tool credential as it may be shown: everything but its configuration. */
export type ToolCredentialRow = Omit<Selectable<ToolCredentialsTable>, 'config_encrypted'>;

export const TOOL_CREDENTIAL_PUBLIC_COLUMNS = [
  'id',
  'owner_id',
  'kind',
  'name',
  'created_at',
  'updated_at',
] as const;

/** The associated data that binds a credential's encrypted configuration to its row. */
export function toolCredentialAad(id: number): string {
  return `tool_credentials:${id}:config`;
}

/**
 * Inserts a credential with its configuration (SMTP password, webhook URL, token...) encrypted
 * and bound to the new row's id, inside the caller's transaction (with its audit entry).
 */
export async function insertToolCredential(
  trx: Transaction<Database>,
  box: SecretBox,
  credential: { ownerId: number; kind: ToolKind; name: string; config: unknown },
): Promise<ToolCredentialRow> {
  const { id } = await trx
    .insertInto('tool_credentials')
    .values({
      owner_id: credential.ownerId,
      kind: credential.kind,
      name: credential.name,
      config_encrypted: 'pending',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return (await updateToolCredential(trx, box, id, { config: credential.config }))!;
}

/** Renames a credential and/or replaces its configuration; undefined when it is gone. */
export async function updateToolCredential(
  db: Executor,
  box: SecretBox,
  id: number,
  change: { name?: string; config?: unknown },
): Promise<ToolCredentialRow | undefined> {
  return db
    .updateTable('tool_credentials')
    .set({
      ...(change.name !== undefined ? { name: change.name } : {}),
      ...(change.config !== undefined
        ? { config_encrypted: box.encrypt(JSON.stringify(change.config), toolCredentialAad(id)) }
        : {}),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returning(TOOL_CREDENTIAL_PUBLIC_COLUMNS)
    .executeTakeFirst();
}

/** The owner's credentials, by name. */
export async function listToolCredentials(
  db: Executor,
  ownerId: number,
): Promise<ToolCredentialRow[]> {
  return db
    .selectFrom('tool_credentials')
    .select(TOOL_CREDENTIAL_PUBLIC_COLUMNS)
    .where('owner_id', '=', ownerId)
    .orderBy('name')
    .execute();
}

/** One of the owner's credentials (another owner's is not found). */
export async function findToolCredential(
  db: Executor,
  ownerId: number,
  id: number,
): Promise<ToolCredentialRow | undefined> {
  return db
    .selectFrom('tool_credentials')
    .select(TOOL_CREDENTIAL_PUBLIC_COLUMNS)
    .where('owner_id', '=', ownerId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/**
 * One of the owner's credentials with its configuration decrypted, for sending; throws
 * DecryptionError when the key or the row is wrong.
 */
export async function readToolCredentialConfig(
  db: Executor,
  box: SecretBox,
  ownerId: number,
  id: number,
): Promise<(ToolCredentialRow & { config: unknown }) | undefined> {
  const row = await db
    .selectFrom('tool_credentials')
    .select([...TOOL_CREDENTIAL_PUBLIC_COLUMNS, 'config_encrypted'])
    .where('owner_id', '=', ownerId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const { config_encrypted: sealed, ...rest } = row;
  return { ...rest, config: JSON.parse(box.decrypt(sealed, toolCredentialAad(id))) };
}

/** One of the owner's credentials by name, configuration decrypted (a script's `executeToolAction`). */
export async function readToolCredentialConfigByName(
  db: Executor,
  box: SecretBox,
  ownerId: number,
  name: string,
): Promise<(ToolCredentialRow & { config: unknown }) | undefined> {
  const row = await db
    .selectFrom('tool_credentials')
    .select('id')
    .where('owner_id', '=', ownerId)
    .where('name', '=', name)
    .executeTakeFirst();
  return row && readToolCredentialConfig(db, box, ownerId, row.id);
}

/** Deletes one of the owner's credentials; false when there was none. */
export async function deleteToolCredential(
  db: Executor,
  ownerId: number,
  id: number,
): Promise<boolean> {
  const deleted = await db
    .deleteFrom('tool_credentials')
    .where('owner_id', '=', ownerId)
    .where('id', '=', id)
    .executeTakeFirst();
  return deleted.numDeletedRows > 0n;
}
