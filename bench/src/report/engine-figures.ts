// Table rows for the benchmarks of the whole stack and the run engine: the API burst, fire
// latency, queue throughput, scale-out, live logs and workflows.
import { formatNumber } from '../svg-chart.ts';
import { NONE, latency, mib, ms, perSecond, ratio, type Figure, type Result } from './figure.ts';

export function apiBurstFigures(r: Result): Figure[] {
  const uncapped = r.uncapped;
  const capped = r.capped;
  const peak = Math.max(uncapped.peakStackMiB.pss, capped.peakStackMiB.pss);
  const peakRss = Math.max(uncapped.peakStackMiB.rss, capped.peakStackMiB.rss);
  const idle = Math.max(r.idleStackMiB.pss, r.idleAfterBurstsMiB.pss);
  const most = Math.max(capped.maxRunningFromTimestamps, capped.maxRunningSampledInDatabase);
  return [
    {
      figure: `API burst: ${r.runsPerBurst} runs of \`true\` triggered at once, all finished`,
      measured: `${ms(uncapped.allFinishedMs)} (all triggers answered after ${ms(uncapped.allTriggeredMs)}; ${uncapped.failed} failed)`,
      target: '< 1 s',
      reference: 'Cronicle: 9-10 s (not measured here)',
      met: uncapped.allFinishedMs < 1000 && uncapped.failed === 0,
    },
    {
      figure: `API burst capped at ${capped.cap} (\`queue\` policy): most running at once`,
      measured: `${most} (from the runs' timestamps and from sampling the database every 5 ms)`,
      target: `never above ${capped.cap}`,
      reference: NONE,
      met: capped.capHeld,
    },
    {
      figure: 'Peak memory of the whole stack during the bursts (PSS)',
      measured:
        peak > 0 ? `${mib(peak)} (RSS summed: ${mib(peakRss)})` : 'not sampled (BENCH_SAMPLE=0)',
      target: '< 1 GiB',
      reference: NONE,
      met: peak > 0 ? peak < 1024 : undefined,
    },
    {
      figure: 'Idle memory of the whole stack (PSS), before and after the bursts',
      measured: `${mib(r.idleStackMiB.pss)} before, ${mib(r.idleAfterBurstsMiB.pss)} after`,
      target: '< 450 MiB',
      reference: NONE,
      met: idle < 450,
    },
  ];
}

export function fireLatencyFigures(r: Result): Figure[] {
  return [
    {
      figure: `Schedule fire latency, due time to the script's start, ${r.fires} fires`,
      measured: latency(r.latencyMs, ['max']),
      target: 'p99 < 20 ms',
      reference: NONE,
      met: r.latencyMs.p99 < 20,
    },
    // Results written before runs could be asked for a time have no such figure.
    ...(r.scheduledRunLatencyMs
      ? [
          {
            figure: `Run at a chosen time (runAt), that time to the script's start, ${r.scheduledRuns} runs`,
            measured: latency(r.scheduledRunLatencyMs, ['max']),
            target: 'p99 < 20 ms (as a schedule)',
            reference: `schedule fire latency in the same run: p99 ${r.latencyMs.p99.toFixed(2)} ms`,
            met: r.scheduledRunLatencyMs.p99 < 20,
          },
        ]
      : []),
  ];
}

export function queueFigures(r: Result): Figure[] {
  const fake = r.croniumFakeExecutor;
  const gw = r.graphileWorker;
  const local = r.croniumLocalExecutorTrue;
  return [
    {
      figure: `Queue throughput, ${formatNumber(fake.jobs, 1)} no-op runs (fake executor), concurrency ${fake.concurrency}`,
      measured: `${perSecond(fake.perSecond)} (${ratio(r.ratioCroniumToGraphile)} graphile-worker)`,
      target: '>= 2x graphile-worker at the same concurrency',
      reference: `graphile-worker 0.18, concurrency ${gw.concurrency}: ${perSecond(gw.perSecond, 'jobs/s')}`,
      met: r.ratioCroniumToGraphile >= 2,
    },
    {
      figure: `Queue throughput, ${formatNumber(local.jobs, 1)} runs of \`true\` (local executor), concurrency ${local.concurrency}`,
      measured: perSecond(local.perSecond),
      target: NONE,
      reference: NONE,
      met: undefined,
    },
  ];
}

