import { secretValueProblem } from '@cronium/contracts';
import type { Kysely, Transaction } from 'kysely';
import type { SecretBox } from '@cronium/crypto';
import type { Database } from '../schema/database.ts';
import { recordAudit, type AuditEntry } from './audit-log.repository.ts';

/** Associated data binding a secret variable's ciphertext to its owner and key. */
export function variableSecretAad(ownerId: number, key: string): string {
  return `variables:${ownerId}:${key}`;
}

export const VARIABLE_KEY_PATTERN = '^[A-Za-z_][A-Za-z0-9_.-]{0,127}$';

/** A user's variable, decrypted when secret; undefined when it does not exist. */
export async function readVariable(
  db: Kysely<Database>,
  box: SecretBox,
  ownerId: number,
  key: string,
): Promise<{ value: string; isSecret: boolean } | undefined> {
  const row = await db
    .selectFrom('variables')
    .select(['value', 'value_encrypted', 'is_secret'])
    .where('owner_id', '=', ownerId)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row) return undefined;
  return row.is_secret
    ? { value: box.decrypt(row.value_encrypted!, variableSecretAad(ownerId, key)), isSecret: true }
    : { value: row.value!, isSecret: false };
}

/**
 * Creates or replaces a user's variable and audits the write, in one transaction: the one
 * write path of the `variables` table, for the REST API and for running scripts. A secret
 * variable is stored encrypted and stays secret unless `secret: false` is given; concurrent
 * writers are serialized by the row (and a concurrent first write by the unique key).
 */
export async function writeVariable(
  db: Kysely<Database>,
  box: SecretBox,
  write: {
    ownerId: number;
    key: string;
    value: string;
    /** Make the variable secret, or plain; undefined keeps what it is (a new one is plain). */
    secret?: boolean;
    /** Replaces the description; undefined keeps it. */
    description?: string;
    /** Who wrote it, as the audit log's columns. */
    actor: Pick<AuditEntry, 'actor_kind' | 'actor_id' | 'actor_ref' | 'ip' | 'user_agent'>;
    /**
     * Checked first, in the write's transaction: nothing is written unless it holds (a write
     * from a running script passes run-queue's `lockLiveAttempt`, so the attempt cannot end
     * before the write commits).
     */
    guard?: (trx: Transaction<Database>) => Promise<boolean>;
  },
): Promise<{ created: boolean } | { refused: string } | undefined> {
  return db.transaction().execute(async (trx) => {
    if (write.guard && !(await write.guard(trx))) return undefined;
    const existing = await trx
      .selectFrom('variables')
      .select(['id', 'is_secret'])
      .where('owner_id', '=', write.ownerId)
      .where('key', '=', write.key)
      .forUpdate()
      .executeTakeFirst();
    const secret = write.secret ?? existing?.is_secret ?? false;
    const refused = secret ? secretValueProblem(write.value) : undefined;
    if (refused) return { refused };
    const stored = {
      is_secret: secret,
      ...(secret
        ? {
            value: null,
            value_encrypted: box.encrypt(write.value, variableSecretAad(write.ownerId, write.key)),
          }
        : { value: write.value, value_encrypted: null }),
      ...(write.description !== undefined ? { description: write.description } : {}),
    };
    if (existing)
      await trx
        .updateTable('variables')
        .set({ ...stored, updated_at: new Date() })
        .where('id', '=', existing.id)
        .execute();
    else
      await trx
        .insertInto('variables')
        .values({ owner_id: write.ownerId, key: write.key, ...stored })
        .onConflict((oc) =>
          oc.columns(['owner_id', 'key']).doUpdateSet({ ...stored, updated_at: new Date() }),
        )
        .execute();
    await recordAudit(trx, {
      ...write.actor,
      action: existing ? 'variable.update' : 'variable.create',
      target_type: 'variable',
      target_id: write.key,
      details: { bytes: Buffer.byteLength(write.value, 'utf8'), secret },
    });
    return { created: !existing };
  });
}

/** Every secret variable value of a user, decrypted (to be masked in their runs' logs). */
export async function listSecretVariableValues(
  db: Kysely<Database>,
  box: SecretBox,
  ownerId: number,
): Promise<string[]> {
  return (await listSecretVariableValuesOf(db, box, [ownerId])).get(ownerId) ?? [];
}

/** The same for several owners in one query (every owner asked for has an entry). */
export async function listSecretVariableValuesOf(
  db: Kysely<Database>,
  box: SecretBox,
  ownerIds: number[],
): Promise<Map<number, string[]>> {
  const values = new Map<number, string[]>(ownerIds.map((id) => [id, []]));
  if (ownerIds.length === 0) return values;
  const rows = await db
    .selectFrom('variables')
    .select(['owner_id', 'key', 'value_encrypted'])
    .where('owner_id', 'in', [...new Set(ownerIds)])
    .where('is_secret', '=', true)
    .execute();
  for (const r of rows)
    values
      .get(r.owner_id)!
      .push(box.decrypt(r.value_encrypted!, variableSecretAad(r.owner_id, r.key)));
  return values;
}

/** Plain variables a tool action's templates may read, at most this many. */
export const TEMPLATE_VARIABLES_LIMIT = 1_000;

/**
 * A user's plain (non-secret) variables by key, for message templates. Secret ones are left
 * out on purpose: a template writes to a third party (a Slack channel, a mailbox), and a
 * secret must not travel there because someone wrote its name in a message.
 */
export async function listPlainVariables(
  db: Kysely<Database>,
  ownerId: number,
): Promise<Record<string, string>> {
  const rows = await db
    .selectFrom('variables')
    .select(['key', 'value'])
    .where('owner_id', '=', ownerId)
    .where('is_secret', '=', false)
    .orderBy('key')
    .limit(TEMPLATE_VARIABLES_LIMIT)
    .execute();
  return Object.fromEntries(rows.map((row) => [row.key, row.value!]));
}
