import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

const ALGORITHM = 'HS256';
export const RUN_TOKEN_ISSUER = 'cronium-orchestrator';
export const RUN_TOKEN_AUDIENCE = 'cronium-runtime-api';
/** Added to the run's timeout so a token does not expire while the run is being finished. */
export const RUN_TOKEN_GRACE_SECONDS = 60;

export interface RunTokenClaims {
  runId: number;
  attempt: number;
  eventId: number;
  userId: number;
  /** The server an SSH attempt runs on (one token per server of a multi-server run). */
  serverId?: number;
}

/** The secret as a key object, made once: jsonwebtoken would make one on every call. */
const keys = new Map<string, KeyObject>();
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    keys.set(secret, key);
  }
  return key;
}

/**
 * The id a secret's tokens carry in their header (`kid`): the start of its SHA-256, which names
 * the key without revealing it. During a rotation the verifier holds the new secret and the
 * previous one, and picks the one a token names.
 */
export function runTokenKeyId(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('base64url').slice(0, 16);
}

export class RunTokenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RunTokenError';
  }
}

/** A short-lived JWT for one attempt of one run, valid for its timeout plus a small grace. */
export function signRunToken(
  secret: string,
  claims: RunTokenClaims,
  timeoutSeconds: number,
): string {
  const payload = {
    att: claims.attempt,
    evt: claims.eventId,
    uid: claims.userId,
    ...(claims.serverId === undefined ? {} : { srv: claims.serverId }),
  };
  return jwt.sign(payload, keyOf(secret), {
    algorithm: ALGORITHM,
    keyid: runTokenKeyId(secret),
    issuer: RUN_TOKEN_ISSUER,
    audience: RUN_TOKEN_AUDIENCE,
    subject: `run:${claims.runId}`,
    expiresIn: timeoutSeconds + RUN_TOKEN_GRACE_SECONDS,
  });
}

/**
 * Verifies signature, algorithm (pinned: `none` and asymmetric algorithms are refused),
 * issuer, audience and expiry, with the one of `secrets` (the current one first, then any
 * still accepted during a rotation) whose key id the token names; a token without one (made
 * before tokens carried it) is checked against the current secret. Whether the attempt is
 * still the running one is the caller's check against the database.
 */
export function verifyRunToken(secrets: string | readonly string[], token: string): RunTokenClaims {
  const accepted = typeof secrets === 'string' ? [secrets] : secrets;
  const kid = (jwt.decode(token, { complete: true }) as jwt.Jwt | null)?.header.kid;
  const secret = kid === undefined ? accepted[0] : accepted.find((s) => runTokenKeyId(s) === kid);
  if (secret === undefined)
    throw new RunTokenError(`invalid run token: signed with a key no longer accepted (kid ${kid})`);
  let payload: jwt.JwtPayload;
  try {
    const decoded = jwt.verify(token, keyOf(secret), {
      algorithms: [ALGORITHM],
      issuer: RUN_TOKEN_ISSUER,
      audience: RUN_TOKEN_AUDIENCE,
    });
    if (typeof decoded === 'string') throw new Error('unexpected string payload');
    payload = decoded;
  } catch (cause) {
    throw new RunTokenError(`invalid run token: ${(cause as Error).message}`, { cause });
  }
  const runId = Number(/^run:(\d+)$/.exec(payload.sub ?? '')?.[1]);
  const { att, evt, uid, srv } = payload as {
    att?: unknown;
    evt?: unknown;
    uid?: unknown;
    srv?: unknown;
  };
  if (
    !Number.isSafeInteger(runId) ||
    !Number.isSafeInteger(att) ||
    !Number.isSafeInteger(evt) ||
    !Number.isSafeInteger(uid)
  ) {
    throw new RunTokenError('invalid run token: missing claims');
  }
  if (srv !== undefined && !Number.isSafeInteger(srv))
    throw new RunTokenError('invalid run token: bad server claim');
  return {
    runId,
    attempt: att as number,
    eventId: evt as number,
    userId: uid as number,
    ...(srv === undefined ? {} : { serverId: srv as number }),
  };
}
