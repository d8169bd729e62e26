// What a webhook starts: a run of its event, or a run of its workflow, chosen by which of the
// hook's target columns is set.
import type { RequestMeta } from '@cronium/accounts';
import type { Db, WebhookForDelivery } from '@cronium/db';
import { recordAudit } from '@cronium/db';
import {
  EventNotFoundError,
  findRunByIdempotencyKey,
  findWorkflowRunByIdempotencyKey,
  isIdempotencyConflict,
  isWorkflowIdempotencyConflict,
  startWorkflowRun,
  triggerRun,
  WorkflowNotFoundError,
  type RunRow,
} from '@cronium/run-queue';

export type Started =
  | { outcome: 'enqueued' | 'duplicate'; run: RunRow }
  | { outcome: 'skipped'; reason: string }
  /** Deleted, or given to another owner, since the hook was read. */
  | { outcome: 'gone' };

/**
 * Starts the hook's event with the input, once per delivery key; the run and its `run.trigger`
 * audit entry (actor `webhook:<id>`) in one statement.
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

export type StartedWorkflow =
  | { outcome: 'started' | 'duplicate'; run: { id: number; status: string } }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'gone' };

/**
 * Starts a run of the hook's workflow with the input, once per delivery key, and audits it
 * (`workflow.run`, actor `webhook:<id>`).
 */
export async function startWorkflowFromHook(
  db: Db,
  hook: WebhookForDelivery,
  workflowId: number,
  input: unknown,
  deliveryKey: string | undefined,
  meta: RequestMeta,
): Promise<StartedWorkflow> {
  try {
    const result = await startWorkflowRun(db, workflowId, {
      trigger: 'webhook',
      input,
      ownerId: hook.owner_id,
      ...(deliveryKey !== undefined ? { idempotencyKey: deliveryKey } : {}),
    });
    if (result.outcome !== 'started') return { outcome: 'skipped', reason: result.reason };
    await recordAudit(db, {
      actor_kind: 'system',
      actor_id: null,
      actor_ref: `webhook:${hook.id}`,
      action: 'workflow.run',
      target_type: 'workflow',
      target_id: String(workflowId),
      details: { workflowRunId: result.workflowRunId },
      ip: meta.ip,
      user_agent: meta.userAgent,
    });
    return { outcome: 'started', run: { id: result.workflowRunId, status: 'running' } };
  } catch (error) {
    if (isWorkflowIdempotencyConflict(error) && deliveryKey !== undefined) {
      const run = await findWorkflowRunByIdempotencyKey(db, workflowId, deliveryKey);
      if (run) return { outcome: 'duplicate', run };
    }
    if (error instanceof WorkflowNotFoundError) return { outcome: 'gone' };
    throw error;
  }
}
