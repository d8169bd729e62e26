// What masking costs for huge secret values (finding H2): build time, heap and the longest
// event-loop stall while building, for the current masker and for the one before it (at a
// size it survives). Each measurement runs in a child process of its own, so heaps do not mix.
// Run: `node bench/src/masker-build.ts` (BENCH_MASKER_OLD_KB: the old masker's size, default 100).
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { writeResults } from './results.ts';

/** The masker before this change (commit 220e121), to compare. */
const OLD_COMMIT = '220e121';
const OLD_FILES = [
  'secret-masker.ts',
  'masking-scan.ts',
  'pattern-automaton.ts',
  'secret-forms.ts',
  'base64-cores.ts',
  'secret-values.ts',
];

function randomString(length: number): string {
  // One flat string (not a rope of concatenations), as a value read from the database is.
  return Buffer.from(randomBytes(length).map((byte) => 0x20 + (byte % 95))).toString('latin1');
}

async function child(kind: string, count: number, size: number, oldDir: string): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const secrets = Array.from({ length: count }, () => randomString(size));
  const memory = () => {
    gc();
    const usage = process.memoryUsage();
    return usage.heapUsed + usage.arrayBuffers;
  };
  let stall = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 1);
  const before = memory();
  const started = performance.now();
  let mask: (line: string) => string;
  if (kind === 'new') {
    const { SecretMasker, SecretSet } = await import('@cronium/log-masking');
    const set = await SecretSet.build(secrets);
    const masker = new SecretMasker([], { shared: [set] });
    mask = (line) => masker.maskLine(line);
  } else {
    const { SecretMasker } = (await import(join(oldDir, 'secret-masker.ts'))) as {
      SecretMasker: new (s: string[]) => { maskLine(l: string): string };
    };
    const masker = new SecretMasker(secrets);
    mask = (line) => masker.maskLine(line);
  }
  mask('x');
  const buildMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 5));
  clearInterval(ticker);
  const heapMB = (memory() - before) / 2 ** 20;
  const line = `${'INFO something happened '.repeat(600)}${secrets[0]!.slice(0, 100)}`.slice(
    0,
    16_384,
  );
  const maskStarted = performance.now();
  for (let i = 0; i < 200; i++) mask(line);
  const lineMs = (performance.now() - maskStarted) / 200;
  console.log(JSON.stringify({ kind, count, size, buildMs, heapMB, stallMs: stall, lineMs }));
}

function measure(kind: string, count: number, size: number, oldDir: string) {
  const run = spawnSync(
    process.execPath,
    [
      '--max-old-space-size=4096',
      fileURLToPath(import.meta.url),
      'child',
      kind,
      String(count),
      String(size),
      oldDir,
    ],
    { encoding: 'utf8', timeout: 300_000 },
  );
  const line = run.stdout.trim().split('\n').at(-1);
  if (run.status !== 0 || !line?.startsWith('{'))
    return {
      kind,
      count,
      size,
      failed: `${run.signal ?? `exit ${run.status}`}: ${run.stderr.slice(-300)}`,
    };
  const result = JSON.parse(line) as Record<string, number | string>;
  for (const key of ['buildMs', 'heapMB', 'stallMs', 'lineMs'])
    result[key] = Math.round((result[key] as number) * 100) / 100;
  return result;
}

if (process.argv[2] === 'child') {
  await child(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]), process.argv[6]!);
} else {
  const oldDir = mkdtempSync(join(tmpdir(), 'cronium-old-masker-'));
  const root = fileURLToPath(new URL('../..', import.meta.url));
  for (const file of OLD_FILES)
    writeFileSync(
      join(oldDir, file),
      execFileSync('git', ['-C', root, 'show', `${OLD_COMMIT}:packages/log-masking/src/${file}`]),
    );
  const oldKb = Number(process.env.BENCH_MASKER_OLD_KB ?? 100);
  const results = [
    measure('new', 1, 100_000, oldDir),
    measure('new', 1, 1_000_000, oldDir),
    measure('new', 3, 1_000_000, oldDir),
    measure('old', 1, oldKb * 1000, oldDir),
  ];
  rmSync(oldDir, { recursive: true, force: true });
  writeResults('masker-build', { results });
}
