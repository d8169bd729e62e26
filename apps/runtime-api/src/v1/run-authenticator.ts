import type { FastifyRequest } from 'fastify';
import { RunTokenError, verifyRunToken, type RunTokenClaims } from '@cronium/auth';
import { findLiveAttempt, type Db } from '@cronium/db';
import { AppError } from '@cronium/service-kit';

export interface RunCaller extends RunTokenClaims {
  ownerId: number;
}

/**
 * Who is calling: the attempt named by the bearer token, checked twice: the token itself
 * (signature, pinned algorithm, issuer, audience, expiry) and the database (this attempt of
 * this run is the one running now, for the event and user the token names). 401 for a bad
 * or missing token, 403 for a valid token whose attempt is over.
 */
export async function authenticateRun(
  db: Db,
  jwtSecret: string,
  request: FastifyRequest,
): Promise<RunCaller> {
  const header = request.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  if (!token)
    throw new AppError('UNAUTHENTICATED', 'a run token is required (Authorization: Bearer ...)', {
      headers: { 'www-authenticate': 'Bearer realm="cronium-runtime"' },
    });
  let claims: RunTokenClaims;
  try {
    claims = verifyRunToken(jwtSecret, token);
  } catch (error) {
    if (error instanceof RunTokenError)
      throw new AppError('UNAUTHENTICATED', error.message, {
        headers: { 'www-authenticate': 'Bearer realm="cronium-runtime", error="invalid_token"' },
      });
    throw error;
  }
  const live = await findLiveAttempt(db, { runId: claims.runId, attempt: claims.attempt });
  if (!live || live.eventId !== claims.eventId || live.ownerId !== claims.userId)
    throw new AppError('FORBIDDEN', 'this run attempt is no longer running; its token is void');
  return { ...claims, ownerId: live.ownerId };
}
