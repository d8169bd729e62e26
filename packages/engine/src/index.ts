export { RunWorker, type RunObserver, type RunWorkerOptions } from './run-worker.ts';
export { RunLogWriter } from './run-log-writer.ts';
export { SchedulerLoop } from './scheduler-loop.ts';
export { MaintenanceLoop, type MaintenanceOptions } from './maintenance-loop.ts';
export { LivenessMonitor, type LivenessMonitorOptions } from './liveness-monitor.ts';
export { ExecutorRegistry } from './executor-registry.ts';
export { buildRunEnvironment } from './run-environment.ts';
export { FinishBatcher } from './finish-batcher.ts';
export { ActionWorker, MAX_ACTION_TRIES, type ActionWorkerOptions } from './action-worker.ts';
