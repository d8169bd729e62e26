import type { FastifyRequest } from 'fastify';
import { hashToken, tokenKindOf } from '@cronium/auth';
import { findViewer, type Db, type Viewer } from '@cronium/db';

/** The scope an API token needs to watch runs. */
export const LIVE_LOGS_SCOPE = 'runs:read';
export const SESSION_COOKIE = 'cronium_session';

function bearerOrCookie(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  const cookies = request.headers.cookie ?? '';
  for (const part of cookies.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE) {
      try {
        return decodeURIComponent(value.join('='));
      } catch {
        return undefined; // malformed: no credential, so 401
      }
    }
  }
  return undefined;
}

/**
 * Who opens the socket, decided before the upgrade from what the server can check: a session
 * (cookie or bearer) or an API token with the `runs:read` scope, looked up by hash. Nothing
 * the client merely claims (a user id in a message) is trusted.
 */
export async function authenticateViewer(
  db: Db,
  request: FastifyRequest,
): Promise<{ viewer: Viewer; stillValid: () => Promise<boolean> } | undefined> {
  const token = bearerOrCookie(request);
  if (!token) return undefined;
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
