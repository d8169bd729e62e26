// A typed client generated from the served OpenAPI document by well-known generators
// (openapi-typescript for the types, openapi-fetch for the calls) drives the running API with
// an API token. The client's code is compiled by TypeScript against the generated types (so
// they are usable, and strict: a misnamed field is an error) and that same code is then run.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import createClient from 'openapi-fetch';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { adminAndUser, startApiStack, type ApiStack } from './testing/api-stack.ts';

const FINAL_STATUSES = ['succeeded', 'failed', 'timed_out', 'cancelled'];

// The client under test, written as a user of the generated types would write it.
const CLIENT = `
import type createClient from 'openapi-fetch';
import type { paths } from './schema.ts';

export function cronium(create: typeof createClient, baseUrl: string, token: string) {
  const client = create<paths>({ baseUrl, headers: { authorization: \`Bearer \${token}\` } });
  return {
    createEvent: (name: string, script: string) =>
      client.POST('/api/v1/events', { body: { name, type: 'bash', script } }),
    readEvent: (id: number) => client.GET('/api/v1/events/{id}', { params: { path: { id } } }),
    listEvents: (limit: number) => client.GET('/api/v1/events', { params: { query: { limit } } }),
    runEvent: (id: number, input: unknown) =>
      client.POST('/api/v1/events/{id}/runs', { params: { path: { id } }, body: { input } }),
    readRun: async (id: number) => {
      const { data, error } = await client.GET('/api/v1/runs/{id}', { params: { path: { id } } });
      if (error) throw new Error(error.code + ': ' + error.title);
      return { id: data.id, status: data.status, eventId: data.eventId };
    },
  };
}
`;

/** TypeScript's errors in `client.ts` of `dir`, compiled strictly against `schema.ts`. */
function typeErrors(dir: string): string[] {
  const fetchTypes = require.resolve('openapi-fetch/dist/index.d.mts');
  const program = ts.createProgram([join(dir, 'client.ts')], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: [],
    paths: { 'openapi-fetch': [fetchTypes] },
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('a client generated from the OpenAPI document', () => {
  let stack: ApiStack;
  let token: string;
  let schema: string;
  let dir: string;

  beforeAll(async () => {
    stack = await startApiStack({ engine: true });
    const { admin } = await adminAndUser(stack);
    token = (
      await stack.call('POST', '/api/v1/tokens', admin, {
        name: 'generated client',
        scopes: ['events:read', 'events:write', 'events:execute', 'runs:read', 'runs:write'],
      })
    ).json.token;
    const document = await (await fetch(`${stack.base}/api/v1/openapi.json`)).json();
    schema = astToString(await openapiTS(document));
    dir = await mkdtemp(join(tmpdir(), 'cronium-client-'));
    await writeFile(join(dir, 'schema.ts'), schema);
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('types every operation under its operationId', () => {
    expect(schema).toContain('export interface operations');
    expect(schema).toMatch(/\bgetEventsById: \{/);
    expect(schema).toMatch(/\bpostEventsByIdRuns: \{/);
  });

  it('compiles a client that uses the types, and refuses one that misnames a field', async () => {
    await writeFile(join(dir, 'client.ts'), CLIENT);
    expect(typeErrors(dir)).toEqual([]);
    await writeFile(join(dir, 'client.ts'), CLIENT.replace('{ name, type:', '{ nmae: name, type:'));
    expect(typeErrors(dir).join('\n')).toMatch(/'nmae' does not exist/);
    await writeFile(join(dir, 'client.ts'), CLIENT.replace("type: 'bash'", "type: 'cobol'"));
    expect(typeErrors(dir).join('\n')).toMatch(/"cobol"/);
    await writeFile(
      join(dir, 'client.ts'),
      CLIENT.replace('eventId: data.eventId', 'eventId: data.evnetId'),
    );
    expect(typeErrors(dir).join('\n')).toMatch(/'evnetId' does not exist/);
  }, 120_000);

  describe('driving the running API', () => {
    let api: {
      createEvent(name: string, script: string): Promise<Answer<{ id: number; name: string }>>;
      readEvent(id: number): Promise<Answer<{ id: number; type: string }>>;
      listEvents(limit: number): Promise<Answer<{ events: { id: number }[] }>>;
      runEvent(id: number, input: unknown): Promise<Answer<{ id: number }>>;
      readRun(id: number): Promise<{ id: number; status: string; eventId: number }>;
    };
    interface Answer<T> {
      data?: T;
      error?: Record<string, unknown>;
      response: Response;
    }

    beforeAll(async () => {
      // The same code that was type-checked, compiled to CommonJS and loaded.
      const { outputText } = ts.transpileModule(CLIENT, {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2023 },
      });
      await writeFile(join(dir, 'client.cjs'), outputText);
      const { cronium } = (await import(join(dir, 'client.cjs'))) as {
        cronium: (create: typeof createClient, baseUrl: string, token: string) => typeof api;
      };
      api = cronium(createClient, stack.base, token);
    });

    it('creates an event, reads it, lists events, runs it and reads the run', async () => {
      const created = await api.createEvent('from the generated client', 'echo "hi $1"');
      expect(created.response.status).toBe(201);
      const event = created.data!;
      expect(event.name).toBe('from the generated client');

      expect((await api.readEvent(event.id)).data).toMatchObject({ id: event.id, type: 'bash' });
      expect((await api.listEvents(10)).data!.events.map((e) => e.id)).toContain(event.id);

      const triggered = await api.runEvent(event.id, 'there');
      expect(triggered.response.status).toBe(201);
      const runId = triggered.data!.id;
      let run = await api.readRun(runId);
      for (let i = 0; i < 300 && !FINAL_STATUSES.includes(run.status); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        run = await api.readRun(runId);
      }
      expect(run).toEqual({ id: runId, eventId: event.id, status: 'succeeded' });
    }, 60_000);

    it('reads a 4xx as a problem document', async () => {
      const missing = await api.readEvent(987_654);
      expect(missing.response.status).toBe(404);
      expect(missing.response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(missing.data).toBeUndefined();
      expect(missing.error).toMatchObject({ status: 404, code: 'NOT_FOUND' });
      await expect(api.readRun(987_654)).rejects.toThrow(/^NOT_FOUND: /);
    });
  });
});
