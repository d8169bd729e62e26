import { recordAudit, type Db } from '@cronium/db';
import { checkedLookup, type EgressPolicy } from '@cronium/egress';
import type { EgressFor } from '@cronium/executors';
import type { Logger } from '@cronium/logger';

/**
 * The egress check of an attempt: the policy for the event owner's role as it is when the
 * attempt runs (an owner who stopped being an admin loses the internal ranges at once), and
 * each refusal written to the audit log before the attempt fails with it.
 */
export function runEgress(db: Db, policy: EgressPolicy, logger: Logger): EgressFor {
  return async (request) => {
    const owner = await eventOwner(db, request.eventId);
    return checkedLookup(policy, { admin: owner?.role === 'admin' }, async (refusal) => {
      await recordAudit(db, {
        // A run acts for its event's owner (actor_id names a user); which run is in actor_ref.
        actor_kind: 'run',
        actor_id: owner?.id ?? null,
        actor_ref: `run ${request.runId} attempt ${request.attempt}`,
        action: 'egress.refused',
        target_type: 'event',
        target_id: String(request.eventId),
        details: {
          runId: request.runId,
          attempt: request.attempt,
          host: refusal.host,
          address: refusal.address,
          port: refusal.port,
          reason: refusal.reason,
        },
        ip: null,
        user_agent: null,
      }).catch((error: Error) =>
        logger.warn({ runId: request.runId, reason: error.message }, 'egress refusal not audited'),
      );
    });
  };
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
