import { Type } from '@sinclair/typebox';
import {
  checkQuota,
  confirmServerHostKey,
  createServer,
  deleteServer,
  listServers,
  readServer,
  scanServerHostKey,
  testServerConnection,
  updateServer,
} from '@cronium/event-service';
import type { Principal } from '@cronium/accounts';
import { AppError } from '@cronium/service-kit/errors';
import { answer, apiRoute } from '../api-route.ts';
import type { WebDeps } from '../../server/web-deps.ts';
import { idParam } from '../request-params.ts';
import {
  ConfirmHostKeyBody,
  ConnectionReport,
  CreateServerBody,
  HostKeyScan,
  Server,
  UpdateServerBody,
} from './server-schemas.ts';

const tags = ['servers'];

/**
 * Scans and tests connect from the web host to wherever the server points: a budget per user
 * keeps them from becoming a port scanner or a password-guessing proxy. Another's server (or
 * none) is a 404 first, and spends nothing.
 */
async function spendProbe(deps: WebDeps, principal: Principal, id: number): Promise<void> {
  await readServer(deps.db, principal, id);
  const key = `server-probe:${principal.userId}`;
  const wait = deps.serverProbes.retryAfter([key]);
  if (wait > 0)
    throw new AppError(
      'RATE_LIMITED',
      `too many SSH scans and connection tests; try again in ${wait} s`,
      { headers: { 'retry-after': String(wait) } },
    );
  deps.serverProbes.failed([key]);
}
const rateLimited = { description: 'too many scans and tests for now (Retry-After)' };
const notYours = { description: 'no such server of yours' };

export const getServers = apiRoute(
  'GET',
  '/api/v1/servers',
  {
    summary: 'Your SSH servers (admins: all), by name; credentials are never returned',
    tags,
    scope: 'servers:read',
    responses: { 200: { description: 'servers', schema: Type.Array(Server) } },
  },
  async ({ deps, principal }) => listServers(deps.db, principal),
);

export const postServer = apiRoute(
  'POST',
  '/api/v1/servers',
  {
    summary:
      'Add an SSH server (private key or password, stored encrypted); a hostKeyFingerprint given here is pinned',
    tags,
    scope: 'servers:write',
    body: CreateServerBody,
    responses: {
      201: { description: 'added', schema: Server },
      409: { description: 'you have a server of that name' },
      422: { description: 'bad host or user name, unusable key or passphrase, bad fingerprint' },
    },
  },
  async ({ deps, principal, body, meta }) =>
    checkQuota(deps.db, principal, 'servers', deps.ownerLimits.servers, 'servers').then(async () =>
      answer(201, await createServer(deps.db, deps.box, principal, body, meta)),
    ),
);

export const getServer = apiRoute(
  'GET',
  '/api/v1/servers/{id}',
  {
    summary: 'One server',
    tags,
    scope: 'servers:read',
    responses: { 200: { description: 'the server', schema: Server }, 404: notYours },
  },
  async ({ deps, principal, params }) => readServer(deps.db, principal, idParam(params.id)),
);

export const patchServer = apiRoute(
  'PATCH',
  '/api/v1/servers/{id}',
  {
    summary:
      'Change a server; a new host or port unpins its host key unless hostKeyFingerprint is given too',
    tags,
    scope: 'servers:write',
    body: UpdateServerBody,
    responses: { 200: { description: 'the server', schema: Server }, 404: notYours },
  },
  async ({ deps, principal, params, body, meta }) =>
    updateServer(deps.db, deps.box, principal, idParam(params.id), body, meta),
);

export const deleteServerRoute = apiRoute(
  'DELETE',
  '/api/v1/servers/{id}',
  {
    summary: 'Delete a server no event runs on',
    tags,
    scope: 'servers:write',
    responses: {
      204: { description: 'deleted' },
      404: notYours,
      409: { description: 'events run on this server' },
    },
  },
  async ({ deps, principal, params, meta }) => {
    await deleteServer(deps.db, principal, idParam(params.id), meta);
  },
);

export const postServerHostKeyScan = apiRoute(
  'POST',
  '/api/v1/servers/{id}/host-key/scan',
  {
    summary:
      'Read the host key the server presents now, to compare before confirming it (nothing is pinned)',
    tags,
    scope: 'servers:write',
    responses: {
      200: { description: 'the presented key and the pinned one', schema: HostKeyScan },
      404: notYours,
      422: {
        description:
          'the server could not be reached or presented no key, or the egress policy does not allow it',
      },
      429: rateLimited,
    },
  },
  async ({ deps, principal, params, meta }) => {
    const id = idParam(params.id);
    await spendProbe(deps, principal, id);
    return scanServerHostKey(deps.db, deps.egress, principal, id, meta);
  },
);

export const putServerHostKey = apiRoute(
  'PUT',
  '/api/v1/servers/{id}/host-key',
  {
    summary:
      'Confirm (pin) the host key fingerprint; connections presenting any other key are refused',
    tags,
    scope: 'servers:write',
    body: ConfirmHostKeyBody,
    responses: { 200: { description: 'the server', schema: Server }, 404: notYours },
  },
  async ({ deps, principal, params, body, meta }) =>
    confirmServerHostKey(deps.db, principal, idParam(params.id), body.fingerprint, meta),
);

export const postServerTest = apiRoute(
  'POST',
  '/api/v1/servers/{id}/test',
  {
    summary:
      'Test the connection within 10 s: reachable, pinned key, credentials, port forwarding, SFTP, interpreters (a failed check is ok: false with the reason)',
    tags,
    scope: 'servers:write',
    responses: {
      200: { description: 'the report', schema: ConnectionReport },
      404: notYours,
      422: { description: 'the egress policy does not allow this server for you' },
      429: rateLimited,
    },
  },
  async ({ deps, principal, params, meta }) => {
    const id = idParam(params.id);
    await spendProbe(deps, principal, id);
    return testServerConnection(deps.db, deps.box, deps.egress, principal, id, meta);
  },
);
