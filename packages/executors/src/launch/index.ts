export type {
  ExitStatus,
  LaunchedProcess,
  LaunchOptions,
  ProcessLauncher,
  WorkDirPlan,
  ScriptUser,
} from './process-launcher.ts';
export { DirectProcessLauncher } from './direct-launcher.ts';
export { HelperProcessLauncher } from './helper-launcher.ts';
