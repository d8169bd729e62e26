import type { AbortReason, ExecutionResult } from '@cronium/executors';
import type { AttemptOutcome, ClaimedRun } from '@cronium/run-queue';

/**
 * What an attempt's end means for its run: the executor's result, unless the attempt was
 * stopped for a timeout (timed_out, or partial when some servers had finished) or a cancel.
 */
export function attemptOutcome(
  run: ClaimedRun,
  result: ExecutionResult,
  reason: AbortReason | undefined,
): AttemptOutcome {
  return (
    // Some servers of a multi-server run finished before the time ran out: final, as a
    // retry would run again where it already succeeded.
    reason === 'timeout' && result.status === 'partial'
      ? {
          status: 'partial',
          exitCode: result.exitCode,
          error: `timed out after ${run.event.timeoutSeconds} s on some servers: ${result.error ?? ''}`,
          result: result.result ?? null,
        }
      : reason === 'timeout'
        ? {
            status: 'timed_out',
            exitCode: result.exitCode,
            error: `timed out after ${run.event.timeoutSeconds} s`,
            result: result.result ?? null,
          }
        : reason === 'cancel'
          ? {
              status: 'cancelled',
              exitCode: result.exitCode,
              error: 'cancelled',
              result: result.result ?? null,
            }
          : {
              status: result.status,
              exitCode: result.exitCode,
              error: result.error ?? null,
              result: result.result ?? null,
              ...(result.noRetry ? { noRetry: true } : {}),
              ...(result.retryAfterMs ? { retryAfterMs: result.retryAfterMs } : {}),
            }
  );
}
