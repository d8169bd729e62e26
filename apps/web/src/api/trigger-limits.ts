// What a user may start by hand over the API, whatever they start (an event's run, a workflow
// run, a rerun): one per-user trigger rate and one queued-run quota.
import type { Principal } from '@cronium/accounts';
import { checkQueuedRuns } from '@cronium/event-service';
import { AppError } from '@cronium/service-kit/errors';
import type { WebDeps } from '../server/web-deps.ts';

/** Spends one of the user's triggers (none left: 429, Retry-After), then checks the quota. */
export async function checkTriggerLimits(deps: WebDeps, principal: Principal): Promise<void> {
  const wait = deps.triggers.reserve([`user:${principal.userId}`]);
  if (wait > 0)
    throw new AppError('RATE_LIMITED', `too many runs triggered; try again in ${wait} s`, {
      headers: { 'retry-after': String(wait) },
    });
  await checkQueuedRuns(deps.db, principal, deps.ownerLimits);
}
