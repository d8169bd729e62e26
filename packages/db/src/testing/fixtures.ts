import type { Insertable } from 'kysely';
import type { Db } from '../create-database.ts';
import type { EventsTable } from '../schema/events.tables.ts';

let counter = 0;

export async function insertTestUser(
  db: Db,
  overrides: { email?: string; role?: 'admin' | 'user' } = {},
): Promise<number> {
  counter += 1;
  const { id } = await db
    .insertInto('users')
    .values({
      email: overrides.email ?? `user${counter}-${process.pid}@example.com`,
      password_hash: 'not-a-real-hash',
      role: overrides.role ?? 'user',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export async function insertTestEvent(
  db: Db,
  ownerId: number,
  overrides: Partial<Insertable<EventsTable>> = {},
): Promise<number> {
  counter += 1;
  const { id } = await db
    .insertInto('events')
    .values({
      owner_id: ownerId,
      name: `event ${counter}`,
      type: 'bash',
      script: 'true',
      ...overrides,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}
