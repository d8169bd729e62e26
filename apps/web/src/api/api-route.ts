import type { TSchema, Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { authenticate, hasScope, type Principal, type RequestMeta } from '@cronium/accounts';
import { AppError, PROBLEM_CONTENT_TYPE, problemBody } from '@cronium/service-kit/errors';
import { fromOwnPage, sessionCookieOf } from '@cronium/service-kit/public-origin';
import { jsonProblem } from '@cronium/service-kit/json-checks';
import { webDeps, type WebDeps } from '../server/web-deps.ts';
import { registerOperation, type Operation } from './openapi-registry.ts';

const MAX_BODY_BYTES = 1_048_576;

export interface ApiContext<Body> {
  deps: WebDeps;
  principal: Principal;
  body: Body;
  params: Record<string, string>;
  query: URLSearchParams;
  meta: RequestMeta;
  request: Request;
}

type Handler<Body> = (context: ApiContext<Body>) => Promise<Response | unknown>;

interface RouteOptions<B extends TSchema | undefined> extends Omit<
  Operation,
  'method' | 'path' | 'requestBody'
> {
  /** `none` for the few routes that work signed out (setup, sign-in, invitations). */
  auth?: 'required' | 'none';
  /** An API token needs this scope (sessions have every scope). */
  scope?: string;
  body?: B;
}

/**
 * One route handler of the public API: authentication (session cookie or bearer token,
 * checked by the server), the JSON body checked against its schema (unknown fields, wrong
 * types: 400 with pointers), and every error as problem+json. The handler itself only calls
 * a domain service. The operation is registered for /api/v1/openapi.json.
 */
export function apiRoute<B extends TSchema | undefined = undefined>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  options: RouteOptions<B>,
  handler: Handler<B extends TSchema ? Static<B> : undefined>,
) {
  const check = options.body ? TypeCompiler.Compile(options.body) : undefined;
  registerOperation({
    method,
    path,
    summary: options.summary,
    tags: options.tags,
    responses: options.responses,
    ...(options.body ? { requestBody: options.body } : {}),
    auth: options.auth ?? 'required',
    ...(options.scope ? { scope: options.scope } : {}),
    ...(options.conditionalScope ? { conditionalScope: options.conditionalScope } : {}),
  });
  return async (request: Request, context: { params: Promise<Record<string, string>> }) => {
    const instance = new URL(request.url).pathname;
    try {
      const deps = webDeps();
      const meta: RequestMeta = {
        // Set by the Fastify shell from the connection; X-Forwarded-For is not trusted.
        ip: request.headers.get('x-cronium-client-ip') || null,
        userAgent: request.headers.get('user-agent'),
      };
      const credential = credentialOf(request);
      // A cookie goes with every request to this host, whichever page sends it: an unsafe
      // request that relies on it (or signs in) must come from one of Cronium's own pages.
      if (method !== 'GET' && credential.from !== 'bearer') {
        const own = fromOwnPage(
          {
            origin: request.headers.get('origin'),
            secFetchSite: request.headers.get('sec-fetch-site'),
          },
          deps.publicOrigin,
        );
        if (!own.ok) throw new AppError('FORBIDDEN', own.reason);
      }
      let principal: Principal | undefined;
      if (options.auth !== 'none') {
        principal = await authenticate(deps.db, credential.token);
        if (!principal)
          throw new AppError(
            'UNAUTHENTICATED',
            'sign in, or send an API token (Authorization: Bearer ...)',
            {
              headers: { 'www-authenticate': 'Bearer realm="cronium"' },
            },
          );
        if (options.scope && !hasScope(principal, options.scope))
          throw new AppError('FORBIDDEN', `this API token lacks the ${options.scope} scope`);
      }
      const body = check ? await readJsonBody(request, check) : undefined;
      const result = await handler({
        deps,
        principal: principal!,
        body: body as never,
        params: (await context.params) ?? {},
        query: new URL(request.url).searchParams,
        meta,
        request,
      });
      if (result instanceof Response) return result;
      if (result === undefined) return new Response(null, { status: 204 });
      return Response.json(result);
    } catch (error) {
      return problemResponse(error, instance);
    }
  };
}

