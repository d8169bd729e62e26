export {
  hashPassword,
  verifyPassword,
  dummyPasswordHash,
  MIN_PASSWORD_LENGTH,
  PasswordHasherBusy,
  passwordWorkStarted,
} from './password-hasher.ts';
export {
  issueToken,
  hashToken,
  tokenKindOf,
  tokenHashesEqual,
  TOKEN_PREFIXES,
  type IssuedToken,
  type TokenKind,
} from './opaque-token.ts';
export {
  signRunToken,
  verifyRunToken,
  runTokenKeyId,
  RunTokenError,
  RUN_TOKEN_AUDIENCE,
  RUN_TOKEN_ISSUER,
  RUN_TOKEN_GRACE_SECONDS,
  type RunTokenClaims,
} from './run-token.ts';
