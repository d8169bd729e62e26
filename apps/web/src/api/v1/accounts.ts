import { Type } from '@sinclair/typebox';
import {
  acceptInvitation,
  createApiToken,
  createFirstAdmin,
  inviteUser,
  listApiTokens,
  listUsers,
  needsSetup,
  readMe,
  revokeApiToken,
  updateUser,
  signIn,
  signOut,
  SESSION_TTL_MS,
  type LoginThrottle,
} from '@cronium/accounts';
import { AppError } from '@cronium/service-kit/errors';
import { SECURE_SESSION_COOKIE, SESSION_COOKIE } from '@cronium/service-kit/public-origin';
import { checkQuota } from '@cronium/event-service';
import { answer, apiRoute } from '../api-route.ts';
import { retireSetupToken, setupTokenMatches } from '../../server/setup-token.ts';
import { idParam } from '../request-params.ts';
import {
  AcceptInvitationBody,
  ApiToken,
  CreateTokenBody,
  InviteBody,
  SetupBody,
  SignInBody,
  UpdateUserBody,
  User,
} from './schemas.ts';

const problem = (description: string) => ({ description });

/**
 * The session cookie: httpOnly, SameSite=Lax; when Cronium's public URL is https, also Secure
 * and named `__Host-cronium_session` (so no sibling subdomain can set or shadow it). The
 * scheme of the request itself says nothing behind a TLS-terminating proxy (review L2).
 */
function sessionCookie(secure: boolean, token: string, maxAgeSeconds: number): string {
  const name = secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
  return `${name}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure ? '; Secure' : ''}`;
}

export const getSetup = apiRoute(
  'GET',
  '/api/v1/setup',
  {
    summary: 'Whether the first admin still has to be created',
    tags: ['accounts'],
    auth: 'none',
    responses: {
      200: {
        description: 'setup state',
        schema: Type.Object({
          needed: Type.Boolean(),
          tokenRequired: Type.Boolean({
            description: 'whether creating the first admin needs the setup token',
          }),
        }),
      },
    },
  },
  async ({ deps }) => {
    const needed = await needsSetup(deps.db);
    return { needed, tokenRequired: needed && deps.setupToken !== undefined };
  },
);

export const postSetup = apiRoute(
  'POST',
  '/api/v1/setup',
  {
    summary: 'Create the first admin (only while no user exists)',
    tags: ['accounts'],
    auth: 'none',
    body: SetupBody,
    responses: {
      201: {
        description: 'the admin was created',
        schema: Type.Object({ userId: Type.Integer() }),
      },
      403: problem('the setup token is missing or wrong (needed beyond loopback)'),
      409: problem('setup is already done'),
      429: problem('too many attempts from this address'),
    },
  },
  async ({ deps, body, meta }) => {
    throttleSignedOut(deps.signedOutAttempts, 'setup', meta.ip);
    const { setupToken, ...admin } = body;
    if (deps.setupToken && !setupTokenMatches(deps.setupToken.token, setupToken))
      throw new AppError(
        'FORBIDDEN',
        'creating the first admin needs the setup token: it is printed in the web log at the first start and kept in <data dir>/setup-token (or set by CRONIUM_SETUP_TOKEN)',
        { errors: [{ pointer: '/body/setupToken', message: 'missing or wrong' }] },
      );
    const created = await createFirstAdmin(deps.db, admin, meta);
    retireSetupToken(deps.setupToken?.file);
    return answer(201, created);
  },
);

export const postSession = apiRoute(
  'POST',
  '/api/v1/sessions',
  {
    summary: 'Sign in: sets the httpOnly session cookie and returns the session token',
    tags: ['accounts'],
    auth: 'none',
    body: SignInBody,
    responses: {
      201: {
        description: 'signed in',
        schema: Type.Object({
          userId: Type.Integer(),
          token: Type.String(),
          expiresAt: Type.String({ format: 'date-time' }),
        }),
      },
      401: problem('wrong email or password'),
      429: problem('too many failed sign-ins'),
    },
  },
  async ({ deps, body, meta }) => {
    const session = await signIn(deps.db, deps.loginThrottle, body, meta);
    return answer(201, session, {
      'set-cookie': sessionCookie(
        deps.publicOrigin.secureCookie,
        session.token,
        SESSION_TTL_MS / 1000,
      ),
    });
  },
);

export const deleteSession = apiRoute(
  'DELETE',
  '/api/v1/sessions/current',
  {
    summary: 'Sign out (ends the session in use)',
    tags: ['accounts'],
    responses: { 204: { description: 'signed out' } },
  },
  async ({ deps, principal, meta }) => {
    await signOut(deps.db, principal, meta);
    return answer(204, undefined, {
      'set-cookie': sessionCookie(deps.publicOrigin.secureCookie, '', 0),
    });
  },
);

