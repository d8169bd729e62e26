import type { FastifyRequest } from 'fastify';
import { RunTokenError, verifyRunToken, type RunTokenClaims } from '@cronium/auth';
import { AppError } from '@cronium/service-kit';

/**
 * Who is calling: the attempt named by the bearer token (signature, pinned algorithm,
 * issuer, audience, expiry checked here; 401 otherwise). Whether that attempt is still the
 * live one is checked by each route's own statement (see run-state.repository.ts), so a call
 * costs one database round trip; a valid token of an attempt that is over gets 403.
 */
export function authenticateRun(jwtSecret: string, request: FastifyRequest): RunTokenClaims {
  const header = request.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  if (!token)
    throw new AppError('UNAUTHENTICATED', 'a run token is required (Authorization: Bearer ...)', {
      headers: { 'www-authenticate': 'Bearer realm="cronium-runtime"' },
    });
  try {
    return verifyRunToken(jwtSecret, token);
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
