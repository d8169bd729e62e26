import type { FastifyRequest } from 'fastify';
import {
  authenticate,
  crossSiteRefusal,
  hasScope,
  presentedCredential,
  type Principal,
} from '@cronium/accounts/credentials';
import type { Db } from '@cronium/db';
import type { PublicOrigin } from '@cronium/service-kit';

/** The scope an API token needs to watch runs. */
export const LIVE_LOGS_SCOPE = 'runs:read';

/** Why a cookie-authenticated upgrade is refused: it does not come from Cronium's pages. */
export class ForeignOrigin extends Error {}

/**
 * Who opens the socket, decided before the upgrade from what the server can check, by the
 * same rules as the REST API (`@cronium/accounts/credentials`): a session (cookie or bearer)
 * or an API token with the `runs:read` scope, looked up by hash; with the cookie, the page must
 * be one of Cronium's own. Nothing the client merely claims (a user id in a message) is trusted.
 */
export async function authenticateViewer(
  db: Db,
  request: FastifyRequest,
  allowed: PublicOrigin,
): Promise<{ viewer: Principal; stillValid: () => Promise<boolean> } | undefined> {
  const credential = presentedCredential(request.headers);
  if (credential.token === undefined) return undefined;
  // A WebSocket handshake is not subject to CORS and carries the cookie from any page of the
  // site (review M1). Browsers cannot set Authorization on a WebSocket, so a bearer token
  // comes from a program, not a page.
  const refusal = crossSiteRefusal(credential, request.headers, allowed);
  if (refusal) throw new ForeignOrigin(refusal);
  const current = async () => {
    const principal = await authenticate(db, credential.token);
    return principal && hasScope(principal, LIVE_LOGS_SCOPE) ? principal : undefined;
  };
  const viewer = await current();
  if (!viewer) return undefined;
  // Re-checked while the socket is open: revoking, expiry, disabling the user or changing
  // their role ends it (what they may watch was decided with the role they had).
  return { viewer, stillValid: async () => (await current())?.role === viewer.role };
}
