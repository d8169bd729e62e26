export type {
  Executor,
  ExecutionContext,
  ExecutionLogLine,
  ExecutionRequest,
  ExecutionResult,
  AbortReason,
  TargetOutcome,
  RuntimeAccess,
  EgressFor,
} from './executor.ts';
export { LocalExecutor, type LocalExecutorOptions } from './local-executor.ts';
export { LocalIsolation, canSwitchUsers, type LocalIsolationOptions } from './local-isolation.ts';
export {
  DirectProcessLauncher,
  HelperProcessLauncher,
  type ProcessLauncher,
  type LaunchedProcess,
  type ExitStatus,
  type ScriptUser,
} from './launch/index.ts';
export { HttpExecutor, type HttpExecutorOptions } from './http-executor.ts';
export { ToolExecutor } from './tool-executor.ts';
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
export { RUNNER_IMAGE } from './container/script-command.ts';
export {
  containerIdFromMountInfo,
  detectHostPaths,
  hostPathsFrom,
  type HostPaths,
} from './container/host-paths.ts';
export {
  reapOrphanContainers,
  attemptKey,
  type LabelledAttempt,
} from './container/container-reaper.ts';
export { SshExecutor, type SshExecutorOptions } from './ssh/ssh-executor.ts';
export {
  SshConnectionPool,
  type SshConnectionPoolOptions,
  type SshLease,
} from './ssh/ssh-connection-pool.ts';
export { connectSsh, scanHostKey, SshConnectError } from './ssh/ssh-connect.ts';
export { testSshConnection, type SshConnectionReport } from './ssh/test-ssh-connection.ts';
export { hostKeyFingerprint, isHostKeyFingerprint, HostKeyRefused } from './ssh/host-key.ts';
export {
  describeServer,
  sshServerOf,
  type SshServer,
  type StoredServer,
} from './ssh/ssh-server.ts';
