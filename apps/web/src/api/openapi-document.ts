import type { TSchema } from '@sinclair/typebox';
import type { ApiRoute, RouteOptions } from './api-route.ts';
import { operationId } from './operation-id.ts';

const PROBLEM_CONTENT = {
  'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
};

const PROBLEM = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { pointer: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

/** TypeBox schemas are JSON Schema; drop TypeBox's own symbol-keyed markers. */
function schema(value: TSchema): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** The OpenAPI 3.1 document of the /api/v1 routes, from the schemas they are served with. */
export function openApiDocument(version: string, routes: ApiRoute[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of [...routes].sort((a, b) => a.path.localeCompare(b.path))) {
    const op = { method: route.method, path: route.path, ...route.options };
    const queryParameters = Object.entries(op.query?.properties ?? {}).map(([name, value]) => ({
      name,
      in: 'query',
      required: false,
      schema: schema(value),
    }));
    const pathParameters = [...op.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
      name,
      in: 'path',
      required: true,
      schema:
        name === 'key'
          ? { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.-]{0,127}$' }
          : name === 'publicId'
            ? { type: 'string', pattern: '^[A-Za-z0-9_-]{16,64}$' }
            : { type: 'integer', minimum: 1 },
    }));
    const parameters = [...pathParameters, ...queryParameters];
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(op.responses))
      responses[status] = response.schema
        ? {
            description: response.description,
            content: { 'application/json': { schema: schema(response.schema) } },
          }
        : Number(status) >= 400
          ? { description: response.description, content: PROBLEM_CONTENT }
          : { description: response.description };
    for (const [status, description] of Object.entries(sharedProblems(op, pathParameters.length)))
      if (!(status in responses)) responses[status] = { description, content: PROBLEM_CONTENT };
    paths[op.path] ??= {};
    paths[op.path]![op.method.toLowerCase()] = {
      operationId: operationId(op.method, op.path),
      summary: op.summary,
      tags: op.tags,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schema(op.body) } },
            },
          }
        : {}),
      ...(op.rawBody
        ? {
            requestBody: {
              required: false,
              description: op.rawBody.description,
              content: { '*/*': { schema: {} } },
            },
          }
        : {}),
      responses,
      security:
        op.auth === 'none' || op.auth === 'webhook'
          ? []
          : [{ session: [] }, { bearer: op.scope ? [op.scope] : [] }],
      ...(op.auth === 'webhook' ? { 'x-cronium-auth': 'webhook' } : {}),
      ...(op.scope ? { 'x-cronium-scope': op.scope } : {}),
      ...(op.conditionalScope ? { 'x-cronium-conditional-scope': op.conditionalScope } : {}),
    };
  }
  paths['/api/v1/openapi.json'] = {
    get: {
      operationId: operationId('GET', '/api/v1/openapi.json'),
      summary: 'This document',
      tags: ['meta'],
      security: [],
      responses: { 200: { description: 'the OpenAPI 3.1 document' } },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cronium API',
      version,
      description:
        'Events, runs, workflows, servers, variables, tools and accounts of a Cronium ' +
        'instance. Errors are RFC 9457 problem documents; branch on their `code`.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: { Problem: PROBLEM },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'cronium_session' },
        bearer: { type: 'http', scheme: 'bearer', description: 'an API token (crn_...)' },
      },
    },
  };
}

/**
 * The errors `registerApi` answers for every route of a kind, before or around its handler
 * (a route's own `responses` take precedence): the body and query checks, authentication and
 * the token's scope, the cross-site check of requests without a token, and a path id that
 * names nothing.
 */
function sharedProblems(
  op: Pick<RouteOptions, 'auth' | 'scope' | 'body' | 'query'>,
  pathParameterCount: number,
): Record<string, string> {
  const problems: Record<string, string> = {};
  if (op.body) problems[400] = 'malformed JSON, unknown fields or wrong types (with pointers)';
  else if (op.query) problems[400] = 'a query parameter of the wrong type (with a pointer)';
  if (op.auth === undefined || op.auth === 'required') problems[401] = 'not signed in';
  if (op.auth !== 'webhook')
    problems[403] = op.scope
      ? `the API token lacks the ${op.scope} scope, or a page of another origin sent the request without a token`
      : 'a page of another origin sent the request without an API token';
  if (pathParameterCount > 0) problems[404] = 'no such resource (or not yours)';
  if (op.body) {
    problems[413] = 'body too large';
    problems[415] = 'not application/json';
  }
  return problems;
}
