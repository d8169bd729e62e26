import { randomBytes } from 'node:crypto';
import { DecryptionError, SecretBox } from '@cronium/crypto';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.ts';
import { findServerById, insertServer, readServerCredentials } from './servers.repository.ts';

describe('servers repository: credentials encrypted at rest', () => {
  let t: TestDatabase;
  let ownerId: number;
  const box = new SecretBox(randomBytes(32));

  beforeAll(async () => {
    t = await createTestDatabase();
    ({ id: ownerId } = await t.db
      .insertInto('users')
      .values({ email: 'owner@example.com', password_hash: 'x', role: 'admin' })
      .returning('id')
      .executeTakeFirstOrThrow());
  });
  afterAll(() => t.destroy());

  const newServer = (name: string, credential: string) => ({
    ownerId,
    name,
    host: '127.0.0.1',
    username: 'runner',
    authMethod: 'password' as const,
    credential,
  });

  it('round-trips credentials and never stores them in clear', async () => {
    const server = await insertServer(t.db, box, {
      ...newServer('a', 'pa55word-a'),
      passphrase: 'phrase',
    });
    const raw = await t.db
      .selectFrom('servers')
      .selectAll()
      .where('id', '=', server.id)
      .executeTakeFirstOrThrow();
    expect(raw.credential_encrypted).not.toContain('pa55word-a');
    expect(raw.credential_encrypted).toMatch(/^v2\.[\w-]{12}\./);
    expect(await readServerCredentials(t.db, box, server.id)).toEqual({
      credential: 'pa55word-a',
      passphrase: 'phrase',
    });
    expect(await findServerById(t.db, server.id)).not.toHaveProperty('credential_encrypted');
  });

  it('fails loudly with the wrong master key', async () => {
    const server = await insertServer(t.db, box, newServer('b', 'pa55word-b'));
    const wrong = new SecretBox(randomBytes(32));
    await expect(readServerCredentials(t.db, wrong, server.id)).rejects.toThrow(DecryptionError);
  });

  it('fails loudly when the stored ciphertext was tampered with', async () => {
    const server = await insertServer(t.db, box, newServer('c', 'pa55word-c'));
    const { credential_encrypted } = await t.db
      .selectFrom('servers')
      .select('credential_encrypted')
      .where('id', '=', server.id)
      .executeTakeFirstOrThrow();
    const dot = credential_encrypted.lastIndexOf('.');
    const bytes = Buffer.from(credential_encrypted.slice(dot + 1), 'base64url');
    bytes[20] = bytes[20]! ^ 0xff;
    await t.db
      .updateTable('servers')
      .set({
        credential_encrypted: credential_encrypted.slice(0, dot + 1) + bytes.toString('base64url'),
      })
      .where('id', '=', server.id)
      .execute();
    await expect(readServerCredentials(t.db, box, server.id)).rejects.toThrow(DecryptionError);
  });

  it('refuses a ciphertext swapped in from another row', async () => {
    const d = await insertServer(t.db, box, newServer('d', 'secret-of-d'));
    const e = await insertServer(t.db, box, newServer('e', 'secret-of-e'));
    const { credential_encrypted } = await t.db
      .selectFrom('servers')
      .select('credential_encrypted')
      .where('id', '=', d.id)
      .executeTakeFirstOrThrow();
    await t.db
      .updateTable('servers')
      .set({ credential_encrypted })
      .where('id', '=', e.id)
      .execute();
    await expect(readServerCredentials(t.db, box, e.id)).rejects.toThrow(DecryptionError);
    expect((await readServerCredentials(t.db, box, d.id))?.credential).toBe('secret-of-d');
  });
});
