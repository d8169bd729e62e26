// How long each page of the web UI waits for its data, with a large history: BENCH_UI_EVENTS
// (10,000) events and BENCH_UI_RUNS (100,000) runs of one user, and stored logs of 2,000 and
// 20,000 lines for two runs. A page load is the calls the page makes, in its order, over
// loopback with the user's session cookie: the shell's GET /me first (pages mount only once it
// has answered), then the page's own calls together, then (run detail) the live log over the
// WebSocket until the last stored line has arrived. Target: p95 under 200 ms per page.
// Usage: node bench/src/ui-page-data.ts   (BENCH_UI_EVENTS, BENCH_UI_RUNS, BENCH_UI_LOADS;
// the web app built: pnpm --filter @cronium/web build)
import { loadavg } from 'node:os';
import WebSocket from 'ws';
import { percentile, writeResults } from './results.ts';
import { seedUiData, type Seeded } from './ui-seed.ts';
import { startWebStack, type WebStack } from './web-stack.ts';

const EVENTS = Number(process.env.BENCH_UI_EVENTS ?? 10_000);
const RUNS = Number(process.env.BENCH_UI_RUNS ?? 100_000);
const LOADS = Number(process.env.BENCH_UI_LOADS ?? 100);
const WARM_UP_LOADS = 10;
const LOG_LINES = [2_000, 20_000];
const TARGET_MS = 200;

/** One request a page makes; resolves when its answer is read (and parsed, as the UI does). */
interface Call {
  label: string;
  run(): Promise<unknown>;
}

interface Page {
  name: string;
  /** The URL a user opens, or the interaction on an open page. */
  opens: string;
  /** Groups in order; the calls of a group are made together. */
  steps: Call[][];
}

function api(stack: WebStack, path: string): Call {
  return { label: `GET /api/v1${path}`, run: () => stack.get(path) };
}

/** The live log as LiveLog reads it: connect, subscribe from 0 in batches, until the latest stored line. */
function liveLog(stack: WebStack, runId: number): Call {
  return {
    label: `WebSocket /v1/live: subscribe to run ${runId}, every stored line`,
    run: () =>
      new Promise<void>((resolve, reject) => {
        const socket = new WebSocket(`${stack.base.replace('http', 'ws')}/v1/live`, {
          headers: { cookie: stack.user.cookie, origin: stack.base },
        });
        const timer = setTimeout(() => finish(new Error(`run ${runId}: no log in 30 s`)), 30_000);
        let latestSeq = -1;
        let done = false;
        const finish = (error?: Error) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          // Dropped at once (no closing handshake to wait for, which the page does not wait
          // for either), and gone before the next load opens its own: the user's connection
          // cap stays clear.
          socket.once('close', () => (error ? reject(error) : resolve()));
          socket.terminate();
        };
        socket.on('error', (error) => finish(error));
        // In batches, as the page asks for them (live-socket.ts).
        socket.on('open', () =>
          socket.send(JSON.stringify({ type: 'subscribe', runId, batch: true })),
        );
        socket.on('message', (data) => {
          const frame = JSON.parse(String(data)) as {
            type: string;
            lines?: { seq: number }[];
            latestSeq?: number;
          };
          if (frame.type === 'subscribed') latestSeq = frame.latestSeq!;
          else if (frame.type === 'error') finish(new Error(String(data)));
          if (latestSeq === 0 || (frame.type === 'logs' && frame.lines!.at(-1)!.seq >= latestSeq))
            finish();
        });
      }),
  };
}

function pages(stack: WebStack, seeded: Seeded): Page[] {
  const me = api(stack, '/me');
  const list = (query: string) => api(stack, `/events?${query}&limit=25&offset=0`);
  const eventChoices = api(stack, '/events?limit=50&sort=name');
  const runDetail = ({ runId, lines }: { runId: number; lines: number }): Page => ({
    name: `Run detail, ${lines.toLocaleString('en-US')}-line log`,
    opens: '/runs/[id]',
    steps: [[me], [api(stack, `/runs/${runId}`)], [liveLog(stack, runId)]],
  });
  return [
    { name: 'Events list', opens: '/events', steps: [[me], [list('sort=newest')]] },
    {
      name: 'Events list, search typed',
      opens: 'search "backup"',
      steps: [[list('q=backup&sort=newest')]],
    },
    {
      name: 'Events list, sorted by next fire',
      opens: 'sort "Next fire"',
      steps: [[list('sort=nextFire')]],
    },
    { name: 'Dashboard', opens: '/', steps: [[me], [api(stack, '/runs/summary?hours=24')]] },
    {
      name: 'Run history',
      opens: '/runs',
      steps: [[me], [eventChoices, api(stack, '/runs?limit=25')]],
    },
    {
      name: 'Run history of one event',
      opens: `/runs?eventId=${seeded.busyEventId}`,
      steps: [[me], [eventChoices, api(stack, `/runs?eventId=${seeded.busyEventId}&limit=25`)]],
    },
    ...seeded.logRuns.map(runDetail),
  ];
}

/** One load: each group after the one before, its calls together; every call's own time. */
async function load(page: Page): Promise<{ totalMs: number; callMs: number[] }> {
  const began = performance.now();
  const callMs: number[] = [];
  let index = 0;
  for (const group of page.steps) {
    const first = index;
    index += group.length;
    await Promise.all(
      group.map(async (call, j) => {
        const t0 = performance.now();
        await call.run();
        callMs[first + j] = performance.now() - t0;
      }),
    );
  }
  return { totalMs: performance.now() - began, callMs };
}

function distribution(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    max: round(sorted.at(-1)!),
  };
}

/** Every page in turn, WARM_UP_LOADS + LOADS times: noise on the machine reaches all alike. */
async function measure(all: Page[]) {
  const totals = all.map(() => [] as number[]);
  const calls = all.map((p) => p.steps.flat().map(() => [] as number[]));
  for (let round = 0; round < WARM_UP_LOADS + LOADS; round++)
    for (const [i, page] of all.entries()) {
      const { totalMs, callMs } = await load(page);
      if (round < WARM_UP_LOADS) continue;
      totals[i]!.push(totalMs);
      callMs.forEach((ms, j) => calls[i]![j]!.push(ms));
    }
  return all.map((page, i) => ({
    page: page.name,
    opens: page.opens,
    calls: page.steps.map((group) => group.map((c) => c.label)),
    dataReadyMs: distribution(totals[i]!),
    callMs: Object.fromEntries(
      page.steps.flat().map((call, j) => [call.label, distribution(calls[i]![j]!)]),
    ),
    met:
      percentile(
        [...totals[i]!].sort((a, b) => a - b),
        95,
      ) < TARGET_MS,
  }));
}

const stack = await startWebStack();
try {
  const seeded = await seedUiData(stack.db, stack.user.id, {
    events: EVENTS,
    runs: RUNS,
    logLines: LOG_LINES,
  });
  const loadBefore = loadavg();
  const results = await measure(pages(stack, seeded));
  writeResults('ui-page-data', {
    postgres: stack.postgres,
    data: { events: EVENTS, runs: RUNS, logLines: LOG_LINES, seedSeconds: seeded.seconds },
    loadsPerPage: LOADS,
    warmUpLoadsPerPage: WARM_UP_LOADS,
    targetMs: TARGET_MS,
    pages: results,
    loadAverage: { before: loadBefore, after: loadavg() },
    note: 'one client, pages loaded one after the other over loopback; the data as an ordinary user who owns it',
  });
} finally {
  await stack.stop();
}
