// docs/api.md is checked against the OpenAPI document: every curl example names an
// operation that exists (method and path), and every operation is shown at least once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_SCOPES } from '@cronium/accounts';
import { openApiDocument } from './openapi-document.ts';
import { apiRoutes } from './v1/index.ts';

const guide = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'api.md'), 'utf8');
const readme = readFileSync(join(__dirname, '..', '..', '..', '..', 'README.md'), 'utf8');

/** `METHOD /api/v1/path/{id}` for every curl line of a text (shell continuations joined). */
function curlOperations(text: string): string[] {
  const joined = text.replace(/\\\n\s*/g, ' ');
  const operations: string[] = [];
  for (const line of joined.split('\n')) {
    if (!line.includes('curl') || !line.includes('$API')) continue;
    const method = /-X\s+([A-Z]+)/.exec(line)?.[1] ?? 'GET';
    const path = /\$API(\/[^\s"'?]*)/.exec(line)?.[1];
    if (!path) continue;
    const normalized = path
      .replace(/^\/variables\/[^/]+/, '/variables/{key}')
      .replace(/^\/hooks\/[^/]+/, '/hooks/{publicId}')
      .replace(/\/\$\{?\w+\}?/g, '/{id}')
      .replace(/\/\d+(?=\/|$)/g, '/{id}');
    operations.push(`${method} /api/v1${normalized}`);
  }
  return operations;
}

describe('the API guide and the README against the OpenAPI document', () => {
  const document = openApiDocument('test', apiRoutes);
  const known = new Set(
    Object.entries(document.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    ),
  );

  it('shows only operations that exist', () => {
    const shown = [...curlOperations(guide), ...curlOperations(readme)];
    expect(shown.length).toBeGreaterThan(10);
    expect(shown.filter((op) => !known.has(op))).toEqual([]);
  });

  it('shows every operation at least once', () => {
    const shown = new Set(curlOperations(guide));
    expect([...known].filter((op) => !shown.has(op)).sort()).toEqual([]);
  });

  it('offers only token scopes that some route checks', () => {
    const checked = new Set(
      Object.values(document.paths).flatMap((ops) =>
        Object.values(
          ops as Record<
            string,
            { 'x-cronium-scope'?: string; 'x-cronium-conditional-scope'?: string }
          >,
        ).flatMap((op) => [op['x-cronium-scope'], op['x-cronium-conditional-scope']]),
      ),
    );
    expect(API_SCOPES.filter((scope) => !checked.has(scope))).toEqual([]);
  });
});
