import { Buffer } from 'node:buffer';
import { base64Cores, toBase64Url, type Base64Alignment } from './base64-cores.ts';

export type SecretEncoding =
  | 'raw'
  | 'json'
  | 'json-ascii'
  | 'json-slash'
  | 'json-ascii-slash'
  | 'url'
  | 'url-plus'
  | 'url-strict'
  | 'base64'
  | 'base64url';

export interface SecretForm {
  readonly encoding: SecretEncoding;
  /** The text to look for in output. */
  readonly text: string;
  /** For base64 forms: the value's byte offset within a base64 group. */
  readonly alignment?: Base64Alignment;
}

/**
 * The ways a value commonly shows up in output: as is, JSON-escaped (inside a string
 * literal; also with non-ASCII characters as `\uXXXX` as Python's `json.dumps` writes them,
 * with `/` as `\/` as PHP's `json_encode` does, and both), URL-encoded (`encodeURIComponent`,
 * with `+` for spaces as in form bodies and query strings, and strictly per RFC 3986 as
 * Python's `quote` does) and base64 / base64url-encoded at any byte alignment (see
 * `base64Cores`). Forms with the same text are listed once, under the first encoding that
 * produces it.
 */
export function secretForms(value: string): SecretForm[] {
  const json = JSON.stringify(value).slice(1, -1);
  const jsonAscii = asciiOnly(json);
  const forms: SecretForm[] = [
    { encoding: 'raw', text: value },
    { encoding: 'json', text: json },
    { encoding: 'json-ascii', text: jsonAscii },
    { encoding: 'json-slash', text: json.replaceAll('/', '\\/') },
    { encoding: 'json-ascii-slash', text: jsonAscii.replaceAll('/', '\\/') },
  ];
  const url = uriComponent(value);
  if (url !== undefined)
    forms.push(
      { encoding: 'url', text: url },
      { encoding: 'url-plus', text: url.replaceAll('%20', '+') },
      // RFC 3986 strict: also !'()* escaped (Python's quote(safe=''), URLSearchParams-like).
      {
        encoding: 'url-strict',
        text: url.replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()),
      },
    );
  const cores = base64Cores(Buffer.from(value, 'utf8'));
  for (const { alignment, text } of cores) forms.push({ encoding: 'base64', text, alignment });
  for (const { alignment, text } of cores)
    forms.push({ encoding: 'base64url', text: toBase64Url(text), alignment });

  const distinct = new Map<string, SecretForm>();
  for (const form of forms)
    if (form.text.length > 0 && !distinct.has(form.text)) distinct.set(form.text, form);
  return [...distinct.values()];
}

/** Every character outside printable ASCII as `\\uXXXX` (lowercase hex, as Python writes it). */
function asciiOnly(json: string): string {
  return json.replace(
    /[^\x20-\x7e]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

function uriComponent(value: string): string | undefined {
  try {
    return encodeURIComponent(value);
  } catch {
    // A lone surrogate cannot be URL-encoded, so it cannot appear in that form either.
    return undefined;
  }
}
