// Every benchmark `pnpm bench` runs, in order: what it needs, the sizes it runs at (and the
// shorter ones of BENCH_QUICK=1), and how its result becomes rows of docs/benchmarks.md.
import {
  apiBurstFigures,
  crashRecoveryFigures,
  fireLatencyFigures,
  keyRotationFigures,
  workflowFigures,
  liveLogFigures,
  queueFigures,
  scaleOutFigures,
} from './report/engine-figures.ts';
import {
  containerFigures,
  imageStartFigures,
  localOverheadFigures,
  maskerFigures,
  runtimeApiFigures,
  sshFigures,
} from './report/executor-figures.ts';
import type { Figure, Result } from './report/figure.ts';
import { uiJsSizeFigures, uiPageDataFigures } from './report/ui-figures.ts';
import {
  dockerImage,
  gitCommit,
  sshd,
  webBuild,
  webBuildAndChromium,
  wholeStack,
  type Prerequisite,
} from './prerequisites.ts';

export interface Benchmark {
  /** The file bench/src/<name>.ts, and the name in its result file. */
  name: string;
  title: string;
  /** What the table says it is judged by, also when it was skipped. */
  targets: string;
  /** Variables for BENCH_QUICK=1 (a variable already set wins). */
  quick?: Record<string, string>;
  timeoutMinutes: number;
  prerequisite?: Prerequisite;
  figures: (result: Result) => Figure[];
}

export const SUITE: Benchmark[] = [
  {
    name: 'api-burst',
    title: 'API burst (the whole stack)',
    targets: '200 runs finished < 1 s; cap never exceeded; peak < 1 GiB; idle < 450 MiB PSS',
    timeoutMinutes: 10,
    prerequisite: wholeStack,
    figures: apiBurstFigures,
  },
  {
    name: 'fire-latency',
    title: 'Schedule fire latency',
    targets: 'p99 < 20 ms over 300 fires',
    quick: { BENCH_FIRES: '30' },
    timeoutMinutes: 10,
    figures: fireLatencyFigures,
  },
  {
    name: 'queue-throughput',
    title: 'Queue throughput against graphile-worker',
    targets: '>= 2x graphile-worker at the same concurrency',
    quick: { BENCH_JOBS: '2000', BENCH_LOCAL_JOBS: '200' },
    timeoutMinutes: 20,
    figures: queueFigures,
  },
  {
    name: 'runtime-api-latency',
    title: 'Runtime API getVariable',
    targets: 'p99 < 2 ms on both transports; >= 0.5x the bare Fastify route',
    quick: { BENCH_CALLS: '1000', BENCH_SECONDS: '2' },
    timeoutMinutes: 10,
    figures: runtimeApiFigures,
  },
  {
    name: 'local-overhead',
    title: 'Local executor against a bare spawn',
    targets: 'overhead < 5 ms',
    quick: { BENCH_RUNS: '50' },
    timeoutMinutes: 10,
    figures: localOverheadFigures,
  },
  {
    name: 'container-overhead',
    title: 'Container run against a bare docker run',
    targets: '<= 1.1x bare `docker run --rm`',
    quick: { BENCH_RUNS: '5' },
    timeoutMinutes: 15,
    prerequisite: dockerImage(
      'debian:bookworm-slim',
      'docker pull debian:bookworm-slim (the benchmark does not pull)',
    ),
    figures: containerFigures,
  },
  {
    name: 'ssh-overhead',
    title: 'Pooled SSH run against a fresh ssh',
    targets: '<= 0.5x a fresh `ssh host true`',
    quick: { BENCH_RUNS: '10' },
    timeoutMinutes: 10,
    prerequisite: sshd,
    figures: sshFigures,
  },
  {
    name: 'live-log-latency',
    title: 'Live log latency',
    targets: 'p99 < 50 ms',
    quick: { BENCH_SECONDS: '3' },
    timeoutMinutes: 10,
    figures: liveLogFigures,
  },
  {
    name: 'image-start',
    title: 'Production image start and footprint',
    targets: 'ready < 10 s after `docker start`; < 400 MB idle',
    quick: { BENCH_STARTS: '2', BENCH_IDLE_SECONDS: '10' },
    timeoutMinutes: 20,
    prerequisite: dockerImage(
      process.env.BENCH_IMAGE ?? 'cronium:latest',
      'docker build -f docker/Dockerfile -t cronium .',
    ),
    figures: imageStartFigures,
  },
  {
    name: 'masker-build',
    title: 'Secret masker build',
    targets: 'none set (compared with the masker before)',
    timeoutMinutes: 15,
    prerequisite: gitCommit('220e121'),
    figures: maskerFigures,
  },
  {
    name: 'workflow-latency',
    title: 'Workflow latency: a 40-step chain and a 1 -> 100 -> 1 fan-out',
    targets: '40-step chain < 1 s',
    quick: { BENCH_REPEATS: '3' },
    timeoutMinutes: 10,
    figures: workflowFigures,
  },
  {
    name: 'crash-recovery',
    title: 'Crash recovery: SIGKILL to the next attempt',
    targets: 'p99 < 5 s over 50 kills',
    quick: { BENCH_KILLS: '5', BENCH_LEASE_KILLS: '1' },
    timeoutMinutes: 30,
    figures: crashRecoveryFigures,
  },
  {
    name: 'key-rotation',
    title: 'Master key rotation: online re-encryption',
    targets: 'none set (compared with an offline rewrite in one transaction)',
    quick: { BENCH_VALUES: '10000' },
    timeoutMinutes: 10,
    figures: keyRotationFigures,
  },
  {
    name: 'scale-out',
    title: 'Scale-out over 1, 2 and 3 orchestrators',
    targets: '0 runs lost or duplicated with an orchestrator SIGKILLed',
    quick: { BENCH_SCALE_RUNS: '600' },
    timeoutMinutes: 30,
    figures: scaleOutFigures,
  },
  {
    name: 'ui-js-size',
    title: 'Web UI JavaScript per page',
    targets: '< 300 KB gzipped for the events list and the run detail',
    timeoutMinutes: 10,
    prerequisite: webBuildAndChromium,
    figures: uiJsSizeFigures,
  },
  {
    name: 'ui-page-data',
    title: 'Web UI page data with 10,000 events and 100,000 runs',
    targets: 'p95 < 200 ms per page',
    quick: { BENCH_UI_LOADS: '20' },
    timeoutMinutes: 15,
    prerequisite: webBuild,
    figures: uiPageDataFigures,
  },
];
