// Runs the whole Jest suite against real PostgreSQL: TEST_DATABASE_URL when given, otherwise
// an embedded server started for this run in a temporary directory and removed afterwards.
// Ends with the line `tests: N passed, N failed, N skipped` computed from Jest's own results.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres.ts';
import { freePort } from '@cronium/service-kit/testing';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

interface JestResults {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numRuntimeErrorTestSuites: number;
  numFailedTestSuites: number;
}

async function main(): Promise<number> {
  const workDir = mkdtempSync(join(tmpdir(), 'cronium-test-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter this directory.
  chmodSync(workDir, 0o711);
  let postgres: RunningPostgres | undefined;
  const cleanup = async () => {
    await postgres?.stop().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  process.once('SIGTERM', () => void cleanup().then(() => process.exit(143)));
  try {
    const env = { ...process.env };
    if (!env.TEST_DATABASE_URL) {
      const port = await freePort();
      console.log(`[tests] starting an embedded PostgreSQL on 127.0.0.1:${port}`);
      postgres = await startEmbeddedPostgres({
        clusterDir: join(workDir, 'postgres'),
        port,
        user: 'cronium',
        password: randomBytes(16).toString('hex'),
        database: 'postgres',
      });
      env.TEST_DATABASE_URL = postgres.url;
    } else {
      console.log('[tests] using TEST_DATABASE_URL');
    }
    const resultsFile = join(workDir, 'jest-results.json');
    const jest = join(root, 'node_modules/jest/bin/jest.js');
    const code = await new Promise<number>((done) => {
      const child = spawn(
        process.execPath,
        // --experimental-vm-modules lets Jest require() ESM-only dependencies natively (Node 24.9+).
        [
          '--experimental-vm-modules',
          '--no-warnings=ExperimentalWarning',
          jest,
          '--config',
          join(root, 'packages/launcher/jest.projects.cjs'),
          '--json',
          `--outputFile=${resultsFile}`,
          ...process.argv.slice(2),
        ],
        { cwd: root, stdio: 'inherit', env },
      );
      child.on('exit', (exitCode, signal) => done(exitCode ?? (signal ? 1 : 0)));
    });
    if (!existsSync(resultsFile)) {
      console.log('tests: 0 passed, 1 failed (jest wrote no results)');
      return code || 1;
    }
    const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as JestResults;
    // A suite that failed to load counts as a failure even though it ran no test.
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    console.log(`tests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped`);
    return code;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('[tests] could not run the suite:', error);
    console.log('tests: 0 passed, 1 failed');
    process.exit(1);
  },
);
