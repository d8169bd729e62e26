// `npm run keys -- status|reencrypt`: the operator's side of a master key rotation. It reads
// the same configuration as the apps (CRONIUM_ENCRYPTION_KEY, CRONIUM_ENCRYPTION_KEY_PREVIOUS,
// DATABASE_URL, or the embedded defaults of the data directory) and works on the database
// while everything keeps running. See docs/configuration.md, "Rotating CRONIUM_ENCRYPTION_KEY".
import { sql } from 'kysely';
import {
  createDatabase,
  keyStatus,
  reencryptAll,
  type ColumnKeyStatus,
  type ReencryptFailure,
} from '@cronium/db';
import { loadServiceConfig } from './base-config.ts';
import { ConfigError } from './env-schema.ts';
import { processKeys, type ProcessKey } from './process-keys.ts';
import { EXIT_CONFIG } from './run-main.ts';
import { secretBoxFromConfig } from './secret-box-config.ts';

const USAGE = `usage: npm run keys -- status [--json]
       npm run keys -- reencrypt [--batch-size N]`;
/** Passes at most: a pass is repeated only while values changed under it. */
const MAX_PASSES = 5;
const say = (message: string) => console.log(`[keys] ${message}`);
const count = (n: number) => n.toLocaleString('en-US');
const plural = (n: number, noun: string) => `${count(n)} ${noun}${n === 1 ? '' : 's'}`;

function parseArgs(argv: string[]): { command: string; json: boolean; batchSize: number } {
  const [command = '', ...rest] = argv;
  let json = false;
  let batchSize = 500;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--json' && command === 'status') json = true;
    else if (arg === '--batch-size' && command === 'reencrypt') {
      batchSize = Number(rest[++i]);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
        throw new UsageError('--batch-size takes a whole number from 1 to 10000');
    } else throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  if (command !== 'status' && command !== 'reencrypt')
    throw new UsageError(command ? `unknown command ${JSON.stringify(command)}` : 'no command');
  return { command, json, batchSize };
}

class UsageError extends Error {}

function printStatus(
  statuses: ColumnKeyStatus[],
  currentKeyId: string,
  previousKeyIds: string[],
): void {
  const width = Math.max(...statuses.map((s) => s.column.length));
  say(`current key: ${currentKeyId}; also opening: ${previousKeyIds.join(', ') || 'no other key'}`);
  for (const s of statuses) {
    const others = Object.entries(s.byKey)
      .filter(([id]) => id !== currentKeyId)
      .map(([id, n]) => `${count(n)} under ${id === 'v1' ? 'an unnamed key (v1)' : id}`);
    say(
      `${s.column.padEnd(width)}  ${plural(s.total, 'value').padStart(12)}` +
        (others.length > 0 ? `, ${others.join(', ')}` : ', all under the current key'),
    );
  }
}

function describeProcess(p: ProcessKey): string {
  return `${p.service} (connected from ${p.clientAddress ?? 'a local socket'} since ${p.connectedAt.toISOString()})`;
}

/** Says which running processes have another current key than this one; returns them. */
function processesBehind(processes: ProcessKey[], currentKeyId: string): ProcessKey[] {
  const behind = processes.filter((p) => p.keyId !== currentKeyId);
  for (const p of behind)
    say(
      `a running process has key ${p.keyId} as its current key, not ${currentKeyId}: ${describeProcess(p)}`,
    );
  return behind;
}

