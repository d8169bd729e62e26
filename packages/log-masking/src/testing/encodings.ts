import { Buffer } from 'node:buffer';

/**
 * How programs print a value, encoded independently of `secretForms` so tests check the
 * masker against real encoders. Each returns the encoding of the whole text given.
 */
export const ENCODINGS = {
  raw: (text: string) => text,
  json: (text: string) => JSON.stringify(text),
  // Python's json.dumps(text) (ensure_ascii): everything outside printable ASCII as \uxxxx.
  'json-ascii': (text: string) =>
    JSON.stringify(text).replace(
      /[^\x20-\x7e]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ),
  // PHP's json_encode: '/' as '\/'.
  'json-slash': (text: string) => JSON.stringify(text).replaceAll('/', '\\/'),
  url: (text: string) => encodeURIComponent(text),
  'url-plus': (text: string) => encodeURIComponent(text).replaceAll('%20', '+'),
  // Python's urllib.parse.quote(text, safe=''): unreserved characters only.
  'url-strict': (text: string) =>
    encodeURIComponent(text).replace(
      /[!'()*]/g,
      (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
    ),
  base64: (text: string) => Buffer.from(text, 'utf8').toString('base64'),
  base64url: (text: string) => Buffer.from(text, 'utf8').toString('base64url'),
} satisfies Record<string, (text: string) => string>;

export type EncodingName = keyof typeof ENCODINGS;

export const ENCODING_NAMES = Object.keys(ENCODINGS) as EncodingName[];
