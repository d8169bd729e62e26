import type { IncomingMessage } from 'node:http';
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchemaCompiler,
} from 'fastify';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { FormatRegistry } from '@sinclair/typebox';
import {
  authenticate,
  crossSiteRefusal,
  hasScope,
  presentedCredential,
  type Principal,
  type RequestMeta,
} from '@cronium/accounts';
import { AppError } from '@cronium/service-kit/errors';
import { sendProblem } from '@cronium/service-kit';
import { jsonProblem } from '@cronium/service-kit/json-checks';
import type { WebDeps } from '../server/web-deps.ts';
import { ApiAnswer, type ApiMethod, type ApiRoute } from './api-route.ts';
import { openApiDocument } from './openapi-document.ts';
import { corsHeaders, corsPreflights } from './cors.ts';

const MAX_BODY_BYTES = 1_048_576;

// Formats the schemas use (TypeBox checks only the formats it is given).
if (!FormatRegistry.Has('date-time'))
  FormatRegistry.Set('date-time', (value) => !Number.isNaN(Date.parse(value)));
const METHODS: ApiMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

declare module 'fastify' {
  interface FastifyContextConfig {
    api?: ApiRoute;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

/**
 * Serves the public API under /api/v1 in the web process's Fastify app: every declared route
 * with its TypeBox schemas (the body is checked, each 2xx answer serialized by its schema),
 * authentication in one hook of this scope, and every error as problem+json. Any other path
 * under /api/v1 is a problem+json 404, any other method on a known path a 405 with `Allow`.
 */
export async function registerApi(
  app: FastifyInstance,
  deps: WebDeps,
  routes: ApiRoute[],
): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      'application/json',
      { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES },
      (_request, raw, done) => {
        try {
          done(null, JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw as Buffer)));
        } catch {
          done(new AppError('BAD_REQUEST', 'the body is not valid JSON'), undefined);
        }
      },
    );
    // Other media types are refused by routes that take a body (415) and ignored by the rest.
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    scope.setErrorHandler((error: FastifyError, request, reply) =>
      sendProblem(reply, apiError(error, deps), request.url.split('?')[0]!, request.log),
    );
    corsHeaders(scope, deps.cors);
    scope.addHook('onRequest', async (request) => {
      const route = request.routeOptions.config.api;
      if (route) request.principal = await authorize(request, route, deps);
    });

    const byPath = new Map<string, ApiMethod[]>();
    const serve = (into: FastifyInstance, route: ApiRoute) => {
      const url = route.path.replace(/\{(\w+)\}/g, ':$1');
      byPath.set(url, [...(byPath.get(url) ?? []), route.method]);
      into.route({
        method: route.method,
        url,
        config: { api: route },
        schema: {
          ...(route.options.body ? { body: route.options.body } : {}),
          ...(route.options.query ? { querystring: route.options.query } : {}),
          response: responseSchemas(route),
        },
        validatorCompiler: typeboxValidator as FastifySchemaCompiler<unknown>,
        ...(route.options.body ? { preValidation: requireJson } : {}),
        handler: (request, reply) => handle(route, request, reply, deps),
      });
    };
    for (const route of routes) if (!route.options.rawBody) serve(scope, route);
    // Routes that read their body raw: no parser of this scope touches it (not even JSON's).
    await scope.register(async (raw) => {
      raw.removeAllContentTypeParsers();
      raw.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
      for (const route of routes) if (route.options.rawBody) serve(raw, route);
    });
    scope.get('/api/v1/openapi.json', async () => openApiDocument(deps.version, routes));
    byPath.set('/api/v1/openapi.json', ['GET']);
    corsPreflights(scope, deps.cors, byPath);
    for (const [url, allowed] of byPath) {
      const others = METHODS.filter((m) => !allowed.includes(m));
      if (others.length > 0)
        scope.route({
          method: others,
          url,
          handler: async () => {
            throw new AppError('METHOD_NOT_ALLOWED', `allowed here: ${allowed.join(', ')}`, {
              headers: { allow: allowed.join(', ') },
            });
          },
        });
    }
    const notFound = async () => {
      throw new AppError('NOT_FOUND', 'no such API path; see /api/v1/openapi.json');
    };
    scope.route({ method: [...METHODS, 'OPTIONS'], url: '/api/v1', handler: notFound });
    scope.route({ method: [...METHODS, 'OPTIONS'], url: '/api/v1/*', handler: notFound });
  });
}

/**
 * Authentication of one request, before its body is read (the same rules as the live-log
 * socket's, from `@cronium/accounts`): a cookie-borne request that changes something must come
 * from one of Cronium's own pages; then the session or API token, and the token's scope.
 */
async function authorize(
  request: FastifyRequest,
  route: ApiRoute,
  deps: WebDeps,
): Promise<Principal | undefined> {
  if (route.options.auth === 'webhook') return undefined;
  const credential = presentedCredential(request.headers);
  // A change must come from Cronium's own pages; a read may come from anywhere, but a
  // cross-origin one (a page of another origin, CORS or not) never with the cookie.
  const refusal = crossSiteRefusal(
    credential,
    route.method === 'GET' ? { origin: request.headers.origin } : request.headers,
    deps.publicOrigin,
  );
  if (refusal) throw new AppError('FORBIDDEN', refusal);
  if (route.options.auth === 'none') return undefined;
  const principal = await authenticate(deps.db, credential.token);
  if (!principal)
    throw new AppError(
      'UNAUTHENTICATED',
      'sign in, or send an API token (Authorization: Bearer ...)',
      { headers: { 'www-authenticate': 'Bearer realm="cronium"' } },
    );
  if (route.options.scope && !hasScope(principal, route.options.scope))
    throw new AppError('FORBIDDEN', `this API token lacks the ${route.options.scope} scope`);
  return principal;
}

