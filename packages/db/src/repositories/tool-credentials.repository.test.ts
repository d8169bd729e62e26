import { randomBytes } from 'node:crypto';
import { DecryptionError, SecretBox } from '@cronium/crypto';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.ts';
import {
  deleteToolCredential,
  findToolCredential,
  insertToolCredential,
  listToolCredentials,
  readToolCredentialConfig,
  updateToolCredential,
} from './tool-credentials.repository.ts';

describe('tool credentials repository: configuration encrypted at rest, per owner', () => {
  let t: TestDatabase;
  let alice: number;
  let bob: number;
  const box = new SecretBox(randomBytes(32));
  const user = async (email: string) =>
    (
      await t.db
        .insertInto('users')
        .values({ email, password_hash: 'x', role: 'user' })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;

  beforeAll(async () => {
    t = await createTestDatabase();
    alice = await user('alice@example.com');
    bob = await user('bob@example.com');
  });
  afterAll(() => t.destroy());

  const insert = (ownerId: number, name: string, config: unknown) =>
    t.db
      .transaction()
      .execute((trx) => insertToolCredential(trx, box, { ownerId, kind: 'teams', name, config }));

  it('round-trips a configuration, never stored or listed in clear', async () => {
    const config = { webhookUrl: 'https://example.invalid/hooks/s3cr3t-path' };
    const created = await insert(alice, 'ops channel', config);
    expect(created).toMatchObject({ owner_id: alice, kind: 'teams', name: 'ops channel' });
    expect(created).not.toHaveProperty('config_encrypted');
    const raw = await t.db
      .selectFrom('tool_credentials')
      .select('config_encrypted')
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(raw.config_encrypted).toMatch(/^v2\.[\w-]{12}\./);
    expect(raw.config_encrypted).not.toContain('s3cr3t');
    expect(await readToolCredentialConfig(t.db, box, alice, created.id)).toMatchObject({
      name: 'ops channel',
      config,
    });
    expect(JSON.stringify(await listToolCredentials(t.db, alice))).not.toContain('s3cr3t');
  });

  it('keeps owners apart: another owner neither finds, reads, nor deletes it', async () => {
    const created = await insert(alice, 'private', { webhookUrl: 'https://example.invalid/x' });
    expect(await findToolCredential(t.db, bob, created.id)).toBeUndefined();
    expect(await readToolCredentialConfig(t.db, box, bob, created.id)).toBeUndefined();
    expect(await deleteToolCredential(t.db, bob, created.id)).toBe(false);
    expect((await listToolCredentials(t.db, bob)).map((c) => c.id)).not.toContain(created.id);
    expect(await deleteToolCredential(t.db, alice, created.id)).toBe(true);
    expect(await findToolCredential(t.db, alice, created.id)).toBeUndefined();
  });

  it('replaces the configuration, and refuses a ciphertext moved to another row', async () => {
    const a = await insert(alice, 'a', { webhookUrl: 'https://example.invalid/a' });
    const b = await insert(alice, 'b', { webhookUrl: 'https://example.invalid/b' });
    await updateToolCredential(t.db, box, a.id, {
      config: { webhookUrl: 'https://example.invalid/a2' },
    });
    expect((await readToolCredentialConfig(t.db, box, alice, a.id))!.config).toEqual({
      webhookUrl: 'https://example.invalid/a2',
    });
    const { config_encrypted } = await t.db
      .selectFrom('tool_credentials')
      .select('config_encrypted')
      .where('id', '=', a.id)
      .executeTakeFirstOrThrow();
    await t.db
      .updateTable('tool_credentials')
      .set({ config_encrypted })
      .where('id', '=', b.id)
      .execute();
    await expect(readToolCredentialConfig(t.db, box, alice, b.id)).rejects.toThrow(DecryptionError);
  });

  it('refuses a second credential of the same name for one owner, and unknown kinds', async () => {
    await insert(bob, 'same', {});
    await expect(insert(bob, 'same', {})).rejects.toThrow(/unique/i);
    await expect(
      t.db
        .insertInto('tool_credentials')
        .values({ owner_id: bob, kind: 'pager' as never, name: 'x', config_encrypted: 'v1.x' })
        .execute(),
    ).rejects.toThrow(/check/i);
  });
});
