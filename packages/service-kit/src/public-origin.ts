/**
 * Where browsers reach Cronium, for the web and ws processes: which `Origin` may send
 * cookie-authenticated requests (unsafe REST calls, WebSocket upgrades), and whether the
 * session cookie is `Secure` (`__Host-` named). A cookie is sent to every port and every
 * same-site page of a host, so the origin is the only thing that tells Cronium's own pages
 * from another site's (review findings M1, L1, L2). The variables are in public-origin-env.ts.
 */
export interface PublicOrigin {
  /** Origins (scheme://host[:port]) whose pages may use the session cookie. */
  origins: string[];
  /** The session cookie is `Secure` and named with the `__Host-` prefix. */
  secureCookie: boolean;
}

export function publicOrigin(publicUrl: string | undefined, webPort: number): PublicOrigin {
  if (publicUrl) {
    const url = new URL(publicUrl);
    return { origins: [url.origin], secureCookie: url.protocol === 'https:' };
  }
  return {
    origins: [
      `http://127.0.0.1:${webPort}`,
      `http://localhost:${webPort}`,
      `http://[::1]:${webPort}`,
    ],
    secureCookie: false,
  };
}

/** The session cookie's name: `__Host-` prefixed when it is Secure. */
export const SESSION_COOKIE = 'cronium_session';
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

/** The session token from a Cookie header (either name: a switch to https keeps sessions). */
export function sessionCookieOf(cookieHeader: string | null | undefined): string | undefined {
  let plain: string | undefined;
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SECURE_SESSION_COOKIE) return value.join('=');
    if (name === SESSION_COOKIE) plain = value.join('=');
  }
  return plain;
}

/**
 * Whether a browser request that carries the session cookie comes from one of Cronium's own
 * pages. Browsers send `Sec-Fetch-Site` and, on unsafe requests and WebSocket upgrades,
 * `Origin`; a request with neither is not from a browser page (curl, a script) and cannot
 * have been forged by one.
 */
export function fromOwnPage(
  headers: { origin?: string | null; secFetchSite?: string | null },
  allowed: PublicOrigin,
): { ok: true } | { ok: false; reason: string } {
  const { origin, secFetchSite } = headers;
  if (secFetchSite && secFetchSite !== 'same-origin' && secFetchSite !== 'none')
    return { ok: false, reason: `a ${secFetchSite} request cannot use the session cookie` };
  if (origin && !allowed.origins.includes(origin))
    return {
      ok: false,
      reason: `requests from ${origin} cannot use the session cookie (CRONIUM_PUBLIC_URL allows ${allowed.origins.join(', ')})`,
    };
  return { ok: true };
}
