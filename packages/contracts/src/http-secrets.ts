/**
 * Secrets in HTTP events (review L12): the URL's path and query, a header's value and the body
 * may name a secret of the event's write-only secret environment as `{{secrets.NAME}}`. The
 * event keeps the placeholder (shown by the API, stored in clear, harmless); the orchestrator
 * puts the value in when it sends the request, and masks it in the run's log and result like
 * every secret of the run. Placeholders may not stand in the scheme, host or port, so a secret
 * can never decide where a request goes (the egress policy judges the URL as written).
 */
export const SECRET_PLACEHOLDER = /\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

export interface HttpRequestTemplate {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | null;
}

/** A placeholder and where it is (a JSON pointer under the http object). */
export interface SecretReference {
  name: string;
  pointer: string;
}

function namesIn(text: string): string[] {
  return [...text.matchAll(SECRET_PLACEHOLDER)].map((match) => match[1]!);
}

/** Where the URL's origin ends: the first `/`, `?` or `#` after `scheme://`. */
function originEnd(url: string): number {
  const start = url.indexOf('//');
  const from = start === -1 ? 0 : start + 2;
  const rest = url.slice(from).search(/[/?#]/);
  return rest === -1 ? url.length : from + rest;
}

/**
 * Every placeholder of a request, and the problems it has as written: a placeholder in the
 * origin, or in a header's name.
 */
export function secretReferences(http: HttpRequestTemplate): {
  references: SecretReference[];
  problems: { pointer: string; message: string }[];
} {
  const references: SecretReference[] = [];
  const problems: { pointer: string; message: string }[] = [];
  if (namesIn(http.url.slice(0, originEnd(http.url))).length > 0)
    problems.push({
      pointer: '/body/http/url',
      message: 'secrets may be used in the path and query, not in the scheme, host or port',
    });
  for (const name of namesIn(http.url)) references.push({ name, pointer: '/body/http/url' });
  for (const [header, value] of Object.entries(http.headers)) {
    const pointer = `/body/http/headers/${header.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    if (namesIn(header).length > 0)
      problems.push({ pointer, message: 'secrets may be used in header values, not names' });
    for (const name of namesIn(value)) references.push({ name, pointer });
  }
  for (const name of namesIn(http.body ?? ''))
    references.push({ name, pointer: '/body/http/body' });
  return { references, problems };
}

/**
 * The request to send: every placeholder replaced by its value (URL-encoded in the URL), or
 * an error naming the first secret the event does not have (any more).
 */
export function fillSecrets(
  http: HttpRequestTemplate,
  secrets: Record<string, string>,
): HttpRequestTemplate | { missing: string } {
  let missing: string | undefined;
  const fill = (text: string, encode: (value: string) => string) =>
    text.replace(SECRET_PLACEHOLDER, (whole, name: string) => {
      const value = Object.hasOwn(secrets, name) ? secrets[name] : undefined;
      if (value === undefined) {
        missing ??= name;
        return whole;
      }
      return encode(value);
    });
  const cut = originEnd(http.url);
  const filled: HttpRequestTemplate = {
    method: http.method,
    url: http.url.slice(0, cut) + fill(http.url.slice(cut), encodeURIComponent),
    headers: Object.fromEntries(
      Object.entries(http.headers).map(([name, value]) => [name, fill(value, (v) => v)]),
    ),
    body: http.body === null ? null : fill(http.body, (v) => v),
  };
  return missing === undefined ? filled : { missing };
}
