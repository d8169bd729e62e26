import { fetch, type Dispatcher, type Response } from 'undici';

export interface FetchRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

export interface FetchOptions {
  /** The agent that checks and pins every connection (see guardedAgent). */
  dispatcher: Dispatcher;
  signal?: AbortSignal;
  /** Hops followed before giving up (fetch's own limit is 20). */
  maxRedirects?: number;
  /** Told of each hop before it is requested. */
  onRedirect?: (hop: { status: number; from: string; to: string; method: string }) => void;
}

/** A redirect to a non-http(s) URL, or too many of them. */
export class RedirectRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedirectRefused';
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that carry credentials; not sent to another origin on a redirect. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

/**
 * fetch with redirects followed here rather than inside fetch, so that each hop is a request
 * of its own through the checking dispatcher (and is logged). As fetch does: 303, and 301/302
 * after POST, turn into a body-less GET; 307/308 keep the method and body; credentials are
 * dropped when the origin changes.
 */
export async function fetchWithRedirects(
  request: FetchRequest,
  options: FetchOptions,
): Promise<{ response: Response; url: string; redirects: number }> {
  const max = options.maxRedirects ?? 10;
  let { method, body } = request;
  let headers = { ...request.headers };
  let url = new URL(request.url);
  for (let redirects = 0; ; redirects += 1) {
    const response = await fetch(url, {
      method,
      headers,
      body: method === 'GET' || method === 'HEAD' ? undefined : (body ?? undefined),
      redirect: 'manual',
      dispatcher: options.dispatcher,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const location = response.headers.get('location');
    if (!REDIRECTS.has(response.status) || location === null)
      return { response, url: url.href, redirects };
    await response.body?.cancel().catch(() => {});
    if (redirects >= max) throw new RedirectRefused(`more than ${max} redirects`);
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new RedirectRefused(`redirect to an invalid URL: ${location.slice(0, 200)}`);
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:')
      throw new RedirectRefused(`redirect to a ${next.protocol} URL is not followed`);
    if (
      response.status === 303
        ? method !== 'HEAD'
        : (response.status === 301 || response.status === 302) && method === 'POST'
    ) {
      method = 'GET';
      body = null;
      headers = withoutHeaders(headers, ['content-type', 'content-length', 'content-encoding']);
    }
    if (next.origin !== url.origin) headers = withoutHeaders(headers, CREDENTIAL_HEADERS);
    options.onRedirect?.({ status: response.status, from: url.href, to: next.href, method });
    url = next;
  }
}

function withoutHeaders(headers: Record<string, string>, names: string[]) {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !names.includes(name.toLowerCase())),
  );
}
