import { AppError } from '@cronium/service-kit/errors';

/** How far ahead a run may be asked for: a year (and a day, for "same date next year"). */
export const MAX_RUN_AT_AHEAD_MS = 366 * 86_400_000;
/**
 * How far in the past a requested time may be and still mean "now": a form filled in a few
 * minutes ago, or a client's clock a little behind. Older is most likely a mistake (a wrong
 * date or time zone), so it is refused rather than run at once.
 */
export const MAX_RUN_AT_PAST_MS = 5 * 60_000;

/**
 * The time a trigger asks its run for (RFC 3339, already checked to parse): undefined for now
 * (none given, or in the last few minutes), the time for later, a 422 pointing at
 * `/body/runAt` for more than a year ahead or clearly in the past.
 */
export function checkRunAt(runAt: string | undefined, now = new Date()): Date | undefined {
  if (runAt === undefined) return undefined;
  const at = new Date(runAt);
  const refuse = (message: string) =>
    new AppError('UNPROCESSABLE', `cannot run at ${runAt}: ${message}`, {
      errors: [{ pointer: '/body/runAt', message }],
    });
  if (Number.isNaN(at.getTime())) throw refuse('not a date and time (RFC 3339)');
  const ahead = at.getTime() - now.getTime();
  if (ahead > MAX_RUN_AT_AHEAD_MS) throw refuse('more than a year ahead');
  if (ahead < -MAX_RUN_AT_PAST_MS) throw refuse('more than 5 minutes in the past');
  return ahead > 0 ? at : undefined;
}
