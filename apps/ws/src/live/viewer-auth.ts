import type { FastifyRequest } from 'fastify';
import { hashToken, tokenKindOf } from '@cronium/auth';
import { findViewer, type Db, type Viewer } from '@cronium/db';
import { fromOwnPage, sessionCookieOf, type PublicOrigin } from '@cronium/service-kit';

/** The scope an API token needs to watch runs. */
export const LIVE_LOGS_SCOPE = 'runs:read';
function bearerOrCookie(
  request: FastifyRequest,
): { token: string; from: 'bearer' | 'cookie' } | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return { token: header.slice(7).trim(), from: 'bearer' };
  const cookie = sessionCookieOf(request.headers.cookie);
  if (cookie === undefined) return undefined;
  try {
    return { token: decodeURIComponent(cookie), from: 'cookie' };
  } catch {
    return undefined; // malformed: no credential, so 401
  }
}

/** Why a cookie-authenticated upgrade is refused: it does not come from Cronium's pages. */
export class ForeignOrigin extends Error {}

/**
 * Who opens the socket, decided before the upgrade from what the server can check: a session
 * (cookie or bearer) or an API token with the `runs:read` scope, looked up by hash. Nothing
 * the client merely claims (a user id in a message) is trusted.
 */
export async function authenticateViewer(
  db: Db,
  request: FastifyRequest,
  allowed: PublicOrigin,
): Promise<{ viewer: Viewer; stillValid: () => Promise<boolean> } | undefined> {
  const presented = bearerOrCookie(request);
  if (!presented) return undefined;
  // A WebSocket handshake is not subject to CORS and carries the cookie from any page of the
  // site (review M1): with the cookie, the page must be one of Cronium's own. Browsers cannot
  // set Authorization on a WebSocket, so a bearer token comes from a program, not a page.
  if (presented.from === 'cookie') {
    const own = fromOwnPage(
      {
        origin: request.headers.origin,
        secFetchSite: request.headers['sec-fetch-site'] as string | undefined,
      },
      allowed,
    );
    if (!own.ok) throw new ForeignOrigin(own.reason);
  }
  const token = presented.token;
  const kind = tokenKindOf(token);
  if (kind !== 'session' && kind !== 'api') return undefined;
  const credential = {
    kind: kind === 'session' ? ('session' as const) : ('api_token' as const),
    hash: hashToken(token),
  };
  const viewer = await findViewer(db, credential, [LIVE_LOGS_SCOPE]);
  if (!viewer) return undefined;
  return {
    viewer,
    // Re-checked while the socket is open: revoking, expiry or disabling the user ends it.
    stillValid: async () => (await findViewer(db, credential, [LIVE_LOGS_SCOPE])) !== undefined,
  };
}
