import { recordAudit, type Db } from '@cronium/db';
import { checkedLookup, type DestinationCheck, type EgressPolicy } from '@cronium/egress';
import type { EgressFor } from '@cronium/executors';
import type { Logger } from '@cronium/logger';

/** Who an outbound request acts for, and what the audit entry of a refusal names. */
interface EgressActor {
  owner: { id: number; role: string } | undefined;
  /** The acting run or node, in `actor_ref`. */
  ref: string;
  target: { type: string; id: string };
  details: Record<string, unknown>;
}

/**
 * The policy for the owner's role as it is now (an owner who stopped being an admin loses
 * the internal ranges at once), each refusal written to the audit log before the request
 * fails with it.
 */
function ownerEgress(
  db: Db,
  policy: EgressPolicy,
  logger: Logger,
  actor: EgressActor,
): DestinationCheck {
  return checkedLookup(policy, { admin: actor.owner?.role === 'admin' }, async (refusal) => {
    await recordAudit(db, {
      // A run acts for its owner (actor_id names a user); which run or node is in actor_ref.
      actor_kind: 'run',
      actor_id: actor.owner?.id ?? null,
      actor_ref: actor.ref,
      action: 'egress.refused',
      target_type: actor.target.type,
      target_id: actor.target.id,
      details: {
        ...actor.details,
        host: refusal.host,
        address: refusal.address,
        port: refusal.port,
        reason: refusal.reason,
      },
      ip: null,
      user_agent: null,
    }).catch((error: Error) =>
      logger.warn({ ref: actor.ref, reason: error.message }, 'egress refusal not audited'),
    );
  });
}

/** The egress check of an attempt: its event owner's policy. */
export function runEgress(db: Db, policy: EgressPolicy, logger: Logger): EgressFor {
  return async (request) =>
    ownerEgress(db, policy, logger, {
      owner: await eventOwner(db, request.eventId),
      ref: `run ${request.runId} attempt ${request.attempt}`,
      target: { type: 'event', id: String(request.eventId) },
      details: { runId: request.runId, attempt: request.attempt },
    });
}

/** The egress check of a workflow's tool node: the workflow run owner's policy. */
export function workflowNodeEgress(db: Db, policy: EgressPolicy, logger: Logger) {
  return async (node: { ownerId: number; workflowRunId: number; nodeName: string }) =>
    ownerEgress(db, policy, logger, {
      owner: await db
        .selectFrom('users')
        .select(['id', 'role'])
        .where('id', '=', node.ownerId)
        .executeTakeFirst(),
      ref: `workflow run ${node.workflowRunId} node ${node.nodeName}`,
      target: { type: 'workflow_run', id: String(node.workflowRunId) },
      details: { workflowRunId: node.workflowRunId, node: node.nodeName },
    });
}

/** The event's owner and their role now. */
export function eventOwner(db: Db, eventId: number) {
  return db
    .selectFrom('events')
    .innerJoin('users', 'users.id', 'events.owner_id')
    .select(['users.id', 'users.role'])
    .where('events.id', '=', eventId)
    .executeTakeFirst();
}
