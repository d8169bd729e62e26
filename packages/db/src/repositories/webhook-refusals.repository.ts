import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema/database.ts';

type Executor = Kysely<Database> | Transaction<Database>;

export interface WebhookRefusal {
  /** The hook the request was for; null when no hook has its public id. */
  webhookId: number | null;
  /** Why, in one word (`bad_signature`, `stale_timestamp`, `rate_limited`...). */
  reason: string;
  /** The HTTP status the request was answered with. */
  status: number;
  ip: string | null;
  userAgent: string | null;
  /** Said about the hook or the request besides (never a secret or a body). */
  details?: Record<string, unknown>;
}

/**
 * Audits a refused webhook request as `webhook.refused` without letting a flood of them
 * flood the log: refusals of one hook for one reason within one calendar minute are counted
 * into a single entry (`details.count`, `lastAt`, `lastIp`; the row keeps the first one's
 * time, address and user agent). One statement: the current entry is counted up, or, when
 * there is none, written. Two processes that refuse the first request of a minute at the same
 * moment may each write one, which is still bounded.
 */
export async function recordWebhookRefusal(db: Executor, refusal: WebhookRefusal): Promise<void> {
  const target = refusal.webhookId === null ? null : String(refusal.webhookId);
  const sameTarget = target === null ? sql`target_id IS NULL` : sql`target_id = ${target}`;
  const extra = JSON.stringify(refusal.details ?? {});
  await sql`
    WITH counted AS (
      UPDATE audit_log
         SET details = details || ${extra}::jsonb || jsonb_build_object(
               'count', coalesce((details->>'count')::int, 1) + 1,
               'lastAt', now(),
               'lastIp', ${refusal.ip}::text)
       WHERE id = (
         SELECT id FROM audit_log
          WHERE action = 'webhook.refused' AND ${sameTarget}
            AND occurred_at >= date_trunc('minute', now())
            AND details->>'reason' = ${refusal.reason}
          ORDER BY occurred_at DESC
          LIMIT 1)
      RETURNING id
    )
    INSERT INTO audit_log (actor_kind, action, target_type, target_id, details, ip, user_agent)
    SELECT 'system', 'webhook.refused', 'webhook', ${target},
           ${extra}::jsonb || jsonb_build_object(
             'reason', ${refusal.reason}::text, 'status', ${refusal.status}::int, 'count', 1,
             'lastAt', now(), 'lastIp', ${refusal.ip}::text),
           ${refusal.ip}, ${refusal.userAgent}
    WHERE NOT EXISTS (SELECT 1 FROM counted)`.execute(db);
}
