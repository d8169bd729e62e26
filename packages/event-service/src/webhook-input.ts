// What a webhook request becomes: the run's input (docs/webhooks.md#the-runs-input).
import { AppError } from '@cronium/service-kit/errors';
import { jsonProblem } from '@cronium/service-kit/json-checks';

/** Headers never copied into an input: they carry credentials (a bearer-mode hook's secret). */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);
const HEADER_NAME = /^[a-z0-9!#$%&'*+.^_`|~-]{1,100}$/;

function headerRefused(index: number, message: string): AppError {
  return new AppError('UNPROCESSABLE', `headers: ${message}`, {
    errors: [{ pointer: `/body/headers/${index}`, message }],
  });
}

/**
 * The header names a hook copies into its runs' input, lower-cased, each once, in the order
 * given; a credential header or a name HTTP does not allow is refused (its pointer under
 * `/body/headers`).
 */
export function checkedInputHeaders(names: string[]): string[] {
  const checked: string[] = [];
  names.forEach((given, i) => {
    const name = given.trim().toLowerCase();
    if (!HEADER_NAME.test(name)) throw headerRefused(i, `${given} is not an HTTP header name`);
    if (CREDENTIAL_HEADERS.has(name))
      throw headerRefused(i, `${name} carries credentials and is never copied into a run's input`);
    if (!checked.includes(name)) checked.push(name);
  });
  return checked;
}

export type BodyType = 'json' | 'form' | 'text' | 'base64' | 'empty';

/** Why a body cannot become an input: the media type (415), or the body itself (400). */
export type BodyRefusal =
  | { kind: 'unsupported_type'; message: string }
  | { kind: 'bad_body'; message: string; pointer?: string };

/** The media type of a Content-Type header, lower-cased, without its parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function utf8(raw: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return undefined;
  }
}

/**
 * The body as the script will read it: JSON parsed, a form as an object (a repeated field as
 * an array of its values), anything else as text when it is UTF-8 without NUL characters, and
 * otherwise base64. multipart/form-data is refused (files are not inputs).
 */
export function parseWebhookBody(
  raw: Buffer,
  contentType: string | undefined,
): { body: unknown; bodyType: BodyType } | BodyRefusal {
  const type = mediaType(contentType);
  if (type === 'multipart/form-data')
    return {
      kind: 'unsupported_type',
      message:
        'multipart/form-data is not accepted: send JSON, a urlencoded form, or the raw content',
    };
  if (raw.length === 0) return { body: null, bodyType: 'empty' };
  const text = utf8(raw);
  if (type === 'application/json' || type.endsWith('+json')) {
    let body: unknown;
    try {
      if (text === undefined) throw new Error('not UTF-8');
      body = JSON.parse(text);
    } catch {
      return { kind: 'bad_body', message: 'the body is not valid JSON' };
    }
    return storable(body, 'json');
  }
  if (type === 'application/x-www-form-urlencoded') {
    if (text === undefined) return { kind: 'bad_body', message: 'the form is not UTF-8' };
    const form: Record<string, string | string[]> = {};
    for (const [key, value] of new URLSearchParams(text)) {
      const seen = form[key];
      form[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
    }
    return storable(form, 'form');
  }
  if (text !== undefined && !text.includes('\0')) return { body: text, bodyType: 'text' };
  return { body: raw.toString('base64'), bodyType: 'base64' };
}

function storable(body: unknown, bodyType: BodyType) {
  const problem = jsonProblem(body);
  if (problem)
    return {
      kind: 'bad_body' as const,
      message: `the body cannot be stored as it is: ${problem.message}`,
      pointer: `/body${problem.pointer}`,
    };
  return { body, bodyType };
}

/** The chosen headers of a request, those it has, by lower-case name. */
export function chosenHeaders(
  headers: Record<string, string | string[] | undefined>,
  names: string[],
): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = headers[name];
    if (value === undefined) continue;
    picked[name] = (Array.isArray(value) ? value.join(', ') : value).replaceAll('\0', '');
  }
  return picked;
}

/** An Idempotency-Key a sender may use: 1-255 printable ASCII characters. */
export const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;
