import type { IncomingHttpHeaders } from 'node:http';
import type { Static, TObject, TSchema } from '@sinclair/typebox';
import type { Principal, RequestMeta } from '@cronium/accounts';
import type { WebDeps } from '../server/web-deps.ts';

export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiContext<Body, Query> {
  deps: WebDeps;
  principal: Principal;
  body: Body;
  params: Record<string, string>;
  /** The query parameters, checked against the route's `query` schema (numbers converted). */
  query: Query;
  meta: RequestMeta;
  /** The request's headers, names in lower case. */
  headers: IncomingHttpHeaders;
  /**
   * Routes with `rawBody`: the body as it arrived, at most `maxBytes` (undefined when it is
   * longer; the rest is discarded and the connection closed after the answer).
   */
  readBody(maxBytes: number): Promise<Buffer | undefined>;
  /** Aborted when the client goes away before the answer (for routes that wait). */
  signal: AbortSignal;
}

/** An answer other than 200 with the handler's value (201, 204, extra headers). */
export class ApiAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string> | undefined;

  constructor(status: number, body?: unknown, headers?: Record<string, string>) {
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

export function answer(status: number, body?: unknown, headers?: Record<string, string>) {
  return new ApiAnswer(status, body, headers);
}

export interface RouteOptions<
  B extends TSchema | undefined = TSchema | undefined,
  Q extends TObject | undefined = TObject | undefined,
> {
  summary: string;
  tags: string[];
  /**
   * `none` for the few routes that work signed out (setup, sign-in, invitations); `webhook`
   * for the one route a webhook's secret authenticates, checked by its handler (no session,
   * token or cross-site check: no cookie is involved).
   */
  auth?: 'required' | 'none' | 'webhook';
  /** An API token needs this scope (sessions have every scope). */
  scope?: string;
  /** A scope the route needs besides `scope` for some requests (the summary says when). */
  conditionalScope?: string;
  /** The JSON body (unknown fields and wrong types are a 400 with pointers). */
  body?: B;
  /**
   * The body is not parsed: the handler reads it raw, of any media type, with `readBody`
   * (a signature over the bytes as sent can then be checked). Exclusive with `body`.
   */
  rawBody?: { description: string };
  /** Query parameters, all optional (a wrong one is a 400 pointing at `/query/<name>`). */
  query?: Q;
  /** Status code to description, and for 2xx the schema the answer is serialized by. */
  responses: Record<string, { description: string; schema?: TSchema }>;
}

type BodyOf<B> = B extends TSchema ? Static<B> : undefined;
type QueryOf<Q> = Q extends TObject ? Static<Q> : Record<string, never>;
type Handler<B, Q> = (context: ApiContext<BodyOf<B>, QueryOf<Q>>) => Promise<ApiAnswer | unknown>;

/** One operation of the public API, declared once: Fastify serves it, OpenAPI describes it. */
export interface ApiRoute<
  B extends TSchema | undefined = TSchema | undefined,
  Q extends TObject | undefined = TObject | undefined,
> {
  method: ApiMethod;
  /** OpenAPI path, e.g. /api/v1/tokens/{id}. */
  path: string;
  options: RouteOptions<B, Q>;
  handler: Handler<B, Q>;
}

/**
 * Declares an operation of the public API. Authentication (session cookie or bearer token),
 * the token's scope, the cross-site check, the JSON body against its schema and errors as
 * problem+json are applied by `registerApi`; the handler only calls a domain service and
 * returns the answer's body (200), an `answer(...)`, or nothing (204).
 */
export function apiRoute<
  B extends TSchema | undefined = undefined,
  Q extends TObject | undefined = undefined,
>(method: ApiMethod, path: string, options: RouteOptions<B, Q>, handler: Handler<B, Q>): ApiRoute {
  return { method, path, options, handler } as unknown as ApiRoute;
}

export function isApiRoute(value: unknown): value is ApiRoute {
  return (
    typeof value === 'object' &&
    value !== null &&
    'method' in value &&
    'path' in value &&
    'handler' in value &&
    typeof (value as ApiRoute).handler === 'function'
  );
}
