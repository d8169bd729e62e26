import { auditAction, isAdmin, type Principal, type RequestMeta } from '@cronium/accounts';
import type { SecretBox } from '@cronium/crypto';
import {
  SERVER_PUBLIC_COLUMNS,
  deleteServerById,
  insertServerIn,
  pinServerHostKey,
  readServerCredentials,
  updateServerFields,
  writeServerCredentials,
  type Db,
  type ServerRow,
} from '@cronium/db';
import {
  scanHostKey,
  sshServerOf,
  testSshConnection,
  type SshConnectionReport,
} from '@cronium/executors/server-checks';
import {
  checkedLookup,
  isDestinationNotAllowed,
  type DestinationCheck,
  type EgressPolicy,
} from '@cronium/egress';
import { AppError } from '@cronium/service-kit/errors';
import { checkServerInput, storedAuth, type ServerInput } from './server-input.ts';

/** How long a scan or a whole connection test may take. */
export const PROBE_TIMEOUT_MS = 10_000;

/**
 * The egress policy for whoever asks for a scan or a test (admins reach internal ranges,
 * other users only what EGRESS_ALLOW lists), each refusal audited. The connection is made
 * from the web process, so without this a user could probe the web host's own network.
 */
function requesterDestination(
  db: Db,
  egress: EgressPolicy,
  principal: Principal,
  meta: RequestMeta,
  serverId: number,
): DestinationCheck {
  return checkedLookup(egress, { admin: isAdmin(principal) }, (refusal) =>
    auditAction(db, principal, meta, {
      action: 'egress.refused',
      targetType: 'server',
      targetId: String(serverId),
      details: {
        host: refusal.host,
        address: refusal.address,
        port: refusal.port,
        reason: refusal.reason,
      },
    }),
  );
}

/** A refusal of the policy as a 422 on the server; anything else is rethrown. */
function refusedDestination(error: unknown): never {
  if (isDestinationNotAllowed(error))
    throw new AppError('UNPROCESSABLE', error.message, {
      errors: [{ pointer: '/params/id', message: 'the egress policy does not allow this server' }],
    });
  throw error;
}

/** A server as the API shows it: never its credentials. */
export function serverView(row: ServerRow, eventIds: number[]) {
  const confirmed = row.host_key_confirmed_at !== null;
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    host: row.host,
    port: row.port,
    username: row.username,
    authMethod: row.auth_method,
    hostKeyFingerprint: confirmed ? row.host_key_fingerprint : null,
    hostKeyConfirmedAt: row.host_key_confirmed_at,
    maxConnections: row.max_connections,
    eventIds,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
export type ServerView = ReturnType<typeof serverView>;

/** The server if the principal may see it (owner or admin); "not found" otherwise. */
async function ownedServer(db: Db, principal: Principal, id: number): Promise<ServerRow> {
  const row = await db
    .selectFrom('servers')
    .select(SERVER_PUBLIC_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row || (!isAdmin(principal) && row.owner_id !== principal.userId))
    throw new AppError('NOT_FOUND', `no server ${id}`);
  return row;
}

async function eventIdsOf(db: Db, serverIds: number[]): Promise<Map<number, number[]>> {
  const map = new Map<number, number[]>(serverIds.map((id) => [id, []]));
  if (serverIds.length === 0) return map;
  const rows = await db
    .selectFrom('event_servers')
    .select(['event_id', 'server_id'])
    .where('server_id', 'in', serverIds)
    .orderBy('event_id')
    .execute();
  for (const r of rows) map.get(r.server_id)!.push(r.event_id);
  return map;
}

/** The principal's servers (an admin's: everyone's), by name. */
export async function listServers(db: Db, principal: Principal): Promise<ServerView[]> {
  let query = db.selectFrom('servers').select(SERVER_PUBLIC_COLUMNS).orderBy('name').orderBy('id');
  if (!isAdmin(principal)) query = query.where('owner_id', '=', principal.userId);
  const rows = await query.execute();
  const events = await eventIdsOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => serverView(r, events.get(r.id)!));
}

export async function readServer(db: Db, principal: Principal, id: number): Promise<ServerView> {
  const row = await ownedServer(db, principal, id);
  return serverView(row, (await eventIdsOf(db, [id])).get(id)!);
}

/** Postgres' unique violation on (owner, name) as a 409 a user can act on. */
function nameTaken(error: unknown, name: string | undefined): never {
  if ((error as { code?: string }).code === '23505')
    throw new AppError('CONFLICT', `you have a server named ${name ?? 'so'} already`);
  throw error;
}

/** Adds a server; its credentials are stored encrypted and never returned. */
export async function createServer(
  db: Db,
  box: SecretBox,
  principal: Principal,
  input: ServerInput,
  meta: RequestMeta,
): Promise<ServerView> {
  checkServerInput(input);
  const row = await db
    .transaction()
    .execute(async (trx) => {
      const created = await insertServerIn(trx, box, {
        ownerId: principal.userId,
        name: input.name.trim(),
        host: input.host,
        port: input.port,
        username: input.username,
        ...storedAuth(input.auth),
        hostKeyFingerprint: input.hostKeyFingerprint,
        maxConnections: input.maxConnections,
      });
      await auditAction(trx, principal, meta, {
        action: 'server.create',
        targetType: 'server',
        targetId: String(created.id),
        details: {
          host: created.host,
          port: created.port,
          hostKeyFingerprint: input.hostKeyFingerprint ?? null,
        },
      });
      return created;
    })
    .catch((error: unknown) => nameTaken(error, input.name));
  return serverView(row, []);
}

/**
 * Changes the given fields. A new host or port is another machine as far as its key goes:
 * the pinned fingerprint is dropped unless a new one is given in the same change.
 */
