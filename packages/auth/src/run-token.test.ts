import jwt from 'jsonwebtoken';
import {
  RUN_TOKEN_AUDIENCE,
  RUN_TOKEN_ISSUER,
  RunTokenError,
  runTokenKeyId,
  signRunToken,
  verifyRunToken,
} from './run-token.ts';

const SECRET = 'a'.repeat(48);
const claims = { runId: 12, attempt: 2, eventId: 3, userId: 4 };

describe('run tokens', () => {
  it('round-trips the claims', () => {
    expect(verifyRunToken(SECRET, signRunToken(SECRET, claims, 60))).toEqual(claims);
  });

  it('expires after timeout plus grace', () => {
    const token = signRunToken(SECRET, claims, 60);
    const payload = jwt.decode(token) as jwt.JwtPayload;
    expect(payload.exp! - payload.iat!).toBe(120);
  });

  it('refuses alg none, a wrong audience, a wrong secret and a tampered signature', () => {
    const none = jwt.sign({ att: 2, evt: 3, uid: 4 }, '', {
      algorithm: 'none',
      issuer: RUN_TOKEN_ISSUER,
      audience: RUN_TOKEN_AUDIENCE,
      subject: 'run:12',
    });
    expect(() => verifyRunToken(SECRET, none)).toThrow(RunTokenError);
    const wrongAudience = jwt.sign({ att: 2, evt: 3, uid: 4 }, SECRET, {
      issuer: RUN_TOKEN_ISSUER,
      audience: 'something-else',
      subject: 'run:12',
    });
    expect(() => verifyRunToken(SECRET, wrongAudience)).toThrow(/audience/);
    const token = signRunToken(SECRET, claims, 60);
    expect(() => verifyRunToken('b'.repeat(48), token)).toThrow(RunTokenError);
    const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    expect(() => verifyRunToken(SECRET, tampered)).toThrow(RunTokenError);
  });

  it('refuses an expired token', () => {
    const expired = jwt.sign(
      { att: 2, evt: 3, uid: 4, exp: Math.floor(Date.now() / 1000) - 10 },
      SECRET,
      {
        issuer: RUN_TOKEN_ISSUER,
        audience: RUN_TOKEN_AUDIENCE,
        subject: 'run:12',
      },
    );
    expect(() => verifyRunToken(SECRET, expired)).toThrow(/expired/);
  });

  it('names its key, so a rotation can accept the previous secret alongside the new one', () => {
    const NEW = 'n'.repeat(48);
    const old = signRunToken(SECRET, claims, 60);
    const fresh = signRunToken(NEW, claims, 60);
    expect(jwt.decode(fresh, { complete: true })!.header.kid).toBe(runTokenKeyId(NEW));
    expect(runTokenKeyId(NEW)).not.toContain('n'.repeat(8));
    // During the overlap both verify; new tokens are the new secret's.
    expect(verifyRunToken([NEW, SECRET], old)).toEqual(claims);
    expect(verifyRunToken([NEW, SECRET], fresh)).toEqual(claims);
    // After it, the old secret's tokens are refused, by name.
    expect(() => verifyRunToken([NEW], old)).toThrow(/key no longer accepted/);
    // A token claiming the new key id but signed with the old secret is still a forgery.
    const forged = jwt.sign({ att: 2, evt: 3, uid: 4 }, SECRET, {
      issuer: RUN_TOKEN_ISSUER,
      audience: RUN_TOKEN_AUDIENCE,
      subject: 'run:12',
      keyid: runTokenKeyId(NEW),
    });
    expect(() => verifyRunToken([NEW, SECRET], forged)).toThrow(/signature/);
    // A token of before key ids is checked against the current secret only.
    const unnamed = jwt.sign({ att: 2, evt: 3, uid: 4 }, SECRET, {
      issuer: RUN_TOKEN_ISSUER,
      audience: RUN_TOKEN_AUDIENCE,
      subject: 'run:12',
    });
    expect(verifyRunToken([SECRET], unnamed)).toEqual(claims);
    expect(() => verifyRunToken([NEW, SECRET], unnamed)).toThrow(RunTokenError);
  });
});
