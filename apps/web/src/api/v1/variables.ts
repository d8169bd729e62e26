import { Type } from '@sinclair/typebox';
import { VARIABLE_KEY_PATTERN } from '@cronium/db';
import {
  checkQuota,
  checkVariableBytes,
  deleteVariable,
  listAuditLog,
  listVariables,
  putVariable,
  readVariableView,
} from '@cronium/event-service';
import { AppError } from '@cronium/service-kit/errors';
import { apiRoute } from '../api-route.ts';

const KEY = new RegExp(VARIABLE_KEY_PATTERN);
const Variable = Type.Object({
  key: Type.String(),
  value: Type.Union([Type.String(), Type.Null()]),
  isSecret: Type.Boolean(),
  description: Type.String(),
  updatedAt: Type.String({ format: 'date-time' }),
});
const PutVariableBody = Type.Object(
  {
    value: Type.String({ maxLength: 1_000_000 }),
    secret: Type.Optional(Type.Boolean()),
    description: Type.Optional(Type.String({ maxLength: 2_000 })),
  },
  { additionalProperties: false },
);

/** A variable name from the path (Fastify has decoded it) or the query. */
function keyParam(value: string | undefined): string {
  const key = value ?? '';
  if (!KEY.test(key))
    throw new AppError(
      'VALIDATION_FAILED',
      'a variable name is letters, digits, _ . - (up to 128), not starting with a digit',
      {
        errors: [{ pointer: '/params/key', message: VARIABLE_KEY_PATTERN }],
      },
    );
  return key;
}

export const getVariables = apiRoute(
  'GET',
  '/api/v1/variables',
  {
    summary:
      'A page of your variables by name, without values (read one with GET /variables/{key}); ?after=<name>&limit=1-500',
    tags: ['variables'],
    scope: 'variables:read',
    query: Type.Object({
      after: Type.Optional(Type.String({ maxLength: 1_000, description: 'a variable name' })),
      limit: Type.Optional(Type.Integer({ minimum: 1, description: 'at most 500' })),
    }),
    responses: {
      200: {
        description: 'variables',
        schema: Type.Object({
          variables: Type.Array(
            Type.Object({
              key: Type.String(),
              isSecret: Type.Boolean(),
              description: Type.String(),
              updatedAt: Type.String({ format: 'date-time' }),
              length: Type.Union([Type.Integer(), Type.Null()]),
            }),
          ),
          nextAfter: Type.Union([Type.String(), Type.Null()]),
        }),
      },
    },
  },
  async ({ deps, principal, query }) => {
    return listVariables(deps.db, principal, {
      ...(query.after !== undefined ? { after: keyParam(query.after) } : {}),
      limit: Math.min(query.limit ?? 100, 500),
    });
  },
);

export const getVariable = apiRoute(
  'GET',
  '/api/v1/variables/{key}',
  {
    summary: 'One variable (a secret one without its value)',
    tags: ['variables'],
    scope: 'variables:read',
    responses: {
      200: { description: 'the variable', schema: Variable },
      404: { description: 'no such variable of yours' },
    },
  },
  async ({ deps, principal, params }) => readVariableView(deps.db, principal, keyParam(params.key)),
);

export const putVariableRoute = apiRoute(
  'PUT',
  '/api/v1/variables/{key}',
  {
    summary:
      'Create or replace a variable; "secret": true stores it encrypted and masks it in run logs',
    tags: ['variables'],
    scope: 'variables:write',
    body: PutVariableBody,
    responses: {
      200: { description: 'the variable', schema: Variable },
      409: { description: 'past your variable quota' },
      422: { description: 'a secret value of fewer than 6 or more than 65,536 characters' },
    },
  },
  async ({ deps, principal, params, body, meta }) => {
    const key = keyParam(params.key);
    const limits = deps.ownerLimits;
    await checkQuota(deps.db, principal, 'variables', limits.variables, 'variables', key);
    await checkVariableBytes(deps.db, principal, key, body.value, limits);
    return putVariable(deps.db, deps.box, principal, key, body, meta);
  },
);

export const deleteVariableRoute = apiRoute(
  'DELETE',
  '/api/v1/variables/{key}',
  {
    summary: 'Delete a variable',
    tags: ['variables'],
    scope: 'variables:write',
    responses: {
      204: { description: 'deleted' },
      404: { description: 'no such variable of yours' },
    },
  },
  async ({ deps, principal, params, meta }) => {
    await deleteVariable(deps.db, principal, keyParam(params.key), meta);
  },
);

export const getAuditLog = apiRoute(
  'GET',
  '/api/v1/audit',
  {
    summary:
      'The audit log, newest first (admin); filter by action (prefix), actor, target type and time; page with ?before=&limit=',
    tags: ['audit'],
    scope: 'audit:read',
    query: Type.Object({
      before: Type.Optional(Type.Integer({ minimum: 1, description: 'ids below this one' })),
      limit: Type.Optional(Type.Integer({ minimum: 1 })),
      action: Type.Optional(
        Type.String({ maxLength: 100, description: 'an action or its start, e.g. event.' }),
      ),
      actorId: Type.Optional(Type.Integer({ minimum: 1 })),
      targetType: Type.Optional(Type.String({ maxLength: 50 })),
      from: Type.Optional(Type.String({ format: 'date-time', description: 'at or after' })),
      to: Type.Optional(Type.String({ format: 'date-time', description: 'before' })),
    }),
    responses: { 200: { description: 'entries' }, 403: { description: 'not an admin' } },
  },
  async ({ deps, principal, query }) =>
    listAuditLog(deps.db, principal, {
      ...query,
      from: query.from === undefined ? undefined : new Date(query.from),
      to: query.to === undefined ? undefined : new Date(query.to),
    }),
);
