import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The last line a benchmark prints: where its result file is (read by run-all.ts). */
export const RESULT_FILE_PREFIX = 'result file: ';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export function summarize(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    n: sorted.length,
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? NaN),
  };
}

/** Samples rounded to microseconds (as milliseconds), to keep result files readable. */
export function rawSamples(samples: number[]): number[] {
  return samples.map((s) => Math.round(s * 1000) / 1000);
}

/**
 * The distribution of many samples in 1,001 points: the 0th, 0.1th, ..., 100th percentiles
 * (nearest rank), enough to draw it without keeping every sample.
 */
export function permilles(samples: number[]): number[] {
  const sorted = [...samples].sort((a, b) => a - b);
  return rawSamples(Array.from({ length: 1001 }, (_, i) => percentile(sorted, i / 10)));
}

/**
 * Writes a benchmark's numbers to bench/results/<name>-<time>.json and prints them, then its
 * path. `samples` (raw samples or permilles per series, for the charts) go to the file only.
 */
export function writeResults(
  name: string,
  results: Record<string, unknown>,
  samples?: Record<string, number[]>,
): string {
  const dir = fileURLToPath(new URL('../results', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const body = {
    benchmark: name,
    at: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
    },
    ...results,
  };
  writeFileSync(file, JSON.stringify(samples ? { ...body, samples } : body, null, 2) + '\n');
  console.log(JSON.stringify(body, null, 2));
  if (samples)
    console.log(
      `samples in the file: ${Object.entries(samples)
        .map(([series, values]) => `${series} (${values.length})`)
        .join(', ')}`,
    );
  console.log(`${RESULT_FILE_PREFIX}${file}`);
  return file;
}