function printFailures(failures: ReencryptFailure[]): void {
  for (const f of failures.slice(0, 20)) say(`  ${f.column} id ${f.id}: ${f.message}`);
  if (failures.length > 20) say(`  ... and ${count(failures.length - 20)} more`);
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`[keys] ${error.message}\n${USAGE}`);
    return 2;
  }
  let base;
  try {
    ({ base } = loadServiceConfig({}, process.env, ['encryptionKey']));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`[keys] ${error.message}`);
    return EXIT_CONFIG;
  }
  const box = secretBoxFromConfig(base);
  const { db } = createDatabase({
    url: base.database.url,
    poolMax: 3,
    applicationName: 'cronium-keys',
  });
  try {
    await sql`SELECT 1`.execute(db);
  } catch (error) {
    console.error(
      `[keys] cannot reach the database: ${(error as Error).message}` +
        (base.database.embedded ? ' (is Cronium running? npm start starts its database)' : ''),
    );
    await db.destroy();
    return 1;
  }
  try {
    if (args.command === 'status') {
      const statuses = await keyStatus(db, box);
      if (args.json) {
        const processes = await processKeys(db);
        console.log(JSON.stringify({ currentKeyId: box.keyId, columns: statuses, processes }));
        return 0;
      }
      printStatus(statuses, box.keyId, box.keyIds.slice(1));
      const processes = await processKeys(db);
      if (processesBehind(processes, box.keyId).length === 0 && processes.length > 0)
        say(
          `the ${count(processes.length)} running process${processes.length === 1 ? '' : 'es'} ` +
            'using the master key have the current key',
        );
      return 0;
    }
    // One re-encryption at a time: a second would only redo the first's work.
    return await db.connection().execute(async (lockHolder) => {
      const { rows } = await sql<{ locked: boolean }>`
        SELECT pg_try_advisory_lock(hashtextextended('cronium:keys:reencrypt', 0)) AS locked`.execute(
        lockHolder,
      );
      if (!rows[0]!.locked) {
        say('another re-encryption is running (npm run keys -- status shows its progress)');
        return 1;
      }
      return reencrypt(db, box, args.batchSize);
    });
  } finally {
    await db.destroy();
  }
}

async function reencrypt(
  db: ReturnType<typeof createDatabase>['db'],
  box: ReturnType<typeof secretBoxFromConfig>,
  batchSize: number,
): Promise<number> {
  say(`re-encrypting every stored secret under key ${box.keyId}`);
  if (processesBehind(await processKeys(db), box.keyId).length > 0)
    say('what those processes write meanwhile stays under their key: restart them with this one');
  const started = performance.now();
  let resealed = 0;
  let failures: ReencryptFailure[] = [];
  for (let pass = 1; pass <= MAX_PASSES; pass++) {
    let lastLine = 0;
    const result = await reencryptAll(db, box, {
      batchSize,
      onProgress: (p) => {
        const done = p.resealed + p.changed + p.failed;
        const now = performance.now();
        if (p.planned === 0) return;
        if (done === 0) {
          lastLine = now;
          say(`${p.column}: ${plural(p.planned, 'value')} to re-encrypt`);
          return;
        }
        // The end of each column, and at most a line a second before it.
        if (done !== p.planned && now - lastLine < 1000) return;
        lastLine = now;
        say(`${p.column}: ${count(done)} of ${count(p.planned)} done`);
      },
    });
    resealed += result.resealed;
    failures = result.failures;
    if (result.changed === 0) break;
    say(`${plural(result.changed, 'value')} changed while being read: another pass`);
  }
  const seconds = (performance.now() - started) / 1000;
  const left = (await keyStatus(db, box)).filter((s) => s.outstanding > 0);
  say(
    `re-encrypted ${plural(resealed, 'value')} in ${seconds.toFixed(1)} s` +
      (resealed > 0 ? ` (${count(Math.round(resealed / seconds))} per second)` : ''),
  );
  if (failures.length > 0) {
    say(`${plural(failures.length, 'value')} could not be decrypted with any configured key:`);
    printFailures(failures);
  }
  const behind = processesBehind(await processKeys(db), box.keyId);
  if (left.length === 0 && behind.length > 0) {
    say(
      'every stored value is under the current key, but the processes above still run with ' +
        'another: what they write stays under it, and values under the current key may not ' +
        'open for them. Restart them with the new CRONIUM_ENCRYPTION_KEY (and the old one as ' +
        'CRONIUM_ENCRYPTION_KEY_PREVIOUS), then run this again before retiring the old key.',
    );
    return 1;
  }
  if (left.length === 0) {
    say(
      `every encrypted value is under key ${box.keyId}. Retire the old key: remove ` +
        'CRONIUM_ENCRYPTION_KEY_PREVIOUS from every process and restart them.',
    );
    return 0;
  }
  const outstanding = left.reduce((n, s) => n + s.outstanding, 0);
  say(
    `${plural(outstanding, 'value')} still under another key (${left.map((s) => s.column).join(', ')}). ` +
      'Keep CRONIUM_ENCRYPTION_KEY_PREVIOUS; check that every process runs with the new ' +
      'CRONIUM_ENCRYPTION_KEY, then run this again.',
  );
  return 1;
}

process.exitCode = await main();