function header(request: FastifyRequest, name: string): string | null {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

async function requireJson(request: FastifyRequest) {
  if (!/^application\/json(;|$)/i.test(header(request, 'content-type') ?? ''))
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
}

/**
 * Bodies are checked by their TypeBox schemas, compiled by TypeBox (as
 * @fastify/type-provider-typebox does): the messages and pointers are TypeBox's. Values that
 * PostgreSQL cannot store (U+0000) or that nest deeper than anything needs are refused first.
 */
const typeboxValidator: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  const part = httpPart === 'querystring' ? 'query' : (httpPart ?? 'body');
  return (given: unknown) => {
    let value = given;
    if (httpPart === 'querystring') {
      value = queryValues(schema, given as Record<string, unknown>);
    }
    if (httpPart === 'body') {
      const problem = jsonProblem(value);
      if (problem)
        return {
          error: new AppError('VALIDATION_FAILED', 'the body cannot be stored as it is', {
            errors: [{ pointer: `/body${problem.pointer}`, message: problem.message }],
          }),
        };
    }
    if (check.Check(value)) return { value };
    const errors = [...check.Errors(value)].slice(0, 20).map((e) => ({
      pointer: `/${part}${e.path}`,
      message: e.message,
    }));
    const what = part === 'query' ? 'a query parameter does' : `the ${part} does`;
    return {
      error: new AppError('VALIDATION_FAILED', `${what} not match the schema`, { errors }),
    };
  };
};

/**
 * Query parameters arrive as strings: an empty one counts as absent, and one the schema wants
 * as a number or boolean is converted when it is written as one exactly (`1.5` is not an
 * integer, `1e3` not a number here); anything else stays a string and fails the check.
 */
function queryValues(schema: TSchema, given: Record<string, unknown>): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, TSchema>;
  const values: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(given)) {
    if (raw === '') continue;
    const type = properties[name]?.type;
    if (typeof raw === 'string' && type === 'integer' && /^-?\d{1,15}$/.test(raw))
      values[name] = Number(raw);
    else if (typeof raw === 'string' && type === 'number' && /^-?\d{1,15}(\.\d+)?$/.test(raw))
      values[name] = Number(raw);
    else if (type === 'boolean' && (raw === 'true' || raw === 'false'))
      values[name] = raw === 'true';
    else values[name] = raw;
  }
  return values;
}

function responseSchemas(route: ApiRoute): Record<string, TSchema> {
  const schemas: Record<string, TSchema> = {};
  for (const [status, response] of Object.entries(route.options.responses))
    if (response.schema && Number(status) < 300) schemas[status] = response.schema;
  return schemas;
}

async function handle(
  route: ApiRoute,
  request: FastifyRequest,
  reply: FastifyReply,
  deps: WebDeps,
) {
  const meta: RequestMeta = {
    // The connecting address (X-Forwarded-For only from configured trusted proxies).
    ip: request.ip || null,
    userAgent: header(request, 'user-agent'),
  };
  const gone = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) gone.abort();
  });
  const result = await route.handler({
    deps,
    principal: request.principal!,
    body: request.body as never,
    params: request.params as Record<string, string>,
    query: (route.options.query ? request.query : {}) as never,
    meta,
    headers: request.headers,
    readBody: (maxBytes) => readRawBody(request.raw, maxBytes),
    signal: gone.signal,
  });
  if (result instanceof ApiAnswer) {
    if (result.headers) reply.headers(result.headers);
    reply.status(result.status);
    return result.body === undefined ? reply.send() : reply.send(result.body);
  }
  if (result === undefined) return reply.status(204).send();
  return reply.send(result);
}

/** Errors of this scope in the API's terms (Fastify's own codes keep the old messages). */
function apiError(error: FastifyError, deps: WebDeps): unknown {
  if (error instanceof AppError) return error;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new AppError('PAYLOAD_TOO_LARGE', `bodies are limited to ${MAX_BODY_BYTES} bytes`);
  if (error.name === 'PasswordHasherBusy')
    return new AppError('NOT_READY', error.message, { headers: { 'retry-after': '1' } });
  if (error.statusCode && error.statusCode < 500) return error;
  deps.logger.error({ err: error }, 'API request failed');
  return error;
}

/**
 * The body as it arrives, up to `maxBytes`; undefined when it is longer (the rest then flows
 * on unread and is discarded, and the answer closes the connection).
 */
function readRawBody(stream: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  if (stream.readableEnded) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      stop();
      stream.resume();
      resolve(undefined);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (cause: unknown) => {
      stop();
      reject(new AppError('BAD_REQUEST', 'the body could not be read', { cause }));
    };
    const onClose = () => onError(new Error('the connection closed before the body ended'));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}
