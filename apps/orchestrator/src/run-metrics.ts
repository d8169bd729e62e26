import { sql } from 'kysely';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Db } from '@cronium/db';
import type { RunObserver } from '@cronium/engine';
import type { ProcessMetrics } from '@cronium/service-kit';

/**
 * The orchestrator's run metrics: what its attempts end with and how long they take, how
 * long runs waited for a claim, how late scheduled runs start, how much log they store, what
 * it runs now, and the queue (read from the database at each scrape, so any orchestrator
 * reports the same numbers). Labelled by target kind, event type and log stream only: never
 * by run, event or user ids.
 */
export function runMetrics(
  metrics: ProcessMetrics,
  options: { db: Db; running: () => number },
): RunObserver {
  const registers = [metrics.registry];
  const finished = new Counter({
    name: 'cronium_run_attempts_total',
    help: "Run attempts whose outcome this orchestrator stored, by the run's status after it (queued: a retry follows)",
    labelNames: ['status', 'target', 'type'],
    registers,
  });
  const duration = new Histogram({
    name: 'cronium_run_attempt_duration_seconds',
    help: 'How long attempts ran, from their start to their stored outcome',
    labelNames: ['target', 'type'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    registers,
  });
  const fireLatency = new Histogram({
    name: 'cronium_schedule_fire_latency_seconds',
    help: "From a scheduled run's due time to its first attempt's start",
    buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60],
    registers,
  });
  const queueWait = new Histogram({
    name: 'cronium_run_queue_wait_seconds',
    help: 'From a run being due (queued, retry due, scheduled time) to its claim by an orchestrator',
    labelNames: ['target'],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
    registers,
  });
  const logBytes = new Counter({
    name: 'cronium_run_log_bytes_total',
    help: 'Log bytes stored for runs (UTF-8, after masking, within the per-run cap), by stream and target kind',
    labelNames: ['stream', 'target'],
    registers,
  });
  new Gauge({
    name: 'cronium_runs_in_flight',
    help: 'Attempts this orchestrator is running now',
    registers,
    collect() {
      this.set(options.running());
    },
  });
  new Gauge({
    name: 'cronium_runs_by_status',
    help: 'Runs waiting in the queue (queued) and running, over all orchestrators',
    labelNames: ['status'],
    registers,
    async collect() {
      const rows = await sql<{ status: string; n: number }>`
        SELECT status, count(*)::int AS n FROM runs
         WHERE status IN ('queued', 'running') GROUP BY status`.execute(options.db);
      const counts = new Map(rows.rows.map((r) => [r.status, r.n]));
      for (const status of ['queued', 'running']) this.set({ status }, counts.get(status) ?? 0);
    },
  });
  return {
    attemptStarted(run) {
      queueWait.observe({ target: run.event.targetKind }, run.queueWaitMs / 1000);
      if (run.trigger === 'schedule' && run.attempt === 1 && run.scheduledFor)
        fireLatency.observe(Math.max(0, Date.now() - run.scheduledFor.getTime()) / 1000);
    },
    logStored(run, lines) {
      const byStream = new Map<string, number>();
      for (const line of lines)
        byStream.set(
          line.stream,
          (byStream.get(line.stream) ?? 0) + Buffer.byteLength(line.text, 'utf8'),
        );
      for (const [stream, bytes] of byStream)
        logBytes.inc({ stream, target: run.event.targetKind }, bytes);
    },
    attemptFinished(run, status, durationMs) {
      const labels = { target: run.event.targetKind, type: run.event.type };
      finished.inc({ ...labels, status });
      duration.observe(labels, durationMs / 1000);
    },
  };
}