export async function updateServer(
  db: Db,
  box: SecretBox,
  principal: Principal,
  id: number,
  patch: Partial<ServerInput>,
  meta: RequestMeta,
): Promise<ServerView> {
  const current = await ownedServer(db, principal, id);
  checkServerInput(patch);
  const moved =
    (patch.host !== undefined && patch.host !== current.host) ||
    (patch.port !== undefined && patch.port !== current.port);
  await db
    .transaction()
    .execute(async (trx) => {
      await updateServerFields(trx, id, {
        ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
        ...(patch.host !== undefined ? { host: patch.host } : {}),
        ...(patch.port !== undefined ? { port: patch.port } : {}),
        ...(patch.username !== undefined ? { username: patch.username } : {}),
        ...(patch.maxConnections !== undefined ? { maxConnections: patch.maxConnections } : {}),
        unpinHostKey: moved && patch.hostKeyFingerprint === undefined,
      });
      if (patch.auth !== undefined)
        await writeServerCredentials(trx, box, id, storedAuth(patch.auth));
      if (patch.hostKeyFingerprint !== undefined)
        await pinServerHostKey(trx, id, patch.hostKeyFingerprint);
      await auditAction(trx, principal, meta, {
        action: 'server.update',
        targetType: 'server',
        targetId: String(id),
        details: {
          fields: Object.keys(patch),
          ...(moved && patch.hostKeyFingerprint === undefined ? { hostKeyUnpinned: true } : {}),
        },
      });
    })
    .catch((error: unknown) => nameTaken(error, patch.name));
  return readServer(db, principal, id);
}

/** Deletes a server no event runs on; its past runs keep their per-server results. */
export async function deleteServer(
  db: Db,
  principal: Principal,
  id: number,
  meta: RequestMeta,
): Promise<void> {
  await ownedServer(db, principal, id);
  await db
    .transaction()
    .execute(async (trx) => {
      const users = await trx
        .selectFrom('event_servers')
        .select('event_id')
        .where('server_id', '=', id)
        .orderBy('event_id')
        .execute();
      if (users.length > 0)
        throw new AppError(
          'CONFLICT',
          `events ${users.map((u) => u.event_id).join(', ')} run on this server: take it off them first`,
        );
      await deleteServerById(trx, id);
      await auditAction(trx, principal, meta, {
        action: 'server.delete',
        targetType: 'server',
        targetId: String(id),
      });
    })
    .catch((error: unknown) => {
      // An event was given this server between the check and the delete.
      if ((error as { code?: string }).code === '23503')
        throw new AppError('CONFLICT', 'an event runs on this server: take it off first');
      throw error;
    });
}

/**
 * Reads the host key the server presents now, for the user to compare with what they know
 * (`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the server) before confirming it.
 * Nothing is pinned or trusted by this.
 */
export async function scanServerHostKey(
  db: Db,
  egress: EgressPolicy,
  principal: Principal,
  id: number,
  meta: RequestMeta,
) {
  const server = await ownedServer(db, principal, id);
  const pinned = server.host_key_confirmed_at ? server.host_key_fingerprint : null;
  try {
    const presented = await scanHostKey(server, {
      destination: requesterDestination(db, egress, principal, meta, id),
      timeoutMs: PROBE_TIMEOUT_MS,
    });
    return { ...presented, pinned, matches: presented.fingerprint === pinned };
  } catch (error) {
    if (isDestinationNotAllowed(error)) refusedDestination(error);
    throw new AppError('UNPROCESSABLE', (error as Error).message, {
      errors: [{ pointer: '/params/id', message: 'the server did not present a host key' }],
    });
  }
}

/** Pins the fingerprint the user confirmed; from now on only that key is accepted. */
export async function confirmServerHostKey(
  db: Db,
  principal: Principal,
  id: number,
  fingerprint: string,
  meta: RequestMeta,
): Promise<ServerView> {
  const current = await ownedServer(db, principal, id);
  checkServerInput({ hostKeyFingerprint: fingerprint });
  await db.transaction().execute(async (trx) => {
    await pinServerHostKey(trx, id, fingerprint);
    await auditAction(trx, principal, meta, {
      action: 'server.host_key.confirm',
      targetType: 'server',
      targetId: String(id),
      details: {
        fingerprint,
        previous: current.host_key_confirmed_at ? current.host_key_fingerprint : null,
      },
    });
  });
  return readServer(db, principal, id);
}

/**
 * The "Test connection" report: reachable, the pinned key presented, the credentials
 * accepted, forwarding and SFTP, which interpreters exist. A failed check is a report with
 * `ok: false` and the reason in words, not an error; a destination the egress policy does
 * not allow the requester is a 422. The whole test ends within PROBE_TIMEOUT_MS.
 */
export async function testServerConnection(
  db: Db,
  box: SecretBox,
  egress: EgressPolicy,
  principal: Principal,
  id: number,
  meta: RequestMeta,
): Promise<SshConnectionReport> {
  const row = await ownedServer(db, principal, id);
  const destination = requesterDestination(db, egress, principal, meta, id);
  // Refused: a 422 before anything is sent. Unresolvable and such: the report says so.
  await destination(row.host, row.port).catch((error: unknown) => {
    if (isDestinationNotAllowed(error)) refusedDestination(error);
  });
  const credentials = (await readServerCredentials(db, box, id))!;
  const server = sshServerOf({
    ...row,
    ...credentials,
    pinnedFingerprint: row.host_key_confirmed_at ? row.host_key_fingerprint : null,
  });
  return testSshConnection(server, { destination, timeoutMs: PROBE_TIMEOUT_MS });
}
