export {
  CHANNELS,
  ACTIVE_STATUSES,
  CANCELLABLE_STATUSES,
  HELD_STATUSES,
  type RunFence,
  type DbExecutor,
} from './queue-types.ts';
export {
  enqueueRun,
  applyConcurrencyPolicy,
  lockEvent,
  requestCancelInTransaction,
  cancelOwnerRuns,
  type EnqueueRequest,
  type EnqueueResult,
  type EventRow,
  type PolicyDecision,
} from './enqueue-run.ts';
export {
  promoteScheduledRuns,
  nextScheduledRunAt,
  type PromotedRun,
  type PromotionResult,
} from './promote-scheduled-runs.ts';
export { triggerRun, requestCancel, EventNotFoundError } from './trigger-run.ts';
export type { TriggerAudit, RunRow } from './insert-run.ts';
export { queuedBy } from './workflows/insert-node-runs.ts';
export { findRunByIdempotencyKey, isIdempotencyConflict } from './idempotent-run.ts';
export { claimRuns, nextQueuedRunAt, type ClaimedRun, type ClaimOptions } from './claim-runs.ts';
export { renewLeases, type HeldRun } from './renew-leases.ts';
export {
  finishRun,
  finishRuns,
  type FinishItem,
  MAX_LEASE_LOSSES,
  type AttemptOutcome,
  type AttemptStatus,
  type FinishResult,
} from './finish-run.ts';
export {
  sweepExpiredLeases,
  releaseRuns,
  releaseAttempts,
  type SweptRun,
} from './sweep-expired-leases.ts';
export { livenessSeenName, livenessSnapshot, type LivenessSnapshot } from './liveness.ts';
export { appendRunLogs, readRunLogs, type LogLine } from './append-run-logs.ts';
export { purgeOldRuns } from './purge-old-runs.ts';
export { currentAttempts } from './current-attempts.ts';
export { recordRunTarget, type RunTargetState } from './record-run-target.ts';
export {
  lockLiveAttempt,
  readLiveRunContext,
  readLiveRunField,
  readLiveVariable,
  setLiveRunField,
  type LiveAttemptRef,
  type RunContext,
} from './live-attempt.ts';
export {
  claimRunActions,
  finishRunAction,
  lastRunLogLines,
  sweepRunActionLeases,
  type ClaimedRunAction,
  type RunActionFence,
} from './run-actions.ts';
export {
  startActionEvent,
  eventActionsLeadTo,
  type ActionEventStart,
} from './start-action-event.ts';
export * from './workflows/index.ts';
