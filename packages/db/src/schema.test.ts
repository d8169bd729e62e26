import { createTestDatabase, type TestDatabase } from './testing/test-database.ts';

// The schema's own constraints are the last line of defence against half-written state.
describe('schema constraints', () => {
  let t: TestDatabase;
  let userId: number;
  let eventId: number;

  beforeAll(async () => {
    t = await createTestDatabase();
    ({ id: userId } = await t.db
      .insertInto('users')
      .values({ email: 'u@example.com', password_hash: 'x' })
      .returning('id')
      .executeTakeFirstOrThrow());
    ({ id: eventId } = await t.db
      .insertInto('events')
      .values({
        owner_id: userId,
        name: 'e',
        type: 'bash',
        script: 'true',
        schedule_cron: '* * * * *',
      })
      .returning('id')
      .executeTakeFirstOrThrow());
  });
  afterAll(() => t.destroy());

  it('keep emails unique regardless of case', async () => {
    await expect(
      t.db.insertInto('users').values({ email: 'U@EXAMPLE.com', password_hash: 'x' }).execute(),
    ).rejects.toThrow(/users_email_key/);
  });

  it('allow one schedule tick per event and slot', async () => {
    const slot = new Date('2026-01-01T00:00:00Z');
    await t.db
      .insertInto('schedule_ticks')
      .values({ event_id: eventId, slot, outcome: 'enqueued' })
      .execute();
    await expect(
      t.db
        .insertInto('schedule_ticks')
        .values({ event_id: eventId, slot, outcome: 'enqueued' })
        .execute(),
    ).rejects.toThrow(/duplicate key/);
  });

  it('refuse a running run without a lease', async () => {
    await expect(
      t.db
        .insertInto('runs')
        .values({ event_id: eventId, owner_id: userId, trigger: 'manual', status: 'running' })
        .execute(),
    ).rejects.toThrow(/check constraint/);
  });

  it('refuse a script event without a script and an http event without a URL', async () => {
    await expect(
      t.db.insertInto('events').values({ owner_id: userId, name: 'x', type: 'python' }).execute(),
    ).rejects.toThrow(/check constraint/);
    await expect(
      t.db
        .insertInto('events')
        .values({ owner_id: userId, name: 'y', type: 'http', http_method: 'GET' })
        .execute(),
    ).rejects.toThrow(/check constraint/);
  });

  it('keep secret variables out of the clear-text column', async () => {
    await expect(
      t.db
        .insertInto('variables')
        .values({ owner_id: userId, key: 'TOKEN', is_secret: true, value: 'plain' })
        .execute(),
    ).rejects.toThrow(/check constraint/);
  });

  it('return identity columns as numbers', async () => {
    expect(typeof eventId).toBe('number');
  });
});
