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
