import { secretReferences, type HttpRequestTemplate } from '@cronium/contracts';
import { sql, type Insertable, type Updateable } from 'kysely';
import { auditAction, isAdmin, type Principal, type RequestMeta } from '@cronium/accounts';
import type { SecretBox } from '@cronium/crypto';
import { openEventSecretEnv, sealEventSecretEnv, type Db, type EventsTable } from '@cronium/db';
import { CHANNELS } from '@cronium/run-queue';
import { AppError } from '@cronium/service-kit/errors';
import { checkEventAgainstCaps } from './event-caps.ts';
import { checkEventInput, type EventInput } from './event-input.ts';
import { checkToolAction } from './event-tool.ts';
import {
  checkEventActions,
  readEventActions,
  writeEventActions,
  type EventAction,
} from './event-actions.ts';
import { checkLocalAccess, roleOf, withDefaultTarget } from './event-target.ts';
import { eventView, type EventView } from './event-view.ts';
import { scheduleColumns } from './schedule-columns.ts';

/** Columns from API input (only the fields given; defaults are the database's). */
function columns(input: Partial<EventInput>): Updateable<EventsTable> {
  const c: Updateable<EventsTable> = {};
  if (input.name !== undefined) c.name = input.name.trim();
  if (input.description !== undefined) c.description = input.description;
  if (input.type !== undefined) c.type = input.type;
  if (input.script !== undefined) c.script = input.script;
  if (input.http !== undefined) {
    c.http_method = input.http?.method ?? null;
    c.http_url = input.http?.url ?? null;
    c.http_headers = JSON.stringify(input.http?.headers ?? {}) as never;
    c.http_body = input.http?.body ?? null;
  }
  if (input.tool !== undefined) {
    c.tool_credential_id = input.tool?.credentialId ?? null;
    c.tool_action = input.tool ? (JSON.stringify({ params: input.tool.params }) as never) : null;
  }
  if (input.schedule !== undefined) {
    const schedule: Updateable<EventsTable> = scheduleColumns(input.schedule);
    Object.assign(c, schedule);
  }
  if (input.status !== undefined) c.status = input.status;
  if (input.targetKind !== undefined) c.target_kind = input.targetKind;
  if (input.image !== undefined) c.image = input.image;
  if (input.timeoutSeconds !== undefined) c.timeout_seconds = input.timeoutSeconds;
  if (input.retry?.maxAttempts !== undefined) c.retry_max_attempts = input.retry.maxAttempts;
  if (input.retry?.delaySeconds !== undefined) c.retry_delay_seconds = input.retry.delaySeconds;
  if (input.retry?.backoffFactor !== undefined) c.retry_backoff_factor = input.retry.backoffFactor;
  if (input.concurrency?.policy !== undefined) c.concurrency_policy = input.concurrency.policy;
  if (input.concurrency?.max !== undefined) c.max_concurrent_runs = input.concurrency.max;
  if (input.priority !== undefined) c.priority = input.priority;
  if (input.env !== undefined) c.env = JSON.stringify(input.env) as never;
  if (input.tags !== undefined) c.tags = [...new Set(input.tags)];
  if (input.limits?.memoryMb !== undefined) c.memory_mb = input.limits.memoryMb;
  if (input.limits?.cpuMillis !== undefined) c.cpu_millis = input.limits.cpuMillis;
  if (input.limits?.pids !== undefined) c.pids_limit = input.limits.pids;
  if (input.networkEnabled !== undefined) c.network_enabled = input.networkEnabled;
  return c;
}

/** The event if the principal may see it (owner or admin); "not found" otherwise. */
export async function ownedEvent(db: Db, principal: Principal, id: number) {
  const row = await db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || (!isAdmin(principal) && row.owner_id !== principal.userId))
    throw new AppError('NOT_FOUND', `no event ${id}`);
  return row;
}

async function serverIdsOf(db: Db, eventIds: number[]): Promise<Map<number, number[]>> {
  const map = new Map<number, number[]>(eventIds.map((id) => [id, []]));
  if (eventIds.length === 0) return map;
  const rows = await db
    .selectFrom('event_servers')
    .select(['event_id', 'server_id'])
    .where('event_id', 'in', eventIds)
    .orderBy('server_id')
    .execute();
  for (const r of rows) map.get(r.event_id)!.push(r.server_id);
  return map;
}

