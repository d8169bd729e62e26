import { hashToken, issueToken, tokenHashesEqual, tokenKindOf } from './opaque-token.ts';
import { hashPassword, verifyPassword } from './password-hasher.ts';

describe('opaque tokens', () => {
  it('issues prefixed random tokens and stores only a hash', () => {
    const a = issueToken('api');
    const b = issueToken('api');
    expect(a.token).toMatch(/^crn_[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
    expect(tokenHashesEqual(hashToken(a.token), a.hash)).toBe(true);
    expect(tokenHashesEqual(hashToken(b.token), a.hash)).toBe(false);
    expect(tokenKindOf(a.token)).toBe('api');
    expect(tokenKindOf(issueToken('session').token)).toBe('session');
  });
});

describe('passwords', () => {
  it('hashes with argon2id and verifies', async () => {
    const stored = await hashPassword('correct horse battery');
    expect(stored).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(stored, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(stored, 'wrong password!')).toBe(false);
    await expect(hashPassword('short')).rejects.toThrow(/at least/);
  });
});
