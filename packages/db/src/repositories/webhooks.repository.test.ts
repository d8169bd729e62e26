import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { DecryptionError, SecretBox } from '@cronium/crypto';
import { insertTestEvent, insertTestUser } from '../testing/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.ts';
import { recordWebhookRefusal } from './webhook-refusals.repository.ts';
import {
  insertWebhook,
  listTargetWebhooks,
  readWebhookForDelivery,
  rotateWebhookSecret,
} from './webhooks.repository.ts';

describe('webhooks repository: secrets encrypted at rest, rotation, refusals counted', () => {
  let t: TestDatabase;
  let owner: number;
  let eventId: number;
  const box = new SecretBox(randomBytes(32));
  let n = 0;

  beforeAll(async () => {
    t = await createTestDatabase();
    owner = await insertTestUser(t.db);
    eventId = await insertTestEvent(t.db, owner);
  });
  afterAll(() => t.destroy());

  const insert = (secret: string) =>
    t.db.transaction().execute((trx) =>
      insertWebhook(trx, box, {
        ownerId: owner,
        target: { kind: 'event', id: eventId },
        name: `hook ${++n}`,
        publicId: randomBytes(18).toString('base64url'),
        secret,
        secretPrefix: secret.slice(0, 8),
      }),
    );

  it('keeps the secret encrypted and bound to its row, and never lists it', async () => {
    const hook = await insert('crw_first-secret-value');
    expect(hook).toMatchObject({ auth_mode: 'hmac', input_headers: [], enabled: true });
    expect(hook).not.toHaveProperty('secret_encrypted');
    const raw = await t.db
      .selectFrom('webhooks')
      .select('secret_encrypted')
      .where('id', '=', hook.id)
      .executeTakeFirstOrThrow();
    expect(raw.secret_encrypted).toMatch(/^v2\.[\w-]{12}\./);
    expect(raw.secret_encrypted).not.toContain('first-secret');
    expect(
      JSON.stringify(await listTargetWebhooks(t.db, { kind: 'event', id: eventId })),
    ).not.toContain(box.currentPrefix);
    const read = await readWebhookForDelivery(t.db, box, hook.public_id);
    expect(read).toMatchObject({
      secrets: ['crw_first-secret-value'],
      event: { id: eventId, status: 'active' },
      owner: { status: 'active', role: 'user' },
    });
    // Another hook's ciphertext copied into this row does not decrypt.
    const other = await insert('crw_other-secret-value');
    await t.db
      .updateTable('webhooks')
      .set({ secret_encrypted: raw.secret_encrypted })
      .where('id', '=', other.id)
      .execute();
    await expect(readWebhookForDelivery(t.db, box, other.public_id)).rejects.toBeInstanceOf(
      DecryptionError,
    );
    expect(await readWebhookForDelivery(t.db, box, 'no-such-public-id-000')).toBeUndefined();
  });

  it('rotates: the previous secret is accepted until its grace period ends, then not', async () => {
    const hook = await insert('crw_before-rotation');
    const rotate = (secret: string, graceSeconds: number) =>
      t.db.transaction().execute((trx) =>
        rotateWebhookSecret(trx, box, hook.id, {
          secret,
          secretPrefix: secret.slice(0, 8),
          graceSeconds,
        }),
      );
    const rotated = await rotate('crw_after-rotation', 3600);
    expect(rotated!.previous_secret_expires_at!.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    expect((await readWebhookForDelivery(t.db, box, hook.public_id))!.secrets).toEqual([
      'crw_after-rotation',
      'crw_before-rotation',
    ]);
    await t.db
      .updateTable('webhooks')
      .set({ previous_secret_expires_at: sql<Date>`now() - interval '1 second'` })
      .where('id', '=', hook.id)
      .execute();
    expect((await readWebhookForDelivery(t.db, box, hook.public_id))!.secrets).toEqual([
      'crw_after-rotation',
    ]);
    // Without a grace period the old secret goes at once, and an older one is forgotten.
    const again = await rotate('crw_third', 0);
    expect(again!.previous_secret_expires_at).toBeNull();
    expect((await readWebhookForDelivery(t.db, box, hook.public_id))!.secrets).toEqual([
      'crw_third',
    ]);
  });

  it('counts a hook’s refusals per reason and minute into one audit entry', async () => {
    const hook = await insert('crw_refusals');
    const refuse = (reason: string, ip: string, webhookId: number | null = hook.id) =>
      recordWebhookRefusal(t.db, {
        webhookId,
        reason,
        status: 401,
        ip,
        userAgent: 'curl/8',
        details: { eventId },
      });
    for (let i = 0; i < 25; i++) await refuse('bad_signature', `10.0.0.${i}`);
    await refuse('stale_timestamp', '10.0.1.1');
    await refuse('unknown_hook', '10.0.2.1', null);
    await refuse('unknown_hook', '10.0.2.2', null);
    const entries = await t.db
      .selectFrom('audit_log')
      .select(['target_id', 'details', 'ip'])
      .where('action', '=', 'webhook.refused')
      .orderBy('id')
      .execute();
    expect(entries).toEqual([
      {
        target_id: String(hook.id),
        ip: '10.0.0.0',
        details: expect.objectContaining({
          reason: 'bad_signature',
          status: 401,
          count: 25,
          lastIp: '10.0.0.24',
          eventId,
        }),
      },
      {
        target_id: String(hook.id),
        ip: '10.0.1.1',
        details: expect.objectContaining({ reason: 'stale_timestamp', count: 1 }),
      },
      {
        target_id: null,
        ip: '10.0.2.1',
        details: expect.objectContaining({ reason: 'unknown_hook', count: 2 }),
      },
    ]);
    // A new minute starts a new entry.
    await sql`UPDATE audit_log SET occurred_at = occurred_at - interval '1 minute'
      WHERE action = 'webhook.refused'`.execute(t.db);
    await refuse('bad_signature', '10.0.0.99');
    const latest = await t.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'webhook.refused')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(latest.details).toMatchObject({ reason: 'bad_signature', count: 1 });
  });
});