async function setServers(db: Db, ownerId: number, eventId: number, serverIds: number[]) {
  const owned = serverIds.length
    ? await db
        .selectFrom('servers')
        .select('id')
        .where('id', 'in', serverIds)
        .where('owner_id', '=', ownerId)
        .execute()
    : [];
  if (owned.length !== new Set(serverIds).size)
    throw new AppError('UNPROCESSABLE', 'some servers are not yours or do not exist', {
      errors: [{ pointer: '/body/serverIds', message: 'ids of your own servers' }],
    });
  await db.deleteFrom('event_servers').where('event_id', '=', eventId).execute();
  if (owned.length > 0)
    await db
      .insertInto('event_servers')
      .values(owned.map((s) => ({ event_id: eventId, server_id: s.id })))
      .execute();
}

export const EVENT_SORTS = ['newest', 'oldest', 'name', 'nextFire'] as const;
export type EventSort = (typeof EVENT_SORTS)[number];

export interface EventFilter {
  /** Part of the name, the description or a tag (case-insensitive). */
  q?: string;
  status?: string;
  type?: string;
  targetKind?: string;
  tag?: string;
  sort?: EventSort;
  /** Keyset pagination (newest first only): events with an id below this one. */
  before?: number;
  /** Offset pagination (any order): events to skip. */
  offset?: number;
  limit?: number;
}

/** What the list shows of an event's most recent run. */
export interface LastRunView {
  id: number;
  status: string;
  createdAt: Date;
  finishedAt: Date | null;
}

export type EventListItem = EventView & { nextFireAt: Date | null; lastRun: LastRunView | null };

/** LIKE's wildcards in a user's search text, matched as themselves. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The principal's events (an admin's: everyone's), filtered, sorted and paginated in SQL, each
 * with its next fire time and its latest run (one index probe per listed event).
 */
export async function listEvents(
  db: Db,
  principal: Principal,
  filter: EventFilter,
): Promise<{ events: EventListItem[]; nextBefore: number | null; total: number }> {
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
  const sort = filter.sort ?? 'newest';
  let where = db.selectFrom('events');
  if (!isAdmin(principal)) where = where.where('owner_id', '=', principal.userId);
  if (filter.status) where = where.where('status', '=', filter.status as never);
  if (filter.type) where = where.where('type', '=', filter.type as never);
  if (filter.targetKind) where = where.where('target_kind', '=', filter.targetKind as never);
  if (filter.tag) where = where.where(sql<boolean>`tags @> ARRAY[${filter.tag}]::text[]`);
  const q = filter.q?.trim();
  if (q)
    where = where.where((eb) =>
      eb.or([
        eb('name', 'ilike', likePattern(q)),
        eb('description', 'ilike', likePattern(q)),
        eb(sql<boolean>`${q.toLowerCase()} = ANY(tags)`, '=', true),
      ]),
    );
  const counted = where.select((eb) => eb.fn.countAll<string>().as('total')).executeTakeFirst();
  let query = where.selectAll().limit(limit + 1);
  if (sort === 'newest') query = query.orderBy('id', 'desc');
  else if (sort === 'oldest') query = query.orderBy('id', 'asc');
  else if (sort === 'name') query = query.orderBy(sql`lower(name)`).orderBy('id', 'desc');
  else query = query.orderBy(sql`schedule_next_at ASC NULLS LAST`).orderBy('id', 'desc');
  if (filter.before && sort === 'newest') query = query.where('id', '<', filter.before);
  if (filter.offset) query = query.offset(filter.offset);
  const [rows, total] = await Promise.all([query.execute(), counted]);
  const page = rows.slice(0, limit);
  const ids = page.map((r) => r.id);
  const [servers, lastRuns] = await Promise.all([serverIdsOf(db, ids), lastRunsOf(db, ids)]);
  return {
    events: page.map((r) => ({
      ...eventView(r, servers.get(r.id)!),
      nextFireAt: r.status === 'active' && r.schedule_cron ? r.schedule_next_at : null,
      lastRun: lastRuns.get(r.id) ?? null,
    })),
    nextBefore: sort === 'newest' && rows.length > limit ? page.at(-1)!.id : null,
    total: Number(total?.total ?? 0),
  };
}

