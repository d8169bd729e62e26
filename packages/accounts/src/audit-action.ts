import { recordAudit } from '@cronium/db';
import type { Principal, RequestMeta } from './principal.ts';

/** What a principal changed, for the audit log. */
export interface AuditedAction {
  action: string;
  targetType: string;
  targetId: string;
  details?: Record<string, unknown>;
}

/** Who did it and from where, as the audit log's columns. */
export function auditActor(principal: Principal, meta: RequestMeta) {
  return {
    actor_kind: principal.via === 'session' ? ('user' as const) : ('api_token' as const),
    actor_id: principal.userId,
    ip: meta.ip,
    user_agent: meta.userAgent,
  };
}

/**
 * Writes who (the principal, and whether by session or API token) did what, to which
 * target, from where. Pass the transaction that made the change, so both land or neither.
 */
export async function auditAction(
  db: Parameters<typeof recordAudit>[0],
  principal: Principal,
  meta: RequestMeta,
  action: AuditedAction,
): Promise<void> {
  await recordAudit(db, {
    ...auditActor(principal, meta),
    action: action.action,
    target_type: action.targetType,
    target_id: action.targetId,
    details: action.details ?? {},
  });
}
