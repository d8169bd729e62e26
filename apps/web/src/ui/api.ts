// The UI's only way to the server: the public REST API (/api/v1), with the session cookie.
// Whatever the UI does, an API client can do the same way.

/** One field's problem, as the API reports it (a JSON pointer into the request). */
export interface FieldProblem {
  pointer: string;
  message: string;
}

/** An RFC 9457 problem the API answered, as an Error. */
export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: FieldProblem[];
  constructor(status: number, code: string, detail: string, errors: FieldProblem[] = []) {
    super(detail);
    this.name = 'ApiProblem';
    this.status = status;
    this.code = code;
    this.errors = errors;
  }

  /** Field messages by dotted path (`/body/schedule/cron` is `schedule.cron`). */
  fieldErrors(): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const e of this.errors) {
      const path = e.pointer
        .replace(/^\/(body|query|params)\/?/, '')
        .split('/')
        .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
        .join('.');
      fields[path || '_'] ??= e.message;
    }
    return fields;
  }
}

/** Called when the API says the session is gone (401), to send the user to the sign-in page. */
let onSignedOut: (() => void) | undefined;
export function whenSignedOut(handler: (() => void) | undefined): void {
  onSignedOut = handler;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** A request to /api/v1; resolves to the JSON answer (undefined for 204), throws ApiProblem. */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiProblem(0, 'NETWORK', 'Cronium could not be reached: check your connection');
  }
  const text = await response.text();
  if (response.ok) return (text ? JSON.parse(text) : undefined) as T;
  let problem: { code?: string; detail?: string; title?: string; errors?: FieldProblem[] } = {};
  try {
    problem = JSON.parse(text);
  } catch {
    // Not problem+json (a proxy's page): the status says enough.
  }
  if (response.status === 401 && path !== '/sessions') onSignedOut?.();
  throw new ApiProblem(
    response.status,
    problem.code ?? 'HTTP_' + response.status,
    problem.detail ?? problem.title ?? `the server answered ${response.status}`,
    problem.errors ?? [],
  );
}

export const get = <T>(path: string, query?: Query) => api<T>('GET', withQuery(path, query));
