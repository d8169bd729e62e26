import type { FastifyRequest } from 'fastify';
import { RunTokenError, verifyRunToken, type RunTokenClaims } from '@cronium/auth';
import { AppError } from '@cronium/service-kit';

/**
 * Who is calling: the attempt named by the bearer token (signature, pinned algorithm,
 * issuer, audience, expiry checked here; 401 otherwise). Whether that attempt is still the
 * live one is checked by each route's own statement (see @cronium/run-queue's live-attempt.ts), so a call
 * costs one database round trip; a valid token of an attempt that is over gets 403.
 */
export function authenticateRun(
  jwtSecrets: readonly string[],
  request: FastifyRequest,
  verified: VerifiedTokens,
): RunTokenClaims {
  const header = request.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  if (!token)
    throw new AppError('UNAUTHENTICATED', 'a run token is required (Authorization: Bearer ...)', {
      headers: { 'www-authenticate': 'Bearer realm="cronium-runtime"' },
    });
  const known = verified.get(token);
  if (known) return known;
  try {
    const claims = verifyRunToken(jwtSecrets, token);
    verified.set(token, claims);
    return claims;
  } catch (error) {
    if (error instanceof RunTokenError)
      throw new AppError('UNAUTHENTICATED', error.message, {
        headers: { 'www-authenticate': 'Bearer realm="cronium-runtime", error="invalid_token"' },
      });
    throw error;
  }
}

/** The answer for a valid token whose attempt is no longer the running one. */
export function attemptGone(): AppError {
  return new AppError('FORBIDDEN', 'this run attempt is no longer running; its token is void');
}

/**
 * Tokens whose signature was already checked, until they expire: a script calling in a loop
 * costs one HMAC, not one per call. Only the exact token string hits; expiry is still
 * enforced (an entry past its `exp` is dropped and the token verified again, and refused).
 */
export class VerifiedTokens {
  readonly #entries = new Map<string, { claims: RunTokenClaims; expiresAtMs: number }>();
  readonly #max: number;

  constructor(max = 10_000) {
    this.#max = max;
  }

  get(token: string): RunTokenClaims | undefined {
    const entry = this.#entries.get(token);
    if (!entry) return undefined;
    if (Date.now() >= entry.expiresAtMs) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry.claims;
  }

  set(token: string, claims: RunTokenClaims): void {
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
      exp?: number;
    };
    if (typeof payload.exp === 'number')
      this.#entries.set(token, { claims, expiresAtMs: payload.exp * 1000 });
  }
}
