import { Buffer } from 'node:buffer';

/**
 * Test oracle, independent of the masker: whether a reader could find `value` in `text` as
 * is, after JSON-unescaping, after URL-decoding (with or without `+` for spaces), or by
 * base64-decoding any run of base64 characters at any of its four phases.
 */
export function revealsValue(text: string, value: string): boolean {
  const views = [text, jsonUnescape(text), urlDecode(text), urlDecode(text.replaceAll('+', ' '))];
  if (views.some((view) => view.includes(value))) return true;
  const bytes = Buffer.from(value, 'utf8');
  for (const [run] of text.matchAll(/[A-Za-z0-9+/_-]{2,}/g))
    for (let phase = 0; phase < 4; phase++)
      if (Buffer.from(run.slice(phase), 'base64').includes(bytes)) return true;
  return false;
}

function jsonUnescape(text: string): string {
  const simple: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
  return text.replace(/\\(u[0-9a-fA-F]{4}|["\\/bfnrt])/g, (_, escape: string) =>
    escape.length === 5
      ? String.fromCharCode(parseInt(escape.slice(1), 16))
      : (simple[escape] ?? escape),
  );
}

function urlDecode(text: string): string {
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (escapes) =>
    Buffer.from(escapes.replaceAll('%', ''), 'hex').toString('utf8'),
  );
}
