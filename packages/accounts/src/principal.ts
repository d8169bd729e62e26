/** Who is calling the API, as established by the server from a session or an API token. */
export interface Principal {
  userId: number;
  role: 'admin' | 'user';
  via: 'session' | 'api_token';
  /** The API token's scopes; a session has every scope. */
  scopes: string[] | 'all';
  /** The credential's row id (to sign out or to report last use). */
  credentialId: number;
}

/** Where a request came from, for the audit log. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

export function isAdmin(principal: Principal): boolean {
  return principal.role === 'admin';
}

export function hasScope(principal: Principal, scope: string): boolean {
  return principal.scopes === 'all' || principal.scopes.includes(scope);
}

/**
 * Who may see what a user owns (a run, its logs, an event, a server): its owner, and every
 * admin. The one rule for the REST API and the live-log socket.
 */
export function maySeeOwnedBy(principal: Pick<Principal, 'userId' | 'role'>, ownerId: number) {
  return principal.role === 'admin' || principal.userId === ownerId;
}

/** The owner a listing is limited to by `maySeeOwnedBy`: undefined for an admin (everyone). */
export function visibleOwner(principal: Pick<Principal, 'userId' | 'role'>): number | undefined {
  return principal.role === 'admin' ? undefined : principal.userId;
}