/** Each event's latest run, by the (event_id, id DESC) index. */
async function lastRunsOf(db: Db, eventIds: number[]): Promise<Map<number, LastRunView>> {
  const map = new Map<number, LastRunView>();
  if (eventIds.length === 0) return map;
  const { rows } = await sql<{
    event_id: number;
    id: number;
    status: string;
    created_at: Date;
    finished_at: Date | null;
  }>`SELECT e.id AS event_id, r.id, r.status, r.created_at, r.finished_at
       FROM unnest(${eventIds}::int[]) AS e(id)
       CROSS JOIN LATERAL (SELECT id, status, created_at, finished_at FROM runs
                           WHERE event_id = e.id ORDER BY id DESC LIMIT 1) r`.execute(db);
  for (const r of rows)
    map.set(r.event_id, {
      id: r.id,
      status: r.status,
      createdAt: r.created_at,
      finishedAt: r.finished_at,
    });
  return map;
}

export async function readEvent(
  db: Db,
  principal: Principal,
  id: number,
): Promise<EventView & { actions: EventAction[] }> {
  const row = await ownedEvent(db, principal, id);
  const [servers, actions] = await Promise.all([serverIdsOf(db, [id]), readEventActions(db, id)]);
  return { ...eventView(row, servers.get(id)!), actions };
}

/**
 * Applies a secret environment change (a value sets a name, null removes it) to what the
 * event has, re-encrypted as a whole and bound to the event; the names are kept in clear.
 */
async function writeSecretEnv(
  trx: Db,
  box: SecretBox,
  eventId: number,
  change: Record<string, string | null>,
) {
  const { secret_env_encrypted } = await trx
    .selectFrom('events')
    .select('secret_env_encrypted')
    .where('id', '=', eventId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const env = openEventSecretEnv(box, eventId, secret_env_encrypted);
  for (const [name, value] of Object.entries(change))
    if (value === null) delete env[name];
    else env[name] = value;
  await trx
    .updateTable('events')
    .set({
      secret_env_encrypted: sealEventSecretEnv(box, eventId, env),
      secret_env_keys: Object.keys(env).sort(),
    })
    .where('id', '=', eventId)
    .execute();
}

/** A name may not be both in env and secret; checked against what the event will hold. */
function checkSecretNamesAgainstEnv(secretNames: string[], env: Record<string, string>) {
  const both = secretNames.filter((name) => name in env);
  if (both.length > 0)
    throw new AppError('UNPROCESSABLE', 'the event cannot be saved as it is', {
      errors: both.map((name) => ({
        pointer: `/body/env/${name}`,
        message: 'also a secret environment variable: a name is either secret or not',
      })),
    });
}

export async function createEvent(
  db: Db,
  box: SecretBox,
  principal: Principal,
  input: EventInput,
  meta: RequestMeta,
): Promise<EventView> {
  input = await withDefaultTarget(db, input);
  checkEventInput(input);
  checkSecretReferences(
    input.http ?? null,
    Object.entries(input.secretEnv ?? {}).flatMap(([name, value]) =>
      value === null ? [] : [name],
    ),
  );
  await checkEventAgainstCaps(db, input, principal.userId);
  await checkLocalAccess(db, input, principal.role);
  await checkToolAction(db, principal.userId, input.tool);
  await checkEventActions(db, principal.userId, input.actions);
  const id = await db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('events')
      .values({ ...(columns(input) as Insertable<EventsTable>), owner_id: principal.userId })
      .returning('id')
      .executeTakeFirstOrThrow();
    await setServers(trx as unknown as Db, principal.userId, id, input.serverIds ?? []);
    if (input.secretEnv) await writeSecretEnv(trx as unknown as Db, box, id, input.secretEnv);
    if (input.actions) await writeEventActions(trx as unknown as Db, id, input.actions);
    await audit(trx as unknown as Db, principal, 'event.create', id, meta, {
      secretEnvKeys: Object.keys(input.secretEnv ?? {}),
    });
    await sql`SELECT pg_notify(${CHANNELS.scheduleChanged}, ${String(id)})`.execute(trx);
    return id;
  });
  return readEvent(db, principal, id);
}

