// getVariable round trips from a Node.js script through the SDK to the runtime API, over
// loopback TCP and over the unix socket, beside a bare Fastify route running the same SQL
// statement on the same database (same client, same machine) as the reference. Each server
// and the client are processes of their own.
// Target: p99 under 2 ms, and at least half the bare route's throughput.
// Usage: node bench/src/runtime-api-latency.ts   (BENCH_CALLS, BENCH_CONCURRENCY, BENCH_SECONDS,
// BENCH_DATABASE_URL)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signRunToken } from '@cronium/auth';
import { SecretBox, parseMasterKey } from '@cronium/crypto';
import { writeVariable } from '@cronium/db';
import { claimRuns, triggerRun } from '@cronium/run-queue';
import { SDK_DIR } from '@cronium/sdk';
import { openBenchDatabase } from './bench-database.ts';
import { freePort, waitUntilReady } from './local-ports.ts';
import { rawSamples, summarize, writeResults } from './results.ts';

const CALLS = Number(process.env.BENCH_CALLS ?? 5000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const KEY = 'ab'.repeat(32);
const JWT = 'j'.repeat(40);
const here = fileURLToPath(new URL('.', import.meta.url));
const runtimeMain = fileURLToPath(new URL('../../apps/runtime-api/src/main.ts', import.meta.url));

const bench = await openBenchDatabase();
const dataDir = mkdtempSync(join(tmpdir(), 'cronium-bench-rt-'));
const children: ChildProcess[] = [];
try {
  const { url, db } = await bench.create(`bench_runtime_${Date.now()}`, true);
  const userId = (
    await db!
      .insertInto('users')
      .values({ email: 'bench@example.com', password_hash: 'x', role: 'admin' })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  const eventId = (
    await db!
      .insertInto('events')
      .values({
        owner_id: userId,
        name: 'bench',
        type: 'bash',
        script: 'true',
        timeout_seconds: 3600,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
  await writeVariable(db!, new SecretBox(parseMasterKey(KEY)), {
    ownerId: userId,
    key: 'bench_value',
    value: 'forty-two',
    actor: { actor_kind: 'user', actor_id: userId, actor_ref: 'bench' },
  });
  const { runId } = (await triggerRun(db!, eventId, { trigger: 'manual' })) as { runId: number };
  const [claimed] = await claimRuns(db!, { owner: 'bench', limit: 1, leaseMs: 3_600_000 });
  const token = signRunToken(JWT, { runId, attempt: claimed!.attempt, eventId, userId }, 3600);

  const port = await freePort();
  const socket = join(dataDir, 'run', 'runtime-api.sock');
  const api = spawn(process.execPath, [runtimeMain], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      CRONIUM_DATA_DIR: dataDir,
      CRONIUM_ENCRYPTION_KEY: KEY,
      CRONIUM_JWT_SECRET: JWT,
      RUNTIME_API_PORT: String(port),
      RUNTIME_API_SOCKET: socket,
      RUNTIME_API_RATE_PER_SECOND: '100000',
      RUNTIME_API_RATE_BURST: '100000',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push(api);
  await waitUntilReady(`http://127.0.0.1:${port}/ready`);

  const bare = spawn(process.execPath, [join(here, 'bare-fastify-server.ts')], {
    env: {
      ...process.env,
      DATABASE_URL: url,
      BENCH_ENCRYPTION_KEY: KEY,
      BENCH_LIVE_ATTEMPT: JSON.stringify({
        runId,
        attempt: claimed!.attempt,
        eventId,
        ownerId: userId,
      }),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(bare);
  const barePort = await new Promise<number>((resolve) =>
    bare.stdout!.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
  );

  const measure = (apiUrl: string) =>
    new Promise<{ latencies: number[]; throughput: number }>((resolve, reject) => {
      const client = spawn(
        process.execPath,
        [
          join(here, 'runtime-api-client.cjs'),
          join(SDK_DIR, 'node', 'cronium'),
          String(CALLS),
          String(CONCURRENCY),
          String(SECONDS),
        ],
        {
          env: { ...process.env, CRONIUM_API_URL: apiUrl, CRONIUM_RUN_TOKEN: token },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      let out = '';
      client.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      client.on('exit', (code) =>
        code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`client exited ${code}`)),
      );
    });
  const report = (m: { latencies: number[]; throughput: number }) => ({
    latencyMs: summarize(m.latencies),
    callsPerSecond: Math.round(m.throughput),
  });
  const bareRaw = await measure(`http://127.0.0.1:${barePort}`);
  const loopbackRaw = await measure(`http://127.0.0.1:${port}`);
  const unixRaw = await measure(`unix://${socket}`);
  const bareResult = report(bareRaw);
  const loopback = report(loopbackRaw);
  const unix = report(unixRaw);
  writeResults(
    'runtime-api-latency',
    {
      postgres: bench.version,
      sequentialCalls: CALLS,
      concurrency: CONCURRENCY,
      seconds: SECONDS,
      bareFastifyRoute: bareResult,
      runtimeApiLoopback: loopback,
      runtimeApiUnixSocket: unix,
      throughputVsBare: {
        loopback: Math.round((loopback.callsPerSecond / bareResult.callsPerSecond) * 100) / 100,
        unixSocket: Math.round((unix.callsPerSecond / bareResult.callsPerSecond) * 100) / 100,
      },
      target: 'p99 < 2 ms; throughput >= 0.5x the bare route',
    },
    {
      bareFastifyRoute: rawSamples(bareRaw.latencies),
      runtimeApiLoopback: rawSamples(loopbackRaw.latencies),
      runtimeApiUnixSocket: rawSamples(unixRaw.latencies),
    },
  );
  await db!.destroy();
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 500));
  await bench.close();
  rmSync(dataDir, { recursive: true, force: true });
}
