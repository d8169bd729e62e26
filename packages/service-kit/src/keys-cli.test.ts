// `npm run keys`: what an operator sees when something is wrong (the whole rotation runs in
// apps/orchestrator/src/key-rotation.e2e.test.ts).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { SecretBox } from '@cronium/crypto';
import { writeVariable } from '@cronium/db';
import { createTestDatabase, insertTestUser, type TestDatabase } from '@cronium/db/testing';
import { spawnService } from './testing/service-process-harness.ts';

const OLD = randomBytes(32);
const NEW = randomBytes(32);
const actor = { actor_kind: 'system' as const, actor_id: null, actor_ref: 'keys test' };

describe('npm run keys', () => {
  let t: TestDatabase;
  const dataDir = mkdtempSync(join(tmpdir(), 'cronium-keys-'));

  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function keys(args: string[], env: Record<string, string> = {}) {
    const cli = spawnService(
      join(__dirname, 'keys-cli.ts'),
      {
        DATABASE_URL: t.url,
        CRONIUM_DATA_DIR: dataDir,
        CRONIUM_ENCRYPTION_KEY: NEW.toString('hex'),
        CRONIUM_ENCRYPTION_KEY_PREVIOUS: OLD.toString('hex'),
        ...env,
      },
      args,
    );
    const { code } = await cli.exited;
    return { code, output: cli.output() };
  }

  it('says how to call it', async () => {
    expect(await keys([])).toEqual({ code: 2, output: expect.stringMatching(/no command/) });
    expect(await keys(['rotate'])).toEqual({
      code: 2,
      output: expect.stringMatching(/unknown command "rotate"[\s\S]*usage: npm run keys/),
    });
    expect(await keys(['reencrypt', '--batch-size', '0'])).toMatchObject({ code: 2 });
  });

  it('refuses a key that is not one, without echoing it', async () => {
    const result = await keys(['status'], { CRONIUM_ENCRYPTION_KEY_PREVIOUS: 'secret-ish' });
    expect(result.code).toBe(78);
    expect(result.output).toMatch(/CRONIUM_ENCRYPTION_KEY_PREVIOUS is invalid/);
    expect(result.output).not.toContain('secret-ish');
  });

  it('re-encrypts what it can, names what it cannot, and keeps the old key needed', async () => {
    const owner = await insertTestUser(t.db);
    const write = (box: SecretBox, key: string) =>
      writeVariable(t.db, box, {
        ownerId: owner,
        key,
        value: `value of ${key}`,
        secret: true,
        actor,
      });
    await write(new SecretBox(OLD), 'MOVES');
    await write(new SecretBox(randomBytes(32)), 'STRANDED');
    const stranded = await t.db
      .selectFrom('variables')
      .select('id')
      .where('key', '=', 'STRANDED')
      .executeTakeFirstOrThrow();

    const result = await keys(['reencrypt']);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/re-encrypted 1 value in/);
    expect(result.output).toContain(
      `variables.value_encrypted id ${stranded.id}: Cannot decrypt value: it was encrypted with a master key that is not configured`,
    );
    expect(result.output).toMatch(/1 value still under another key \(variables\.value_encrypted\)/);

    const status = JSON.parse((await keys(['status', '--json'])).output) as {
      currentKeyId: string;
      columns: { column: string; outstanding: number }[];
    };
    expect(status.currentKeyId).toBe(new SecretBox(NEW).keyId);
    expect(status.columns.find((c) => c.column === 'variables.value_encrypted')).toMatchObject({
      outstanding: 1,
    });
  });

  it('runs one re-encryption at a time', async () => {
    const result = await t.db.connection().execute(async (other) => {
      await sql`SELECT pg_advisory_lock(hashtextextended('cronium:keys:reencrypt', 0))`.execute(
        other,
      );
      try {
        return await keys(['reencrypt']);
      } finally {
        await sql`SELECT pg_advisory_unlock(hashtextextended('cronium:keys:reencrypt', 0))`.execute(
          other,
        );
      }
    });
    expect(result).toEqual({
      code: 1,
      output: expect.stringMatching(/another re-encryption is running/),
    });
  });

  it('is not done while a running process still has the old key', async () => {
    await t.db.deleteFrom('variables').execute(); // the earlier test's stranded value
    const owner = await insertTestUser(t.db);
    await writeVariable(t.db, new SecretBox(OLD), {
      ownerId: owner,
      key: 'LATE',
      value: 'written by a process with the old key',
      secret: true,
      actor,
    });
    // A process of the old configuration, as its lasting connection names itself.
    const oldId = new SecretBox(OLD).keyId;
    const stale = new pg.Client({
      connectionString: t.url,
      application_name: `cronium-runtime-api@${oldId}`,
    });
    await stale.connect();
    try {
      const status = await keys(['status']);
      expect(status.output).toMatch(
        new RegExp(
          `a running process has key ${oldId} as its current key, not ${new SecretBox(NEW).keyId}: runtime-api \\(connected from`,
        ),
      );
      const report = JSON.parse((await keys(['status', '--json'])).output) as {
        processes: { service: string; keyId: string }[];
      };
      expect(report.processes).toEqual([
        expect.objectContaining({ service: 'runtime-api', keyId: oldId }),
      ]);
      const refused = await keys(['reencrypt']);
      expect(refused.code).toBe(1);
      expect(refused.output).toMatch(/re-encrypted 1 value in/);
      expect(refused.output).toMatch(/Restart them with the new CRONIUM_ENCRYPTION_KEY/);
      expect(refused.output).not.toMatch(/Retire the old key/);
    } finally {
      await stale.end();
    }
    // Its connection gone (restarted with the new key), the rotation is done.
    const done = await keys(['reencrypt']);
    expect(done.output).toMatch(/every encrypted value is under key .*Retire the old key/);
    expect(done.code).toBe(0);
  });
});
