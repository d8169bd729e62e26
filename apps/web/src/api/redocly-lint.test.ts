// The OpenAPI document, built from the real route list as registerApi serves it, passes
// Redocly's recommended rules (apps/web/redocly.yaml: one rule narrowed, explained there and in
// docs/api.md) with no error and no warning. Redocly runs offline: no telemetry, no update check.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openApiDocument } from './openapi-document.ts';
import { apiRoutes } from './v1/index.ts';

const run = promisify(execFile);
const CLI = require.resolve('@redocly/cli/bin/cli.js');
const CONFIG = join(__dirname, '..', '..', 'redocly.yaml');

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: { ruleId: string; severity: string; message: string; location: unknown }[];
}

async function lint(document: unknown): Promise<LintReport> {
  const dir = await mkdtemp(join(tmpdir(), 'cronium-openapi-'));
  try {
    await writeFile(join(dir, 'openapi.json'), JSON.stringify(document));
    // Exit code 1 on errors: the report on stdout says which, so it is read either way.
    const { stdout } = await run(
      process.execPath,
      [CLI, 'lint', '--config', CONFIG, '--format', 'json', 'openapi.json'],
      {
        cwd: dir,
        env: {
          NODE_ENV: 'test',
          PATH: process.env.PATH,
          HOME: dir,
          REDOCLY_TELEMETRY: 'off',
          REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
          NO_COLOR: '1',
        },
        maxBuffer: 16 * 1024 * 1024,
      },
    ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    return JSON.parse(stdout) as LintReport;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the OpenAPI document under Redocly lint', () => {
  const document = openApiDocument('test', apiRoutes);

  it('has no error and no warning under the recommended rules', async () => {
    const report = await lint(document);
    expect(report.problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
  });

  it('reports an operation without a 4xx answer or an operationId', async () => {
    const broken = structuredClone(document) as {
      paths: Record<string, Record<string, { operationId?: string; responses: object }>>;
    };
    const getMe = broken.paths['/api/v1/me']!.get!;
    getMe.responses = Object.fromEntries(
      Object.entries(getMe.responses).filter(([status]) => !status.startsWith('4')),
    );
    delete broken.paths['/api/v1/events']!.post!.operationId;
    const report = await lint(broken);
    expect(report.problems.map((p) => p.ruleId).sort()).toEqual([
      'operation-operationId',
      'rule/operation-4xx-response',
    ]);
  });
});