function credentialOf(request: Request): {
  token: string | undefined;
  from: 'bearer' | 'cookie' | 'none';
} {
  const header = request.headers.get('authorization');
  if (header?.startsWith('Bearer ')) return { token: header.slice(7).trim(), from: 'bearer' };
  const token = sessionCookieOf(request.headers.get('cookie'));
  return { token, from: token === undefined ? 'none' : 'cookie' };
}

async function readJsonBody(request: Request, check: ReturnType<typeof TypeCompiler.Compile>) {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json(;|$)/i.test(type))
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES)
    throw new AppError('PAYLOAD_TOO_LARGE', `bodies are limited to ${MAX_BODY_BYTES} bytes`);
  const bytes = await readLimited(request, MAX_BODY_BYTES);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new AppError('BAD_REQUEST', 'the body is not valid JSON');
  }
  // PostgreSQL cannot store U+0000, and nothing needs 64 levels of nesting: 400, not a 500.
  const problem = jsonProblem(value);
  if (problem)
    throw new AppError('VALIDATION_FAILED', 'the body cannot be stored as it is', {
      errors: [{ pointer: `/body${problem.pointer}`, message: problem.message }],
    });
  if (!check.Check(value)) {
    const errors = [...check.Errors(value)].slice(0, 20).map((e) => ({
      pointer: `/body${e.path}`,
      message: e.message,
    }));
    throw new AppError('VALIDATION_FAILED', 'the body does not match the schema', { errors });
  }
  return value;
}

async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new AppError('PAYLOAD_TOO_LARGE', `bodies are limited to ${limit} bytes`);
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return all;
}

/** Any error as RFC 9457 problem+json; unknown errors are logged and answered as 500. */
export function problemResponse(error: unknown, instance: string): Response {
  if (error instanceof AppError) {
    const body = problemBody(error.status, error.code, error.message, instance, error.errors);
    return new Response(JSON.stringify(body), {
      status: error.status,
      headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...error.headers },
    });
  }
  // By name: Next bundles its own copy of @cronium/auth, so the class is not this one.
  if ((error as Error | undefined)?.name === 'PasswordHasherBusy')
    return new Response(
      JSON.stringify(problemBody(503, 'NOT_READY', (error as Error).message, instance)),
      { status: 503, headers: { 'content-type': PROBLEM_CONTENT_TYPE, 'retry-after': '1' } },
    );
  try {
    webDeps().logger.error({ err: error, instance }, 'API request failed');
  } catch {
    // no logger: nothing more to do
  }
  return new Response(JSON.stringify(problemBody(500, 'INTERNAL', undefined, instance)), {
    status: 500,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE },
  });
}

type RouteHandler = (
  request: Request,
  context: { params: Promise<Record<string, string>> },
) => Promise<Response>;
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * A route file's exports: the given handlers, and for every other method a 405 problem+json
 * with `Allow` (Next.js would answer an empty 405 otherwise).
 */
export function routeMethods(
  handlers: Partial<Record<(typeof METHODS)[number], RouteHandler>>,
): Record<(typeof METHODS)[number], RouteHandler> {
  const allow = Object.keys(handlers).join(', ');
  const notAllowed: RouteHandler = async (request) =>
    new Response(
      JSON.stringify(
        problemBody(405, 'BAD_REQUEST', `allowed here: ${allow}`, new URL(request.url).pathname),
      ),
      { status: 405, headers: { 'content-type': PROBLEM_CONTENT_TYPE, allow } },
    );
  return Object.fromEntries(METHODS.map((m) => [m, handlers[m] ?? notAllowed])) as Record<
    (typeof METHODS)[number],
    RouteHandler
  >;
}