export const getMe = apiRoute(
  'GET',
  '/api/v1/me',
  {
    summary: 'The signed-in user',
    tags: ['accounts'],
    responses: { 200: { description: 'the user', schema: User } },
  },
  async ({ deps, principal }) => readMe(deps.db, principal),
);

export const getTokens = apiRoute(
  'GET',
  '/api/v1/tokens',
  {
    summary: 'Your API tokens (never the secret part)',
    tags: ['tokens'],
    scope: 'tokens:read',
    responses: { 200: { description: 'tokens', schema: Type.Array(ApiToken) } },
  },
  async ({ deps, principal }) => listApiTokens(deps.db, principal),
);

export const postToken = apiRoute(
  'POST',
  '/api/v1/tokens',
  {
    summary: 'Create an API token (the token is shown in this answer only)',
    tags: ['tokens'],
    body: CreateTokenBody,
    responses: {
      201: {
        description: 'created',
        schema: Type.Object({ token: Type.String(), apiToken: ApiToken }),
      },
    },
  },
  async ({ deps, principal, body, meta }) => {
    await checkQuota(deps.db, principal, 'api_tokens', deps.ownerLimits.apiTokens, 'API tokens');
    return answer(
      201,
      await createApiToken(
        deps.db,
        principal,
        {
          name: body.name,
          scopes: body.scopes,
          expiresAt: body.expiresAt ? new Date(body.expiresAt) : null,
        },
        meta,
      ),
    );
  },
);

export const deleteToken = apiRoute(
  'DELETE',
  '/api/v1/tokens/{id}',
  {
    summary: 'Revoke one of your API tokens',
    tags: ['tokens'],
    scope: 'tokens:write',
    responses: { 204: { description: 'revoked' }, 404: problem('no such active token of yours') },
  },
  async ({ deps, principal, params, meta }) => {
    await revokeApiToken(deps.db, principal, idParam(params.id), meta);
  },
);

export const getUsers = apiRoute(
  'GET',
  '/api/v1/users',
  {
    summary: 'Every user (admin)',
    tags: ['users'],
    scope: 'users:read',
    responses: {
      200: { description: 'users', schema: Type.Array(User) },
      403: problem('not an admin'),
    },
  },
  async ({ deps, principal }) => listUsers(deps.db, principal),
);

export const postInvitation = apiRoute(
  'POST',
  '/api/v1/invitations',
  {
    summary: 'Invite a user by email (admin); the answer holds the one-time invitation token',
    tags: ['users'],
    scope: 'users:write',
    body: InviteBody,
    responses: {
      201: {
        description: 'invited',
        schema: Type.Object({
          invitationToken: Type.String(),
          expiresAt: Type.String({ format: 'date-time' }),
        }),
      },
    },
  },
  async ({ deps, principal, body, meta }) =>
    answer(201, await inviteUser(deps.db, principal, body, meta)),
);

export const postInvitationAcceptance = apiRoute(
  'POST',
  '/api/v1/invitations/accept',
  {
    summary: 'Accept an invitation: set a password and create the account',
    tags: ['users'],
    auth: 'none',
    body: AcceptInvitationBody,
    responses: {
      201: {
        description: 'account created: sign in with this email',
        schema: Type.Object({ userId: Type.Integer(), email: Type.String() }),
      },
      404: problem('unknown, used or expired invitation'),
      429: problem('too many attempts from this address'),
    },
  },
  async ({ deps, body, meta }) => {
    throttleSignedOut(deps.signedOutAttempts, 'accept', meta.ip);
    return answer(201, await acceptInvitation(deps.db, body, meta));
  },
);

/**
 * Routes that work signed out and hash a password (setup, accepting an invitation) are
 * limited per client address, every attempt counted (review M4).
 */
function throttleSignedOut(throttle: LoginThrottle, route: string, ip: string | null): void {
  const wait = throttle.reserve([`${route}:${ip ?? 'unknown'}`]);
  if (wait > 0)
    throw new AppError('RATE_LIMITED', `too many attempts; try again in ${wait} s`, {
      headers: { 'retry-after': String(wait) },
    });
}

export const patchUser = apiRoute(
  'PATCH',
  '/api/v1/users/{id}',
  {
    summary:
      "Change a user's role, or disable or re-enable them (admin); a disabled user's sessions and tokens stop at once",
    tags: ['users'],
    scope: 'users:write',
    body: UpdateUserBody,
    responses: {
      200: { description: 'the user', schema: User },
      404: problem('no such user (or only invited)'),
      409: problem('an admin cannot demote or disable themself'),
    },
  },
  async ({ deps, principal, params, body, meta }) =>
    updateUser(deps.db, principal, idParam(params.id), body, meta),
);
