export {
  isAdmin,
  hasScope,
  maySeeOwnedBy,
  visibleOwner,
  type Principal,
  type RequestMeta,
} from './principal.ts';
export {
  authenticate,
  presentedCredential,
  crossSiteRefusal,
  type PresentedCredential,
} from './credentials.ts';
export { auditAction, auditActor, type AuditedAction } from './audit-action.ts';
export { needsSetup, createFirstAdmin } from './first-admin.ts';
export { LoginThrottle } from './login-throttle.ts';
export { signIn, signOut, addressBlock, SESSION_TTL_MS } from './sessions.ts';
export {
  createApiToken,
  listApiTokens,
  revokeApiToken,
  API_SCOPES,
  type ApiScope,
  type ApiTokenView,
} from './api-tokens.ts';
export {
  readMe,
  listUsers,
  inviteUser,
  acceptInvitation,
  setUserDisabled,
  updateUser,
  type UserChange,
  INVITATION_TTL_MS,
  type UserView,
} from './users.ts';
