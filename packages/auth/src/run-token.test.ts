import jwt from 'jsonwebtoken';
import {
  RUN_TOKEN_AUDIENCE,
  RUN_TOKEN_ISSUER,
  RunTokenError,
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
});
