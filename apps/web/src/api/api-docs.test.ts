// docs/api.md is checked against the OpenAPI document: every curl example names an
// operation that exists (method and path), and every operation is shown at least once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_SCOPES } from '@cronium/accounts';
import { openApiDocument } from './openapi-document.ts';
import { operationId } from './operation-id.ts';
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

  it('names every operation once, with a summary and a 4xx problem', () => {
    type Operation = {
      operationId?: string;
      summary?: string;
      responses: Record<string, { content?: Record<string, unknown> }>;
    };
    const operations = Object.entries(document.paths).flatMap(([path, ops]) =>
      Object.entries(ops as Record<string, Operation>).map(([method, op]) => ({
        path,
        method,
        ...op,
      })),
    );
    const ids = operations.map((op) => op.operationId);
    expect(ids.filter((id) => !/^[a-z]+[A-Za-z0-9]*$/.test(id ?? ''))).toEqual([]);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
    expect(operations.filter((op) => !op.summary?.trim())).toEqual([]);
    // Every operation but the document's own can answer a 4xx, as a problem document.
    const without4xx = operations.filter(
      (op) =>
        !Object.entries(op.responses).some(
          ([status, response]) =>
            status.startsWith('4') && response.content?.['application/problem+json'],
        ),
    );
    expect(without4xx.map((op) => `${op.method} ${op.path}`)).toEqual(['get /api/v1/openapi.json']);
  });

  it('derives each operationId from the method and path', () => {
    const events = document.paths['/api/v1/events/{id}'] as Record<string, { operationId: string }>;
    expect(events.get!.operationId).toBe('getEventsById');
    expect(operationId('POST', '/api/v1/servers/{id}/host-key/scan')).toBe(
      'postServersByIdHostKeyScan',
    );
    expect(operationId('POST', '/api/v1/hooks/{publicId}')).toBe('postHooksByPublicId');
    expect(operationId('GET', '/api/v1/openapi.json')).toBe('getOpenapiJson');
  });

  it('answers 404 wherever the path names something, 401 wherever a credential is needed', () => {
    for (const [path, ops] of Object.entries(document.paths))
      for (const [method, op] of Object.entries(
        ops as Record<string, { responses: Record<string, unknown>; security?: unknown[] }>,
      )) {
        if (path.includes('{'))
          expect([method, path, op.responses['404']]).toEqual([method, path, expect.anything()]);
        if (op.security?.length)
          expect([method, path, op.responses['401']]).toEqual([method, path, expect.anything()]);
      }
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
