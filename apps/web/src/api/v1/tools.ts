import { Type } from '@sinclair/typebox';
import { ToolKind } from '@cronium/contracts';
import {
  changeToolCredential,
  createToolCredential,
  listToolCredentialViews,
  readToolCredentialView,
  removeToolCredential,
  testToolCredential,
} from '@cronium/event-service';
import { answer, apiRoute } from '../api-route.ts';
import { idParam } from '../request-params.ts';

const tags = ['tools'];
const notYours = { description: 'no such credential of yours' };
const Strict = { additionalProperties: false } as const;

const ToolCredential = Type.Object({
  id: Type.Integer(),
  kind: ToolKind,
  name: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
const Name = Type.String({ minLength: 1, maxLength: 100 });
const Config = Type.Unknown({
  description:
    'The configuration of its kind (SMTP server, webhook URL, bot token...; see docs/tools.md): stored encrypted, never returned',
});

export const getToolCredentials = apiRoute(
  'GET',
  '/api/v1/tools/credentials',
  {
    summary: 'Your tool credentials, by name, without their configuration',
    tags,
    scope: 'tools:read',
    responses: { 200: { description: 'credentials', schema: Type.Array(ToolCredential) } },
  },
  async ({ deps, principal }) => listToolCredentialViews(deps.db, principal),
);

export const postToolCredential = apiRoute(
  'POST',
  '/api/v1/tools/credentials',
  {
    summary: 'Store a credential for email, Slack, Discord, Teams or a webhook (encrypted)',
    tags,
    scope: 'tools:write',
    body: Type.Object({ kind: ToolKind, name: Name, config: Config }, Strict),
    responses: {
      201: { description: 'stored', schema: ToolCredential },
      409: { description: 'you have a credential of that name' },
      422: { description: 'the configuration does not fit its kind (pointers under /body/config)' },
    },
  },
  async ({ deps, principal, body, meta }) =>
    answer(201, await createToolCredential(deps.db, deps.box, principal, body, meta)),
);

export const getToolCredential = apiRoute(
  'GET',
  '/api/v1/tools/credentials/{id}',
  {
    summary: 'One tool credential, without its configuration',
    tags,
    scope: 'tools:read',
    responses: { 200: { description: 'the credential', schema: ToolCredential }, 404: notYours },
  },
  async ({ deps, principal, params }) =>
    readToolCredentialView(deps.db, principal, idParam(params.id)),
);

export const patchToolCredential = apiRoute(
  'PATCH',
  '/api/v1/tools/credentials/{id}',
  {
    summary: 'Rename a tool credential, or replace its whole configuration',
    tags,
    scope: 'tools:write',
    body: Type.Object(
      { name: Type.Optional(Name), config: Type.Optional(Config) },
      { ...Strict, minProperties: 1 },
    ),
    responses: {
      200: { description: 'the credential', schema: ToolCredential },
      404: notYours,
      409: { description: 'you have a credential of that name' },
    },
  },
  async ({ deps, principal, params, body, meta }) =>
    changeToolCredential(deps.db, deps.box, principal, idParam(params.id), body, meta),
);

export const deleteToolCredentialRoute = apiRoute(
  'DELETE',
  '/api/v1/tools/credentials/{id}',
  {
    summary: 'Delete a tool credential no event uses',
    tags,
    scope: 'tools:write',
    responses: {
      204: { description: 'deleted' },
      404: notYours,
      409: { description: 'an event uses it' },
    },
  },
  async ({ deps, principal, params, meta }) => {
    await removeToolCredential(deps.db, principal, idParam(params.id), meta);
  },
);

export const postToolCredentialTest = apiRoute(
  'POST',
  '/api/v1/tools/credentials/{id}/test',
  {
    summary:
      'Send a test message with a credential, under your egress policy; the answer says how it went',
    tags,
    scope: 'tools:write',
    body: Type.Object(
      {
        to: Type.Optional(
          Type.Array(Type.String({ format: 'email', maxLength: 320 }), {
            minItems: 1,
            maxItems: 5,
            description: 'for an email credential: who gets the test message',
          }),
        ),
      },
      Strict,
    ),
    responses: {
      200: {
        description: 'sent, or how it failed',
        schema: Type.Object({
          ok: Type.Boolean(),
          status: Type.Optional(Type.Integer()),
          detail: Type.Optional(Type.String()),
          error: Type.Optional(Type.String()),
          retryable: Type.Optional(Type.Boolean()),
          retryAfterMs: Type.Optional(Type.Integer()),
        }),
      },
      404: notYours,
      422: { description: 'an email credential needs `to`' },
    },
  },
  async ({ deps, principal, params, body, meta }) =>
    testToolCredential(deps.db, deps.box, deps.egress, principal, idParam(params.id), body, meta),
);
