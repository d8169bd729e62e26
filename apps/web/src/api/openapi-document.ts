import type { TSchema } from '@sinclair/typebox';
import type { ApiRoute } from './api-route.ts';

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
          ? {
              description: response.description,
              content: {
                'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
              },
            }
          : { description: response.description };
    for (const [status, description] of Object.entries({
      400: 'malformed JSON, unknown fields or wrong types (with pointers)',
      401: 'not signed in',
      413: 'body too large',
      415: 'not application/json',
    }))
      if (
        !(status in responses) &&
        (op.auth === undefined || op.auth === 'required' || status !== '401') &&
        (op.body || status === '401')
      )
        responses[status] = {
          description,
          content: {
            'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
          },
        };
    paths[op.path] ??= {};
    paths[op.path]![op.method.toLowerCase()] = {
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
      summary: 'This document',
      tags: ['meta'],
      security: [],
      responses: { 200: { description: 'the OpenAPI 3.1 document' } },
    },
  };
  return {
    openapi: '3.1.0',
    info: { title: 'Cronium API', version },
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
