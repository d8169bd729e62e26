import type { ClaimedRun } from '@cronium/run-queue';

/**
 * The environment a script starts with: PATH, the event's variables, its secret environment
 * (opened once per attempt by `prepareAttempt`), and what Cronium tells every run about itself.
 */
export function buildRunEnvironment(
  run: ClaimedRun,
  secrets: Record<string, string>,
  /** `path: null` for scripts that run elsewhere (SSH): the remote login's own PATH applies. */
  options: { path: string | null },
): Record<string, string> {
  return {
    ...(options.path === null ? {} : { PATH: options.path, LANG: 'C.UTF-8' }),
    ...run.event.env,
    ...secrets,
    CRONIUM_RUN_ID: String(run.runId),
    CRONIUM_RUN_ATTEMPT: String(run.attempt),
    CRONIUM_EVENT_ID: String(run.event.id),
    CRONIUM_EVENT_NAME: run.event.name,
    CRONIUM_TRIGGER: run.trigger,
  };
}
