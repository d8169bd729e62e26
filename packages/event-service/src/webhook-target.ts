// What a webhook starts. Events today; a workflow target will be a sibling of startEventRun,
// chosen by which of the hook's target columns is set.
import type { RequestMeta } from '@cronium/accounts';
import type { Db, WebhookForDelivery } from '@cronium/db';
import {
  EventNotFoundError,
  findRunByIdempotencyKey,
  isIdempotencyConflict,
  triggerRun,
  type RunRow,
} from '@cronium/run-queue';

export type Started =
  | { outcome: 'enqueued' | 'duplicate'; run: RunRow }
  | { outcome: 'skipped'; reason: string }
  /** Deleted, or given to another owner, since the hook was read. */
  | { outcome: 'gone' };

/**
 * Starts the hook's event with the input, once per delivery key; the run and its `run.trigger`
 * audit entry (actor `webhook:<id>`) in one statement. A workflow target will be a sibling of
 * this function, chosen by the hook's target.
 */
export async function startEventRun(
  db: Db,
  hook: WebhookForDelivery,
  eventId: number,
  input: unknown,
  deliveryKey: string | undefined,
  meta: RequestMeta,
): Promise<Started> {
  try {
    const result = await triggerRun(
      db,
      eventId,
      {
        trigger: 'webhook',
        input,
        ...(deliveryKey !== undefined ? { idempotencyKey: deliveryKey } : {}),
      },
      {
        ownerId: hook.owner_id,
        audit: {
          actor_kind: 'system',
          actor_id: null,
          actor_ref: `webhook:${hook.id}`,
          ip: meta.ip,
          user_agent: meta.userAgent,
        },
      },
    );
    return result.outcome === 'enqueued'
      ? { outcome: 'enqueued', run: result.run }
      : { outcome: 'skipped', reason: result.reason };
  } catch (error) {
    // The same delivery, at the same moment, through another request: its run is the answer.
    if (isIdempotencyConflict(error) && deliveryKey !== undefined) {
      const run = await findRunByIdempotencyKey(db, eventId, deliveryKey);
      if (run) return { outcome: 'duplicate', run };
    }
    if (error instanceof EventNotFoundError) return { outcome: 'gone' };
    throw error;
  }
}
