// Table rows for the benchmarks of one path each against its bare reference: the runtime API,
// the local, container and SSH executors, the image and the log masker.
import { formatNumber } from '../svg-chart.ts';
import { NONE, latency, ms, perSecond, ratio, type Figure, type Result } from './figure.ts';

export function runtimeApiFigures(r: Result): Figure[] {
  const bare = r.bareFastifyRoute;
  const rows: Figure[] = [];
  for (const [name, key, ratioKey] of [
    ['loopback TCP', 'runtimeApiLoopback', 'loopback'],
    ['unix socket', 'runtimeApiUnixSocket', 'unixSocket'],
  ] as const) {
    const s = r[key];
    rows.push(
      {
        figure: `Runtime API \`getVariable\` latency, ${name}, ${formatNumber(r.sequentialCalls, 1)} calls one after the other`,
        measured: latency(s.latencyMs),
        target: 'p99 < 2 ms',
        reference: `bare Fastify route, same SQL statement: ${latency(bare.latencyMs)}`,
        met: s.latencyMs.p99 < 2,
      },
      {
        figure: `Runtime API \`getVariable\` throughput, ${name}, ${r.concurrency} concurrent`,
        measured: `${perSecond(s.callsPerSecond, 'calls/s')} (${ratio(r.throughputVsBare[ratioKey])} the bare route)`,
        target: '>= 0.5x the bare route',
        reference: `bare Fastify route, same SQL statement, same database: ${perSecond(bare.callsPerSecond, 'calls/s')}`,
        met: r.throughputVsBare[ratioKey] >= 0.5,
      },
    );
  }
  return rows;
}

export function localOverheadFigures(r: Result): Figure[] {
  const bare = `bare spawn of \`bash script.sh\`: mean ${ms(r.bareSpawnMs.mean)}, p50 ${ms(r.bareSpawnMs.p50)}`;
  const rows: Figure[] = [
    {
      figure: `Local executor overhead over a bare spawn, ${r.runs} runs of \`true\``,
      measured: `+${ms(r.overheadMs.mean)} mean, +${ms(r.overheadMs.p50)} p50 (executor: mean ${ms(r.localExecutorMs.mean)})`,
      target: '< 5 ms',
      reference: bare,
      met: r.overheadMs.mean < 5,
    },
  ];
  for (const [key, label] of [
    ['throughHelper', 'through the launch helper'],
    ['asOwnerUid', "through the helper as the owner's uid"],
    ['inBubblewrap', 'through the helper in bubblewrap'],
  ] as const) {
    const v = r[key];
    rows.push({
      figure: `Local executor ${label}`,
      measured:
        typeof v === 'string'
          ? v
          : `+${ms(v.overheadMs.mean)} mean, +${ms(v.overheadMs.p50)} p50 over the bare spawn`,
      target: NONE,
      reference: typeof v === 'string' ? NONE : bare,
      met: undefined,
    });
  }
  return rows;
}

export function containerFigures(r: Result): Figure[] {
  const c = r.croniumContainerRunMs;
  const b = r.bareDockerRunMs;
  return [
    {
      figure: `Container run of \`true\` (${r.image}), ${r.runs} runs`,
      measured: `mean ${ms(c.mean)}, p50 ${ms(c.p50)}: ${ratio(r.ratioMean)} mean, ${ratio(r.ratioP50)} p50`,
      target: '<= 1.1x bare `docker run` (mean)',
      reference: `bare \`docker run --rm\`: mean ${ms(b.mean)}, p50 ${ms(b.p50)}`,
      met: r.ratioMean <= 1.1,
    },
  ];
}

export function sshFigures(r: Result): Figure[] {
  const c = r.croniumPooledSshRunMs;
  const f = r.freshSshTrueMs;
  return [
    {
      figure: `SSH run of \`true\` over a pooled connection, loopback sshd, ${r.runs} runs`,
      measured: `mean ${ms(c.mean)}, p50 ${ms(c.p50)}: ${ratio(r.ratioMean)} mean`,
      target: '<= 0.5x a fresh `ssh host true` (mean)',
      reference: `fresh \`ssh host true\`: mean ${ms(f.mean)}, p50 ${ms(f.p50)}`,
      met: r.ratioMean <= 0.5,
    },
  ];
}

export function imageStartFigures(r: Result): Figure[] {
  const idleMb = Number(/^([\d.]+)\s*MiB/.exec(r.idleMemory ?? '')?.[1] ?? NaN);
  return [
    {
      figure: `Image \`${r.image}\` size`,
      measured: `${formatNumber(r.sizeMB, 1)} MB`,
      target: NONE,
      reference: NONE,
      met: undefined,
    },
    {
      figure: `Image: ready after \`docker start\` on a warm volume, ${r.warmStartMs.n} starts`,
      measured: `mean ${formatNumber(r.warmStartMs.mean / 1000, 0.1)} s, max ${formatNumber(r.warmStartMs.max / 1000, 0.1)} s (first start on an empty volume: ${formatNumber(r.firstStartMs / 1000, 0.1)} s)`,
      target: '< 10 s',
      reference: NONE,
      met: r.warmStartMs.max < 10_000,
    },
    {
      figure: `Image: container memory after ${r.idleAfterSeconds} s idle (\`docker stats\`)`,
      measured: r.idleMemory,
      target: '< 400 MB',
      reference: NONE,
      met: Number.isNaN(idleMb) ? undefined : idleMb * 1.048576 < 400,
    },
  ];
}

export function maskerFigures(r: Result): Figure[] {
  const old = (r.results as Result[]).find((m) => m.kind === 'old');
  const size = (m: Result) =>
    `${m.count} × ${m.size >= 1e6 ? `${m.size / 1e6} MB` : `${m.size / 1e3} kB`}`;
  const describe = (m: Result) =>
    m.failed
      ? `failed: ${m.failed}`
      : `build ${ms(m.buildMs)}, heap ${formatNumber(m.heapMB, 0.1)} MB, longest stall ${ms(m.stallMs)}`;
  return (r.results as Result[])
    .filter((m) => m.kind === 'new')
    .map((m) => ({
      figure: `Secret masker build, ${size(m)} of secrets`,
      measured: describe(m),
      target: NONE,
      reference: old ? `the masker before, ${size(old)}: ${describe(old)}` : NONE,
      met: undefined,
    }));
}
