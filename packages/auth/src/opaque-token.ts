import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Kinds of bearer secrets, each with its own visible prefix so leaked tokens are recognisable. */
export const TOKEN_PREFIXES = {
  session: 'crs_',
  api: 'crn_',
  webhook: 'crw_',
  invitation: 'cri_',
} as const;
export type TokenKind = keyof typeof TOKEN_PREFIXES;

export interface IssuedToken {
  /** Shown to the user once; never stored. */
  token: string;
  /** What the database keeps. */
  hash: Buffer;
  /** A short, non-secret prefix for listing tokens ("crn_AbCd…"). */
  displayPrefix: string;
}

/** 256 random bits; stored only as SHA-256 (the token is random, so no slow hash is needed). */
export function issueToken(kind: TokenKind): IssuedToken {
  const token = TOKEN_PREFIXES[kind] + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token), displayPrefix: token.slice(0, 8) };
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function tokenKindOf(token: string): TokenKind | undefined {
  return (Object.keys(TOKEN_PREFIXES) as TokenKind[]).find((k) =>
    token.startsWith(TOKEN_PREFIXES[k]),
  );
}

export function tokenHashesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