/** Changes the given fields; the result is checked as a whole before it is written. */
export async function updateEvent(
  db: Db,
  box: SecretBox,
  principal: Principal,
  id: number,
  patch: Partial<EventInput>,
  meta: RequestMeta,
): Promise<EventView> {
  const current = await readEvent(db, principal, id);
  const merged = {
    ...current,
    ...patch,
    http: patch.http !== undefined ? patch.http : current.http,
    tool: patch.tool !== undefined ? patch.tool : current.tool,
    schedule: patch.schedule !== undefined ? patch.schedule : current.schedule,
  } as EventInput;
  checkEventInput(merged);
  if (patch.tool !== undefined) await checkToolAction(db, current.ownerId, merged.tool);
  await checkEventActions(db, current.ownerId, patch.actions, id);
  await checkEventAgainstCaps(db, merged, current.ownerId);
  // Switching an event to local (or a local HTTP event to a script) is checked against what
  // its owner may run; other edits of an existing local event are not refused here (its runs
  // are, by the orchestrator, if its owner may no longer run local scripts).
  if (patch.targetKind !== undefined || patch.type !== undefined)
    await checkLocalAccess(db, merged, await roleOf(db, current.ownerId));
  checkSecretNamesAgainstEnv(
    current.secretEnvKeys.filter((name) => patch.secretEnv?.[name] !== null),
    merged.env ?? {},
  );
  checkSecretReferences(merged.http ?? null, [
    ...current.secretEnvKeys.filter((name) => patch.secretEnv?.[name] !== null),
    ...Object.entries(patch.secretEnv ?? {}).flatMap(([name, value]) =>
      value === null ? [] : [name],
    ),
  ]);
  await db.transaction().execute(async (trx) => {
    const set = columns(patch);
    if (Object.keys(set).length > 0)
      await trx
        .updateTable('events')
        .set({ ...set, updated_at: new Date() })
        .where('id', '=', id)
        .execute();
    if (patch.serverIds !== undefined)
      await setServers(trx as unknown as Db, current.ownerId, id, patch.serverIds);
    if (patch.secretEnv !== undefined)
      await writeSecretEnv(trx as unknown as Db, box, id, patch.secretEnv);
    if (patch.actions !== undefined)
      await writeEventActions(trx as unknown as Db, id, patch.actions);
    await audit(trx as unknown as Db, principal, 'event.update', id, meta, {
      fields: Object.keys(patch),
      ...(patch.secretEnv ? { secretEnvKeys: Object.keys(patch.secretEnv) } : {}),
    });
    await sql`SELECT pg_notify(${CHANNELS.scheduleChanged}, ${String(id)})`.execute(trx);
  });
  return readEvent(db, principal, id);
}

/**
 * `{{secrets.NAME}}` in an HTTP event must name one of its secret environment values, and may
 * not stand in the URL's origin or a header's name (422 with the pointer to where it is).
 */
function checkSecretReferences(
  http: (Partial<HttpRequestTemplate> & Pick<HttpRequestTemplate, 'method' | 'url'>) | null,
  secretNames: string[],
): void {
  if (!http) return;
  const { references, problems } = secretReferences({
    method: http.method,
    url: http.url,
    headers: http.headers ?? {},
    body: http.body ?? null,
  });
  const known = new Set(secretNames);
  for (const { name, pointer } of references)
    if (!known.has(name))
      problems.push({
        pointer,
        message: `{{secrets.${name}}} names no secret of this event: add ${name} to secretEnv`,
      });
  if (problems.length > 0)
    throw new AppError('UNPROCESSABLE', 'the event cannot be saved as it is', { errors: problems });
}

/** Deletes an event and its runs (their logs too). */
export async function deleteEvent(
  db: Db,
  principal: Principal,
  id: number,
  meta: RequestMeta,
): Promise<void> {
  await ownedEvent(db, principal, id);
  await db.transaction().execute(async (trx) => {
    const active = await trx
      .selectFrom('runs')
      .select('id')
      .where('event_id', '=', id)
      .where('status', 'in', ['running', 'cancelling'])
      .limit(1)
      .executeTakeFirst();
    if (active) throw new AppError('CONFLICT', 'the event has a run in progress: cancel it first');
    const inWorkflow = await trx
      .selectFrom('workflow_nodes')
      .select('id')
      .where('event_id', '=', id)
      .limit(1)
      .executeTakeFirst();
    if (inWorkflow)
      throw new AppError('CONFLICT', 'the event is part of a workflow: remove it there first');
    await trx.deleteFrom('event_servers').where('event_id', '=', id).execute();
    await trx.deleteFrom('events').where('id', '=', id).execute();
    await audit(trx as unknown as Db, principal, 'event.delete', id, meta);
  });
}

async function audit(
  db: Db,
  principal: Principal,
  action: string,
  id: number,
  meta: RequestMeta,
  details: Record<string, unknown> = {},
) {
  await auditAction(db, principal, meta, {
    action,
    targetType: 'event',
    targetId: String(id),
    details,
  });
}
