import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema/database.ts';

type Executor = Kysely<Database> | Transaction<Database>;

export async function getSetting<T>(db: Executor, key: string): Promise<T | undefined> {
  const row = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirst();
  return row?.value as T | undefined;
}

export async function putSetting(
  db: Executor,
  key: string,
  value: unknown,
  updatedBy: number | null,
): Promise<void> {
  const json = JSON.stringify(value);
  await db
    .insertInto('settings')
    .values({ key, value: json, updated_by: updatedBy })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({ value: json, updated_by: updatedBy, updated_at: new Date() }),
    )
    .execute();
}

/**
 * A random id for this installation (this database), created on first use. It tells this
 * installation's containers from another's on a shared Docker engine.
 */
export async function installationId(db: Executor): Promise<string> {
  const candidate = `inst-${crypto.randomUUID()}`;
  await db
    .insertInto('settings')
    .values({ key: 'installation.id', value: JSON.stringify(candidate), updated_by: null })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const id = await getSetting<string>(db, 'installation.id');
  if (!id) throw new Error('installation id missing from settings');
  return id;
}
