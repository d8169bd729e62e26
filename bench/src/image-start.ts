// The production image's start and footprint: image size by layer, the time from `docker
// start` to all four processes ready on a warm data volume (first start, which creates the
// cluster and migrates, measured apart), and the container's memory once idle.
//
//   node bench/src/image-start.ts            (image cronium:latest, BENCH_IMAGE to change)
//
// Host networking and free ports, as the image test runs it (no bridge network here).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { freePort } from './local-ports.ts';
import { summarize, writeResults } from './results.ts';

const run = promisify(execFile);
const image = process.env.BENCH_IMAGE ?? 'cronium:latest';
const starts = Number(process.env.BENCH_STARTS ?? 5);
const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 30);
const suffix = randomBytes(4).toString('hex');
const name = `cronium-bench-${suffix}`;

async function docker(...args: string[]): Promise<string> {
  return (await run('docker', args, { maxBuffer: 64 * 2 ** 20 })).stdout.trim();
}

/** Milliseconds until the image's own health check (all four /ready) passes. */
async function untilReady(since: number): Promise<number> {
  for (;;) {
    const ok = await docker('exec', name, 'node', '/app/docker/healthcheck.mjs').then(
      () => true,
      () => false,
    );
    if (ok) return Date.now() - since;
    if (Date.now() - since > 300_000) throw new Error('not ready after 300 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const ports: string[] = [];
for (const variable of [
  'WEB_PORT',
  'RUNTIME_API_PORT',
  'WS_PORT',
  'ORCHESTRATOR_PORT',
  'CRONIUM_EMBEDDED_PG_PORT',
])
  ports.push('--env', `${variable}=${await freePort()}`);

const layers = (
  await docker('history', '--no-trunc', '--format', '{{.Size}}\t{{.CreatedBy}}', image)
)
  .split('\n')
  .map((line) => {
    const [size, createdBy] = line.split('\t');
    return { size, step: (createdBy ?? '').replace(/\s+/g, ' ').slice(0, 120) };
  })
  .filter((layer) => layer.size !== '0B');
const sizeBytes = Number(await docker('image', 'inspect', '--format', '{{.Size}}', image));

try {
  let since = Date.now();
  await docker(
    'run',
    '--detach',
    '--name',
    name,
    '--network',
    'host',
    '--stop-timeout',
    '40',
    '--volume',
    `${name}:/data`,
    '--env',
    `CRONIUM_ENCRYPTION_KEY=${randomBytes(32).toString('hex')}`,
    '--env',
    `CRONIUM_JWT_SECRET=${randomBytes(48).toString('base64')}`,
    '--env',
    'WEB_HOST=127.0.0.1',
    ...ports,
    image,
  );
  const firstStartMs = await untilReady(since);
  const warmStartMs: number[] = [];
  for (let i = 0; i < starts; i++) {
    await docker('stop', name);
    since = Date.now();
    await docker('start', name);
    warmStartMs.push(await untilReady(since));
  }
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));
  const memory = await docker('stats', '--no-stream', '--format', '{{.MemUsage}}', name);
  const processes = await docker(
    'exec',
    name,
    'sh',
    '-c',
    'for p in /proc/[0-9]*; do [ -r $p/status ] && awk -v c="$(tr "\\0" " " < $p/cmdline | cut -c1-60)" \'/^VmRSS/{print $2" kB\\t"c}\' $p/status; done',
  );
  writeResults('image-start', {
    image,
    sizeMB: Math.round(sizeBytes / 1e6),
    layers,
    firstStartMs,
    warmStartMs: summarize(warmStartMs),
    idleAfterSeconds: idleSeconds,
    idleMemory: memory,
    processRss: processes.split('\n').filter(Boolean),
  });
} finally {
  await docker('rm', '--force', '--volumes', name).catch(() => undefined);
  await docker('volume', 'rm', name).catch(() => undefined);
}
