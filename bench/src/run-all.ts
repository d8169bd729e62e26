// One command for every benchmark: runs each of bench/src (see suite.ts) as a child process,
// one after the other, skipping those whose prerequisite is missing, and writes
// docs/benchmarks.md (machine, a table of figures with targets and same-run references) and
// its charts in docs/benchmarks/.
//
//   pnpm bench                               every benchmark at its real sizes
//   BENCH_QUICK=1 pnpm bench                 shorter sizes, for development
//   BENCH_ONLY=fire-latency,scale-out pnpm bench
//   node bench/src/run-all.ts --report-only  the docs again from the latest result files
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chartsFor, type Chart } from './report/charts.ts';
import { NONE, type Figure, type Result } from './report/figure.ts';
import { machineInfo } from './report/machine-info.ts';
import { benchmarksMarkdown, type BenchmarkStatus } from './report/markdown.ts';
import { runBenchmark } from './run-benchmark.ts';
import { SUITE, type Benchmark } from './suite.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const resultsDir = join(root, 'bench/results');
const docsFile = join(root, 'docs/benchmarks.md');
const chartsDir = join(root, 'docs/benchmarks');

const quick = process.env.BENCH_QUICK === '1';
const reportOnly = process.argv.includes('--report-only');
const only = process.env.BENCH_ONLY?.split(',')
  .map((s) => s.trim())
  .filter(Boolean);

const duration = (ms: number) =>
  ms >= 60_000
    ? `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
    : `${Math.round(ms / 1000)} s`;

/** The newest result file of a benchmark (names sort by their time). */
function latestResult(name: string): string | undefined {
  let files: string[];
  try {
    files = readdirSync(resultsDir).filter((f) => f.startsWith(`${name}-2`) && f.endsWith('.json'));
  } catch {
    return undefined;
  }
  const newest = files.sort().at(-1);
  return newest && join(resultsDir, newest);
}

interface Outcome {
  benchmark: Benchmark;
  status: string;
  file?: string;
}

async function runSuite(signal: AbortSignal): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const benchmark of SUITE) {
    if (signal.aborted) break;
    if (only && !only.includes(benchmark.name)) {
      // The report still shows it, from its latest result: a partial run must not drop the
      // other figures and charts from the committed document.
      const file = latestResult(benchmark.name);
      outcomes.push(
        file
          ? { benchmark, status: 'not in BENCH_ONLY: result file of an earlier run', file }
          : { benchmark, status: 'not run (not in BENCH_ONLY)' },
      );
      continue;
    }
    const missing = await benchmark.prerequisite?.();
    if (missing) {
      console.log(`\n=== ${benchmark.name}: skipped: ${missing}`);
      outcomes.push({ benchmark, status: `skipped: ${missing}` });
      continue;
    }
    console.log(`\n=== ${benchmark.name}`);
    const began = Date.now();
    // A variable set for the whole run wins over the quick size.
    const env = { ...(quick ? benchmark.quick : {}), ...process.env };
    const outcome = await runBenchmark(benchmark.name, {
      env,
      timeoutMs: benchmark.timeoutMinutes * 60_000,
      signal,
    });
    const took = duration(Date.now() - began);
    outcomes.push(
      'file' in outcome
        ? { benchmark, status: `ran in ${took}`, file: outcome.file }
        : { benchmark, status: `failed after ${took}: ${outcome.failed}` },
    );
    console.log(`=== ${benchmark.name}: ${outcomes.at(-1)!.status}`);
  }
  return outcomes;
}

function fromLatestResults(): Outcome[] {
  return SUITE.map((benchmark) => {
    const file = latestResult(benchmark.name);
    return file
      ? { benchmark, status: 'result file of an earlier run', file }
      : { benchmark, status: 'no result file in bench/results' };
  });
}

/** Rows and charts from each outcome; a benchmark without a result is one row saying why. */
function collect(outcomes: Outcome[]) {
  const results = new Map<string, Result>();
  const figures: Figure[] = [];
  const charts: Chart[] = [];
  for (const { benchmark, status, file } of outcomes) {
    let rows: Figure[] | undefined;
    let problem = status;
    if (file) {
      try {
        const result = JSON.parse(readFileSync(file, 'utf8')) as Result;
        rows = benchmark.figures(result);
        charts.push(...chartsFor(benchmark.name, result));
        results.set(benchmark.name, result);
      } catch (error) {
        problem = `failed: its result could not be read (${(error as Error).message})`;
      }
    }
    figures.push(
      ...(rows ?? [
        {
          figure: benchmark.title,
          measured: problem,
          target: benchmark.targets,
          reference: NONE,
          met: undefined,
        },
      ]),
    );
  }
  return { results, figures, charts };
}

async function main(): Promise<number> {
  const unknown = only?.filter((name) => !SUITE.some((b) => b.name === name)) ?? [];
  if (unknown.length > 0) {
    console.error(
      `BENCH_ONLY: no benchmark ${unknown.join(', ')} (there are ${SUITE.map((b) => b.name).join(', ')})`,
    );
    return 2;
  }
  const startedAt = new Date();
  const loadAverage = loadavg();
  const controller = new AbortController();
  const abort = () => {
    console.error('\nstopping the benchmark that is running; no report will be written');
    controller.abort();
  };
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);

  const outcomes = reportOnly ? fromLatestResults() : await runSuite(controller.signal);
  if (controller.signal.aborted) return 130;
  const { results, figures, charts } = collect(outcomes);

  rmSync(chartsDir, { recursive: true, force: true });
  mkdirSync(chartsDir, { recursive: true });
  for (const chart of charts) writeFileSync(join(chartsDir, chart.file), chart.svg);
  const benchmarks: BenchmarkStatus[] = outcomes.map((o) => ({
    name: o.benchmark.name,
    status: o.status,
    resultFile: o.file && relative(root, o.file),
  }));
  writeFileSync(
    docsFile,
    benchmarksMarkdown({
      startedAt,
      seconds: (Date.now() - startedAt.getTime()) / 1000,
      quick,
      reportOnly,
      loadAverage,
      database: process.env.BENCH_DATABASE_URL
        ? 'the server of BENCH_DATABASE_URL (api-burst: its own embedded PostgreSQL)'
        : 'an embedded PostgreSQL started by each benchmark on this machine',
      machine: await machineInfo(results),
      figures,
      charts,
      benchmarks,
    }),
  );
  console.log(
    `\nwritten: ${relative(root, docsFile)} and ${charts.length} charts in docs/benchmarks/`,
  );
  const failed = outcomes.filter((o) => o.status.startsWith('failed'));
  if (failed.length > 0) console.error(`failed: ${failed.map((o) => o.benchmark.name).join(', ')}`);
  return failed.length > 0 ? 1 : 0;
}

process.exitCode = await main();
