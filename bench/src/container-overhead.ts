// A Cronium container run of `true` (hardened create, attach, start, wait, inspect, remove)
// against a bare `docker run --rm IMAGE true` on the same engine. Target: at most 1.1x.
// Usage: node bench/src/container-overhead.ts   (BENCH_RUNS)
import { spawn } from 'node:child_process';
import Dockerode from 'dockerode';
import { ContainerExecutor } from '@cronium/executors';
import { rawSamples, summarize, writeResults } from './results.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const IMAGE = 'debian:bookworm-slim';
const MiB = 2 ** 20;
const docker = new Dockerode();
const executor = new ContainerExecutor({
  docker,
  images: { bash: IMAGE, python: IMAGE, node: IMAGE },
  caps: {
    maxMemoryBytes: 1024 * MiB,
    maxNanoCpus: 2e9,
    maxPids: 1024,
    maxTmpfsBytes: 64 * MiB,
    allowedNetworks: [],
    allowedReadOnlyBinds: [],
  },
  limits: { memoryBytes: 256 * MiB, nanoCpus: 1e9, pids: 256, tmpfsBytes: 64 * MiB },
  user: '65534:65534',
  orchestratorId: 'bench',
  installationId: 'bench',
  killGraceMs: 1000,
});

function bare(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['run', '--rm', '--network', 'none', IMAGE, 'true'], {
      stdio: 'ignore',
    });
    child.on('exit', (code) =>
      code === 0
        ? resolve(performance.now() - started)
        : reject(new Error(`docker run exited ${code}`)),
    );
  });
}

async function cronium(i: number): Promise<number> {
  const started = performance.now();
  const result = await executor.run(
    { runId: i, attempt: 1, eventId: 1, type: 'bash', script: 'true', http: null, env: {} },
    { signal: new AbortController().signal, onLog: () => undefined },
  );
  if (result.status !== 'succeeded') throw new Error(JSON.stringify(result));
  return performance.now() - started;
}

for (let i = 0; i < 3; i++) {
  await bare();
  await cronium(i);
}
const bareTimes: number[] = [];
const croniumTimes: number[] = [];
for (let i = 0; i < RUNS; i++) {
  bareTimes.push(await bare());
  croniumTimes.push(await cronium(100 + i));
}
const b = summarize(bareTimes);
const c = summarize(croniumTimes);
writeResults(
  'container-overhead',
  {
    runs: RUNS,
    image: IMAGE,
    bareDockerRunMs: b,
    croniumContainerRunMs: c,
    ratioMean: Math.round((c.mean / b.mean) * 100) / 100,
    ratioP50: Math.round((c.p50 / b.p50) * 100) / 100,
    target: 'ratio <= 1.1',
  },
  { bareDockerRun: rawSamples(bareTimes), croniumContainerRun: rawSamples(croniumTimes) },
);
