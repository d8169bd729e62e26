// Latency from a script's write to the frame arriving at a WebSocket client: a real
// orchestrator runs a Node.js script printing timestamped lines at BENCH_RATE lines/s; real ws
// processes stream them to 1 and to 10 viewers; without Valkey (Postgres LISTEN/NOTIFY) and
// with a Valkey/Redis server of the benchmark's own. Target: p99 under 50 ms.
// Usage: node bench/src/live-log-latency.ts   (BENCH_RATE, BENCH_SECONDS, BENCH_DATABASE_URL)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { issueToken } from '@cronium/auth';
import { startPrivateValkey, valkeyServerBinary } from '@cronium/run-events/testing';
import { triggerRun } from '@cronium/run-queue';
import { openBenchDatabase } from './bench-database.ts';
import { freePort, waitUntilReady } from './local-ports.ts';
import { permilles, summarize, writeResults } from './results.ts';

const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const KEY = 'ab'.repeat(32);
const JWT = 'j'.repeat(40);
const appMain = (app: string) =>
  fileURLToPath(new URL(`../../apps/${app}/src/main.ts`, import.meta.url));
const now = () => performance.timeOrigin + performance.now();

const bench = await openBenchDatabase();
const valkey = valkeyServerBinary() ? await startPrivateValkey() : undefined;
const results: Record<string, unknown> = {};
/** Per mode and viewer count, the latencies' permilles (for the chart). */
const distributions: Record<string, number[]> = {};
const dataDirs: string[] = [];
try {
  for (const mode of ['postgres', ...(valkey ? ['valkey'] : [])] as const) {
    const { url, db } = await bench.create(`bench_live_${mode}_${Date.now()}`, true);
    const dataDir = mkdtempSync(join(tmpdir(), 'cronium-bench-live-'));
    dataDirs.push(dataDir);
    const env = {
      ...process.env,
      DATABASE_URL: url,
      CRONIUM_DATA_DIR: dataDir,
      CRONIUM_ENCRYPTION_KEY: KEY,
      CRONIUM_JWT_SECRET: JWT,
      LOG_LEVEL: 'warn',
      ...(mode === 'valkey' ? { VALKEY_URL: valkey!.url } : { VALKEY_URL: '' }),
    };
    if (mode === 'postgres') delete (env as Record<string, unknown>).VALKEY_URL;
    const children: ChildProcess[] = [];
    const orchPort = await freePort();
    const wsPort = await freePort();
    children.push(
      spawn(process.execPath, [appMain('orchestrator')], {
        env: { ...env, ORCHESTRATOR_PORT: String(orchPort), ORCHESTRATOR_CONTAINERS: 'off' },
        stdio: 'inherit',
      }),
      spawn(process.execPath, [appMain('ws')], {
        env: { ...env, WS_PORT: String(wsPort) },
        stdio: 'inherit',
      }),
    );
    try {
      await waitUntilReady(`http://127.0.0.1:${orchPort}/ready`);
      await waitUntilReady(`http://127.0.0.1:${wsPort}/ready`);
      const userId = (
        await db!
          .insertInto('users')
          // An administrator: the local target is for administrators by default (ORCHESTRATOR_LOCAL).
          .values({ email: 'bench@example.com', password_hash: 'x', role: 'admin' })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
      const session = issueToken('session');
      await db!
        .insertInto('sessions')
        .values({
          user_id: userId,
          token_hash: session.hash,
          expires_at: new Date(Date.now() + 3_600_000),
        })
        .execute();
      for (const viewers of [1, 10]) {
        const total = RATE * SECONDS;
        const perTick = Math.max(1, Math.round(RATE / 100));
        const script = `let i = 0; const t = setInterval(() => { for (let k = 0; k < ${perTick} && i < ${total}; k++) console.log((++i) + ' ' + (performance.timeOrigin + performance.now())); if (i >= ${total}) clearInterval(t); }, 10);`;
        const eventId = (
          await db!
            .insertInto('events')
            .values({
              owner_id: userId,
              name: `bench ${viewers}`,
              type: 'node',
              script,
              target_kind: 'local',
              timeout_seconds: 600,
            })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
        const sockets = await Promise.all(
          Array.from(
            { length: viewers },
            () =>
              new Promise<WebSocket>((resolve, reject) => {
                const s = new WebSocket(`ws://127.0.0.1:${wsPort}/v1/live`, {
                  headers: { authorization: `Bearer ${session.token}` },
                });
                s.once('open', () => resolve(s));
                s.once('error', reject);
              }),
          ),
        );
        const { runId } = (await triggerRun(db!, eventId, { trigger: 'manual' })) as {
          runId: number;
        };
        const latencies: number[] = [];
        const done = Promise.all(
          sockets.map(
            (s) =>
              new Promise<void>((resolve) => {
                let received = 0;
                s.on('message', (data) => {
                  const frame = JSON.parse(data.toString()) as { type: string; text?: string };
                  if (frame.type !== 'log' || !frame.text) return;
                  const written = Number(frame.text.split(' ')[1]);
                  latencies.push(now() - written);
                  received += 1;
                  if (received === total) resolve();
                });
                s.send(JSON.stringify({ type: 'subscribe', runId }));
              }),
          ),
        );
        await Promise.race([
          done,
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error('timed out')), (SECONDS + 60) * 1000),
          ),
        ]);
        for (const s of sockets) s.close();
        const series = `${mode}, ${viewers} viewer${viewers > 1 ? 's' : ''}`;
        results[series] = {
          lines: total,
          frames: latencies.length,
          latencyMs: summarize(latencies),
        };
        distributions[series] = permilles(latencies);
      }
    } finally {
      for (const child of children) child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 1_000));
      await db!.destroy();
    }
  }
  writeResults(
    'live-log-latency',
    {
      postgres: bench.version,
      linesPerSecond: RATE,
      seconds: SECONDS,
      results,
      target: 'p99 < 50 ms',
    },
    distributions,
  );
} finally {
  await valkey?.stop();
  await bench.close();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
}