export function scaleOutFigures(r: Result): Figure[] {
  const rows: Figure[] = [];
  const one = r.configurations.find((c: Result) => c.orchestrators === 1);
  for (const c of r.configurations) {
    const t = c.throughput;
    rows.push({
      figure: `Scale-out: ${formatNumber(t.runs, 1)} runs of \`true\`, ${c.orchestrators} orchestrator${c.orchestrators > 1 ? 's' : ''}`,
      measured: `${perSecond(t.perSecond)}${c.speedupOverOne && c.orchestrators > 1 ? ` (${ratio(c.speedupOverOne)} one)` : ''}; ${t.check.lost} lost, ${t.check.duplicated} duplicated`,
      target: NONE,
      reference:
        one && c.orchestrators > 1
          ? `1 orchestrator: ${perSecond(one.throughput.perSecond)}`
          : NONE,
      met: undefined,
    });
    const k = c.withKill;
    if (k)
      rows.push({
        figure: `Scale-out: one of ${c.orchestrators} orchestrators SIGKILLed half-way (${formatNumber(k.runs, 1)} runs)`,
        measured: `${k.check.lost} lost, ${k.check.duplicated} duplicated; ${k.check.reRunAfterLostAttempt} re-run after their attempt was lost with it; all done in ${formatNumber(k.secondsIncludingRecovery, 0.1)} s`,
        target: '0 lost, 0 duplicated',
        reference: NONE,
        met: k.check.lost === 0 && k.check.duplicated === 0,
      });
  }
  return rows;
}

export function liveLogFigures(r: Result): Figure[] {
  return Object.entries(r.results as Record<string, Result>).map(([series, s]) => ({
    figure: `Live log, script line to WebSocket frame, ${formatNumber(r.linesPerSecond, 1)} lines/s, ${series.replace('postgres', 'Postgres bus').replace('valkey', 'Valkey bus')}`,
    measured: latency(s.latencyMs),
    target: 'p99 < 50 ms',
    reference: NONE,
    met: s.latencyMs.p99 < 50,
  }));
}

export function workflowFigures(r: Result): Figure[] {
  const step = r.stepBreakdownMs;
  return [
    {
      figure: `Workflow, a ${r.chainSteps}-step chain of \`true\` (local executor), start to last step finished, ${r.repeats} runs`,
      measured: `${latency(r.chainMs, ['max'])} (${ms(r.perStepMs.p50)} a step: claim ${ms(step.claim.p50)}, run ${ms(step.run.p50)})`,
      target: '< 1 s (published: Windmill 2.97 s, Temporal 3.06 s, Kestra 9.05 s)',
      reference: `${r.chainSteps} bare spawns of \`bash -c true\` one after another: p50 ${ms(r.bareSequentialSpawnsMs.p50)}`,
      met: r.chainMs.p50 < 1000,
    },
    {
      figure: `Workflow fan-out, ${r.fanOut} (join all), ${r.repeats} runs`,
      measured: latency(r.fanOutMs, ['max']),
      target: NONE,
      reference: NONE,
      met: undefined,
    },
  ];
}

export function keyRotationFigures(r: Result): Figure[] {
  const online = r.online500;
  return [
    {
      figure: `Master key rotation: ${formatNumber(r.values, 1)} secret variables re-encrypted online (batches of ${online.batchSize})`,
      measured: `${perSecond(online.perSecond, 'values/s')}; a user's read of a secret meanwhile: p50 ${ms(online.readsDuring.p50)}, p99 ${ms(online.readsDuring.p99)} (idle: p99 ${ms(online.readsIdle.p99)})`,
      target: NONE,
      reference: `offline, all in one transaction that locks every row: ${perSecond(r.offline.perSecond, 'values/s')}; batches of 2,000: ${perSecond(r.online2000.perSecond, 'values/s')}`,
      met: undefined,
    },
  ];
}

export function crashRecoveryFigures(r: Result): Figure[] {
  return [
    {
      figure: `Crash recovery: SIGKILL of the orchestrator running a run to its next attempt's start, ${r.liveness.n} kills (liveness sessions, ORCHESTRATOR_LIVENESS_MS=${r.liveness.livenessMs})`,
      measured: latency(r.liveness, ['max']),
      target: 'p99 < 5 s',
      reference: `leases only (30 s lease, 5 s sweep), ${r.leasesOnly.n} kills: ${latency(r.leasesOnly, ['max'])}`,
      met: r.liveness.p99 < 5_000,
    },
  ];
}
