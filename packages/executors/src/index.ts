export type {
  Executor,
  ExecutionContext,
  ExecutionLogLine,
  ExecutionRequest,
  ExecutionResult,
  AbortReason,
} from './executor.ts';
export { LocalExecutor, type LocalExecutorOptions } from './local-executor.ts';
export { HttpExecutor, type HttpExecutorOptions } from './http-executor.ts';
export { FakeExecutor } from './fake-executor.ts';
export { LineSplitter } from './line-splitter.ts';
export {
  guardCreateRequest,
  CreateRequestRefused,
  type SandboxCaps,
} from './container/create-guard.ts';
export {
  hardenedCreateRequest,
  type HardenedRequestInput,
  type SandboxLimits,
} from './container/hardened-create-request.ts';
export {
  ContainerExecutor,
  CONTAINER_LABELS,
  type ContainerExecutorOptions,
} from './container/container-executor.ts';
export { ensureImage } from './container/ensure-image.ts';
export {
  reapOrphanContainers,
  attemptKey,
  type LabelledAttempt,
} from './container/container-reaper.ts';
