// The charts of docs/benchmarks.md, drawn from the result files' samples: which chart, from
// which benchmark, with which series.
import { barChart, cdfChart, formatNumber, histogramChart, lineChart } from '../svg-chart.ts';
import type { Result } from './figure.ts';

export interface Chart {
  /** File name under docs/benchmarks/. */
  file: string;
  title: string;
  svg: string;
}

type ChartMaker = (r: Result) => Chart[];

const fireLatency: ChartMaker = (r) =>
  r.samples?.latencyMs
    ? [
        {
          file: 'fire-latency.svg',
          title: `Schedule fire latency, ${r.fires} fires`,
          svg: histogramChart({
            title: `Schedule fire latency: due time to script start (${r.fires} fires)`,
            xLabel: 'milliseconds after the due time',
            samples: r.samples.latencyMs,
            markers: [{ value: 20, label: 'target p99 20 ms' }],
          }),
        },
      ]
    : [];

const runtimeApi: ChartMaker = (r) => {
  const charts: Chart[] = [
    {
      file: 'runtime-api-throughput.svg',
      title: 'Runtime API throughput against the bare route',
      svg: barChart({
        title: `getVariable calls per second, ${r.concurrency} concurrent`,
        yLabel: 'calls per second',
        series: ['calls/s'],
        groups: [
          { label: 'bare Fastify, same SQL', values: [r.bareFastifyRoute.callsPerSecond] },
          { label: 'runtime API, loopback TCP', values: [r.runtimeApiLoopback.callsPerSecond] },
          { label: 'runtime API, unix socket', values: [r.runtimeApiUnixSocket.callsPerSecond] },
        ],
      }),
    },
  ];
  if (r.samples)
    charts.unshift({
      file: 'runtime-api-latency.svg',
      title: 'Runtime API getVariable latency distribution',
      svg: cdfChart({
        title: `getVariable latency, ${formatNumber(r.sequentialCalls, 1)} sequential calls each`,
        xLabel: 'milliseconds (log scale)',
        logX: true,
        series: [
          { name: 'bare Fastify, same SQL', samples: r.samples.bareFastifyRoute },
          { name: 'runtime API, loopback TCP', samples: r.samples.runtimeApiLoopback },
          { name: 'runtime API, unix socket', samples: r.samples.runtimeApiUnixSocket },
        ],
        markers: [{ value: 2, label: 'target p99 2 ms' }],
      }),
    });
  return charts;
};

const queue: ChartMaker = (r) => [
  {
    file: 'queue-throughput.svg',
    title: 'Queue throughput, Cronium and graphile-worker at the same concurrency',
    svg: barChart({
      title: `Runs per second at concurrency ${r.concurrency}, same PostgreSQL`,
      yLabel: 'runs (jobs) per second',
      series: ['Cronium', 'graphile-worker 0.18'],
      groups: [
        {
          label: 'no-op (Cronium: fake executor)',
          values: [r.croniumFakeExecutor.perSecond, r.graphileWorker.perSecond],
        },
        {
          label: 'bash `true` (local executor)',
          values: [r.croniumLocalExecutorTrue.perSecond, undefined],
        },
      ],
    }),
  },
];

const scaleOut: ChartMaker = (r) => [
  {
    file: 'scale-out.svg',
    title: 'Throughput against the number of orchestrators',
    svg: lineChart({
      title: `Runs of \`true\` per second by orchestrators on one database`,
      xLabel: 'orchestrator processes',
      yLabel: 'runs per second',
      series: [
        {
          name: `${r.configurations[0]?.throughput.runs ?? ''} runs, ${r.owners} owners, concurrency ${r.concurrencyPerOrchestrator} each`,
          points: r.configurations.map((c: Result) => [c.orchestrators, c.throughput.perSecond]),
        },
      ],
    }),
  },
];

/** A CDF of a benchmark's two or more sample series against its bare reference. */
function pairCdf(file: string, title: string, names: Record<string, string>): ChartMaker {
  return (r) => {
    const series = Object.entries(names)
      .filter(([key]) => r.samples?.[key]?.length)
      .map(([key, name]) => ({ name, samples: r.samples[key] as number[] }));
    if (series.length === 0) return [];
    return [
      {
        file,
        title,
        svg: cdfChart({ title, xLabel: 'milliseconds per run (log scale)', logX: true, series }),
      },
    ];
  };
}

const liveLog: ChartMaker = (r) =>
  r.samples
    ? [
        {
          file: 'live-log-latency.svg',
          title: 'Live log latency distribution',
          svg: cdfChart({
            title: `Script line to WebSocket frame, ${formatNumber(r.linesPerSecond, 1)} lines/s`,
            xLabel: 'milliseconds (log scale)',
            logX: true,
            series: Object.entries(r.samples as Record<string, number[]>).map(
              ([name, samples]) => ({ name, samples }),
            ),
            markers: [{ value: 50, label: 'target p99 50 ms' }],
          }),
        },
      ]
    : [];

const MAKERS: Record<string, ChartMaker> = {
  'fire-latency': fireLatency,
  'queue-throughput': queue,
  'runtime-api-latency': runtimeApi,
  'local-overhead': pairCdf('local-overhead.svg', 'Local executor against a bare spawn', {
    bare: 'bare spawn',
    executor: 'local executor',
    viaHelper: 'through the helper',
    asUser: "as the owner's uid",
    inSandbox: 'in bubblewrap',
  }),
  'container-overhead': pairCdf(
    'container-overhead.svg',
    'Container run against a bare docker run',
    { bareDockerRun: 'bare docker run --rm', croniumContainerRun: 'Cronium container run' },
  ),
  'ssh-overhead': pairCdf('ssh-overhead.svg', 'Pooled SSH run against a fresh ssh', {
    freshSshTrue: 'fresh ssh host true',
    croniumPooledSshRun: 'Cronium, pooled connection',
  }),
  'live-log-latency': liveLog,
  'scale-out': scaleOut,
};

export function chartsFor(name: string, result: Result): Chart[] {
  return MAKERS[name]?.(result) ?? [];
}
