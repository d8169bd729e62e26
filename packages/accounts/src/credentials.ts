import type { Db } from '@cronium/db';
import { hashToken, tokenKindOf } from '@cronium/auth';
import {
  fromOwnPage,
  sessionCookieOf,
  type PublicOrigin,
} from '@cronium/service-kit/public-origin';
import type { Principal } from './principal.ts';

export { hasScope, isAdmin, maySeeOwnedBy, visibleOwner, type Principal } from './principal.ts';

// How every Cronium process that serves people (web's REST API, ws's live logs) tells who is
// calling: one reading of the credential, one cross-site rule, one lookup.

type HeaderValue = string | string[] | undefined;

function first(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The credential a request presents: `Authorization: Bearer ...`, else the session cookie. */
export interface PresentedCredential {
  token: string | undefined;
  from: 'bearer' | 'cookie' | 'none';
}

export function presentedCredential(headers: {
  authorization?: HeaderValue;
  cookie?: HeaderValue;
}): PresentedCredential {
  const authorization = first(headers.authorization);
  if (authorization?.startsWith('Bearer '))
    return { token: authorization.slice(7).trim(), from: 'bearer' };
  const token = sessionCookieOf(first(headers.cookie));
  return { token, from: token === undefined ? 'none' : 'cookie' };
}

/**
 * Why a request that relies on the session cookie (or signs in, to get one) is refused, or
 * undefined when it may go on.
 * A cookie goes with every request to this host, whichever page sends it (and a WebSocket
 * handshake is not subject to CORS), so a cookie-borne request that changes something, or
 * opens a socket, must come from one of Cronium's own pages. A bearer token is never sent by a
 * browser on its own, so it needs no such check.
 */
export function crossSiteRefusal(
  credential: PresentedCredential,
  headers: { origin?: HeaderValue; 'sec-fetch-site'?: HeaderValue },
  allowed: PublicOrigin,
): string | undefined {
  if (credential.from === 'bearer') return undefined;
  const own = fromOwnPage(
    {
      origin: first(headers.origin) ?? null,
      secFetchSite: first(headers['sec-fetch-site']) ?? null,
    },
    allowed,
  );
  return own.ok ? undefined : own.reason;
}

/** When this process last wrote each token's last use (bounded: cleared past 10,000). */
const lastUseWritten = new Map<number, number>();
const LAST_USE_RESOLUTION_MS = 60_000;

/**
 * Whether to record a token's use: at most once a minute, and once per process even when many
 * requests with the same token arrive together (they all read the old time).
 */
function lastUseIsStale(tokenId: number, stored: Date | null): boolean {
  const now = Date.now();
  if (stored && now - stored.getTime() <= LAST_USE_RESOLUTION_MS) return false;
  const written = lastUseWritten.get(tokenId);
  if (written !== undefined && now - written <= LAST_USE_RESOLUTION_MS) return false;
  if (lastUseWritten.size >= 10_000) lastUseWritten.clear();
  lastUseWritten.set(tokenId, now);
  return true;
}

/**
 * The principal behind a bearer token or session cookie value, if it is current: not
 * expired, not revoked, its user active. API tokens record their last use (at most once a
 * minute, so a busy token does not write on every call).
 */
export async function authenticate(
  db: Db,
  token: string | undefined,
): Promise<Principal | undefined> {
  if (!token) return undefined;
  const kind = tokenKindOf(token);
  const hash = hashToken(token);
  if (kind === 'session') {
    const row = await db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select(['s.id', 's.user_id', 'u.role'])
      .where('s.token_hash', '=', hash)
      .where('s.revoked_at', 'is', null)
      .where('s.expires_at', '>', new Date())
      .where('u.status', '=', 'active')
      .executeTakeFirst();
    return row
      ? {
          userId: row.user_id,
          role: row.role as Principal['role'],
          via: 'session',
          scopes: 'all',
          credentialId: row.id,
        }
      : undefined;
  }
  if (kind === 'api') {
    const row = await db
      .selectFrom('api_tokens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .select(['t.id', 't.user_id', 't.scopes', 't.last_used_at', 'u.role'])
      .where('t.token_hash', '=', hash)
      .where('t.revoked_at', 'is', null)
      .where((eb) => eb.or([eb('t.expires_at', 'is', null), eb('t.expires_at', '>', new Date())]))
      .where('u.status', '=', 'active')
      .executeTakeFirst();
    if (!row) return undefined;
    if (lastUseIsStale(row.id, row.last_used_at))
      await db
        .updateTable('api_tokens')
        .set({ last_used_at: new Date() })
        .where('id', '=', row.id)
        .execute();
    return {
      userId: row.user_id,
      role: row.role as Principal['role'],
      via: 'api_token',
      scopes: row.scopes,
      credentialId: row.id,
    };
  }
  return undefined;
}
