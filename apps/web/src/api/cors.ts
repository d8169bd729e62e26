import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '@cronium/service-kit/errors';
import type { ApiMethod } from './api-route.ts';

/**
 * Which other origins' pages may call the API from a browser (WEB_CORS_ORIGINS; none by
 * default). They call it with an API token: no answer ever says
 * `Access-Control-Allow-Credentials`, and a cookie never authorises a cross-origin request
 * (see `authorize`).
 */
export interface CorsPolicy {
  origins: ReadonlySet<string>;
}

/** The request headers a cross-origin page may send (a preflight is answered with these). */
const ALLOWED_HEADERS = 'authorization, content-type';
/** The answer headers its script may read, besides the CORS-safelisted ones. */
const EXPOSED_HEADERS = 'allow, location, retry-after, www-authenticate';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * WEB_CORS_ORIGINS as origins (`scheme://host[:port]`, http or https, nothing after), or the
 * problem with the first one that is not.
 */
export function parseCorsOrigins(
  raw: string | undefined,
): { origins: string[] } | { problem: string } {
  const origins: string[] = [];
  for (const entry of (raw ?? '').split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    let url: URL;
    try {
      url = new URL(entry);
    } catch {
      return { problem: `${entry} is not an origin (such as https://app.example.com)` };
    }
    const bare =
      url.pathname === '/' && url.search === '' && url.hash === '' && !entry.includes('@');
    if (
      !['http:', 'https:'].includes(url.protocol) ||
      !bare ||
      /\/.+/.test(entry.slice(url.protocol.length + 2))
    )
      return {
        problem: `${entry} is not an origin: give the scheme, host and port only (such as https://app.example.com)`,
      };
    origins.push(url.origin);
  }
  return { origins };
}

function originOf(request: FastifyRequest): string | undefined {
  const value = request.headers.origin;
  return Array.isArray(value) ? value[0] : value;
}

/** Whether the request comes from a page of another origin that may call the API. */
export function allowedOrigin(policy: CorsPolicy, request: FastifyRequest): string | undefined {
  const origin = originOf(request);
  return origin !== undefined && policy.origins.has(origin) ? origin : undefined;
}

/**
 * Every answer to an allowed origin (errors too, so its script can read a 401's problem) names
 * that origin. Registered before authentication.
 */
export function corsHeaders(scope: FastifyInstance, policy: CorsPolicy): void {
  scope.addHook('onRequest', async (request, reply) => {
    if (policy.origins.size > 0) reply.header('vary', 'origin');
    const origin = allowedOrigin(policy, request);
    if (origin && request.method !== 'OPTIONS')
      reply
        .header('access-control-allow-origin', origin)
        .header('access-control-expose-headers', EXPOSED_HEADERS);
  });
}

/**
 * Each path's preflight (OPTIONS) is answered for an allowed origin with the methods the path
 * has. A preflight from any other origin is refused (403, without CORS headers, so the
 * browser stops there).
 */
export function corsPreflights(
  scope: FastifyInstance,
  policy: CorsPolicy,
  byPath: Map<string, ApiMethod[]>,
): void {
  for (const [url, methods] of byPath)
    scope.route({
      method: 'OPTIONS',
      url,
      handler: (request, reply) => preflight(policy, methods, request, reply),
    });
}

async function preflight(
  policy: CorsPolicy,
  methods: ApiMethod[],
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<void> {
  const origin = allowedOrigin(policy, request);
  if (!origin)
    throw new AppError(
      'FORBIDDEN',
      originOf(request) === undefined
        ? 'a preflight request names its Origin'
        : `pages of ${originOf(request)} may not call this API (WEB_CORS_ORIGINS)`,
    );
  await reply
    .code(204)
    .header('access-control-allow-origin', origin)
    .header('access-control-allow-methods', methods.join(', '))
    .header('access-control-allow-headers', ALLOWED_HEADERS)
    .header('access-control-max-age', String(PREFLIGHT_MAX_AGE_SECONDS))
    .header('vary', 'origin, access-control-request-method, access-control-request-headers')
    .send();
}
