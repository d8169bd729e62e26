import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { SecretBox } from '@cronium/crypto';
import { insertTestEvent, insertTestUser } from './testing/fixtures.ts';
import { createTestDatabase, type TestDatabase } from './testing/test-database.ts';
import { ENCRYPTED_COLUMNS, keyStatus, reencryptAll } from './key-rotation.ts';
import { openEventSecretEnv, sealEventSecretEnv } from './repositories/event-secret-env.ts';
import { insertServer, readServerCredentials } from './repositories/servers.repository.ts';
import {
  insertToolCredential,
  readToolCredentialConfig,
} from './repositories/tool-credentials.repository.ts';
import {
  readVariable,
  variableSecretAad,
  writeVariable,
} from './repositories/variables.repository.ts';
import {
  insertWebhook,
  readWebhookForDelivery,
  rotateWebhookSecret,
} from './repositories/webhooks.repository.ts';

const actor = { actor_kind: 'system' as const, actor_id: null, actor_ref: 'test' };

describe('re-encrypting every stored secret under a new master key', () => {
  let t: TestDatabase;
  let owner: number;
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const before = new SecretBox(oldKey);
  const during = new SecretBox(newKey, [oldKey]);
  const after = new SecretBox(newKey);
  const ids = { event: 0, server: 0, tool: 0, hook: '' };

  beforeAll(async () => {
    t = await createTestDatabase();
    owner = await insertTestUser(t.db);
    // One value in every encrypted column, written the way the apps write them.
    for (let i = 0; i < 30; i++)
      await writeVariable(t.db, before, {
        ownerId: owner,
        key: `SECRET_${i}`,
        value: `value ${i}`,
        secret: true,
        actor,
      });
    ids.event = await insertTestEvent(t.db, owner);
    await t.db
      .updateTable('events')
      .set({ secret_env_encrypted: sealEventSecretEnv(before, ids.event, { TOKEN: 'env-secret' }) })
      .where('id', '=', ids.event)
      .execute();
    ids.server = (
      await insertServer(t.db, before, {
        ownerId: owner,
        name: 'db',
        host: '127.0.0.1',
        username: 'runner',
        authMethod: 'password',
        credential: 'server-password',
        passphrase: 'server-phrase',
      })
    ).id;
    ids.tool = (
      await t.db.transaction().execute((trx) =>
        insertToolCredential(trx, before, {
          ownerId: owner,
          kind: 'webhook',
          name: 'hook',
          config: { url: 'https://example.com/x' },
        }),
      )
    ).id;
    const hook = await t.db.transaction().execute(async (trx) => {
      const row = await insertWebhook(trx, before, {
        ownerId: owner,
        target: { kind: 'event', id: ids.event },
        name: 'in',
        publicId: randomBytes(18).toString('base64url'),
        secret: 'crw_old-secret',
        secretPrefix: 'crw_old-',
      });
      return rotateWebhookSecret(trx, before, row.id, {
        secret: 'crw_new-secret',
        secretPrefix: 'crw_new-',
        graceSeconds: 3600,
      });
    });
    ids.hook = hook!.public_id;
  });
  afterAll(() => t.destroy());

  it('counts what each key sealed, column by column', async () => {
    const status = await keyStatus(t.db, during);
    expect(status.map((s) => s.column)).toEqual(
      ENCRYPTED_COLUMNS.map((c) => `${c.table}.${c.column}`),
    );
    for (const s of status) {
      expect(s.total).toBeGreaterThan(0);
      expect(s.byKey).toEqual({ [before.keyId]: s.total });
      expect(s.outstanding).toBe(s.total);
    }
  });

  it('moves every value to the new key in batches; the old key then opens nothing', async () => {
    const seen: string[] = [];
    const result = await reencryptAll(t.db, during, {
      batchSize: 7,
      onProgress: (p) => seen.push(`${p.column} ${p.resealed}/${p.planned}`),
    });
    expect(result).toEqual({ resealed: 36, changed: 0, failures: [] });
    expect(seen).toContain('variables.value_encrypted 7/30');
    expect(seen).toContain('variables.value_encrypted 30/30');
    for (const s of await keyStatus(t.db, after)) {
      expect(s.outstanding).toBe(0);
      expect(Object.keys(s.byKey)).toEqual([after.keyId]);
    }

    // Everything reads back unchanged with the new key alone, still bound to its row.
    expect(await readVariable(t.db, after, owner, 'SECRET_29')).toEqual({
      value: 'value 29',
      isSecret: true,
    });
    const { secret_env_encrypted } = await t.db
      .selectFrom('events')
      .select('secret_env_encrypted')
      .where('id', '=', ids.event)
      .executeTakeFirstOrThrow();
    expect(openEventSecretEnv(after, ids.event, secret_env_encrypted)).toEqual({
      TOKEN: 'env-secret',
    });
    expect(await readServerCredentials(t.db, after, ids.server)).toEqual({
      credential: 'server-password',
      passphrase: 'server-phrase',
    });
    expect((await readToolCredentialConfig(t.db, after, owner, ids.tool))?.config).toEqual({
      url: 'https://example.com/x',
    });
    expect((await readWebhookForDelivery(t.db, after, ids.hook))?.secrets).toEqual([
      'crw_new-secret',
      'crw_old-secret',
    ]);
    await expect(readVariable(t.db, before, owner, 'SECRET_0')).rejects.toThrow(/key id/);

    // A second pass finds nothing to do.
    expect(await reencryptAll(t.db, during)).toEqual({ resealed: 0, changed: 0, failures: [] });
  });

  it('keeps a value written meanwhile, and reports one no configured key opens', async () => {
    const third = new SecretBox(randomBytes(32), [newKey, oldKey]);
    const raced = await writeVariable(t.db, before, {
      ownerId: owner,
      key: 'RACED',
      value: 'first value',
      secret: true,
      actor,
    });
    // A value sealed with a key nobody configured (the row moved from another install, say).
    const lost = await writeVariable(t.db, new SecretBox(randomBytes(32)), {
      ownerId: owner,
      key: 'LOST',
      value: 'lost value',
      secret: true,
      actor,
    });
    expect([raced, lost]).toEqual([{ created: true }, { created: true }]);
    // A user rewrites RACED between the pass's read and its write: the row is locked first,
    // so the pass reads the old value and its write waits; the user's write then commits.
    const result = await t.db.connection().execute(async (user) => {
      await sql`BEGIN`.execute(user);
      await sql`SELECT 1 FROM variables WHERE owner_id = ${owner} AND key = 'RACED' FOR UPDATE`.execute(
        user,
      );
      const pass = reencryptAll(t.db, third);
      for (let i = 0; i < 200; i++) {
        const { rows } = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE wait_event_type = 'Lock' AND query LIKE '%UPDATE "variables" AS t%'`.execute(user);
        if (rows[0]!.n > 0) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      await sql`UPDATE variables SET value_encrypted = ${third.encrypt('second value', variableSecretAad(owner, 'RACED'))}
                WHERE owner_id = ${owner} AND key = 'RACED'`.execute(user);
      await sql`COMMIT`.execute(user);
      return pass;
    });
    expect(result.changed).toBe(1);
    expect(result.failures).toEqual([
      expect.objectContaining({
        column: 'variables.value_encrypted',
        message: expect.stringMatching(/key id/),
      }),
    ]);
    expect(await readVariable(t.db, third, owner, 'RACED')).toEqual({
      value: 'second value',
      isSecret: true,
    });
    const variables = (await keyStatus(t.db, third)).find(
      (s) => s.column === 'variables.value_encrypted',
    )!;
    expect(variables.outstanding).toBe(1);
  });
});
