import { sql, type Kysely } from 'kysely';
import type { SecretBox } from '@cronium/crypto';
import type { EventContext, EventType, RunTrigger } from '@cronium/contracts';
import { variableSecretAad, type Database } from '@cronium/db';

/**
 * One attempt as a running script's token names it. Every read and write below checks, in
 * the same statement, that this is the live attempt: the run running (or being cancelled),
 * this attempt, this event and owner, the lease not expired, the owner not disabled. So a
 * token stops working the moment its attempt ends or loses its lease, or its owner is
 * disabled, at the cost of no extra round trip.
 */
export interface LiveAttemptRef {
  runId: number;
  attempt: number;
  eventId: number;
  ownerId: number;
}

const live = (ref: LiveAttemptRef) => sql`
  r.id = ${ref.runId} AND r.attempt = ${ref.attempt} AND r.event_id = ${ref.eventId}
  AND r.owner_id = ${ref.ownerId} AND r.status IN ('running', 'cancelling')
  AND r.lease_expires_at > now()
  AND EXISTS (SELECT 1 FROM users u WHERE u.id = r.owner_id AND u.status = 'active')`;

/** The run's input, output or condition; undefined when the attempt is not live. */
export async function readLiveRunField(
  db: Kysely<Database>,
  ref: LiveAttemptRef,
  field: 'input' | 'output' | 'condition',
): Promise<{ value: unknown } | undefined> {
  const column =
    field === 'input' ? sql`r.input` : field === 'output' ? sql`r.output` : sql`r.condition`;
  const { rows } = await sql<{ value: unknown }>`
    SELECT ${column} AS value FROM runs r WHERE ${live(ref)}`.execute(db);
  return rows[0] ? { value: rows[0].value ?? null } : undefined;
}

/** Sets the run's output or condition; false when the attempt is not live. */
export async function setLiveRunField(
  db: Kysely<Database>,
  ref: LiveAttemptRef,
  field: { output: unknown } | { condition: boolean },
): Promise<boolean> {
  const assignment =
    'output' in field
      ? sql`output = ${JSON.stringify(field.output)}::jsonb`
      : sql`condition = ${field.condition}`;
  const result = await sql`UPDATE runs r SET ${assignment} WHERE ${live(ref)}`.execute(db);
  return (result.numAffectedRows ?? 0n) > 0n;
}

/**
 * The owner's variable (decrypted when secret): undefined when the attempt is not live,
 * `{ found: false }` when there is no such variable.
 */
export async function readLiveVariable(
  db: Kysely<Database>,
  box: SecretBox,
  ref: LiveAttemptRef,
  key: string,
): Promise<{ found: false } | { found: true; value: string; isSecret: boolean } | undefined> {
  const { rows } = await sql<{
    id: number | null;
    value: string | null;
    value_encrypted: string | null;
    is_secret: boolean | null;
  }>`
    SELECT v.id, v.value, v.value_encrypted, v.is_secret
    FROM runs r LEFT JOIN variables v ON v.owner_id = r.owner_id AND v.key = ${key}
    WHERE ${live(ref)}`.execute(db);
  const row = rows[0];
  if (!row) return undefined;
  if (row.id === null) return { found: false };
  return row.is_secret
    ? {
        found: true,
        value: box.decrypt(row.value_encrypted!, variableSecretAad(ref.ownerId, key)),
        isSecret: true,
      }
    : { found: true, value: row.value!, isSecret: false };
}

/**
 * Holds the live attempt's run row (FOR SHARE) inside a transaction, so the run cannot end
 * before the transaction's writes commit; false when the attempt is not live.
 */
export async function lockLiveAttempt(
  trx: Kysely<Database>,
  ref: LiveAttemptRef,
): Promise<boolean> {
  const { rows } = await sql`SELECT 1 FROM runs r WHERE ${live(ref)} FOR SHARE`.execute(trx);
  return rows.length > 0;
}

/** What `getEventContext()` returns (the schema lives in @cronium/contracts). */
export type RunContext = EventContext;

/** What `getEventContext()` returns; undefined when the attempt is not live. */
export async function readLiveRunContext(
  db: Kysely<Database>,
  ref: LiveAttemptRef,
  serverId: number | null,
): Promise<RunContext | undefined> {
  const { rows } = await sql<{
    id: number;
    attempt: number;
    trigger: RunTrigger;
    scheduled_for: Date | null;
    owner_id: number;
    workflow_run_id: number | null;
    workflow_id: number | null;
    workflow_node: string | null;
    workflow_input: unknown;
    event_id: number;
    name: string;
    type: EventType;
    tags: string[];
    input_size: number;
    server_id: number | null;
    server_name: string | null;
    server_host: string | null;
  }>`
    SELECT r.id, r.attempt, r.trigger, r.scheduled_for, r.owner_id, r.workflow_run_id,
      wr.workflow_id, wr.input AS workflow_input,
      (SELECT n->>'name' FROM workflow_node_runs wn, jsonb_array_elements(wr.graph->'nodes') n
       WHERE wn.workflow_run_id = wr.id AND wn.run_id = r.id AND (n->>'id')::bigint = wn.node_id) AS workflow_node,
      e.id AS event_id, e.name, e.type, e.tags,
      coalesce(octet_length(r.input::text), 0)::int AS input_size,
      s.id AS server_id, s.name AS server_name, s.host AS server_host
    FROM runs r
    JOIN events e ON e.id = r.event_id
    LEFT JOIN workflow_runs wr ON wr.id = r.workflow_run_id
    LEFT JOIN servers s ON s.id = ${serverId} AND s.owner_id = r.owner_id
    WHERE ${live(ref)}`.execute(db);
  const row = rows[0];
  if (!row) return undefined;
  return {
    event: { id: row.event_id, name: row.name, type: row.type, tags: row.tags },
    run: {
      id: row.id,
      attempt: row.attempt,
      trigger: row.trigger,
      scheduledFor: row.scheduled_for ? new Date(row.scheduled_for).toISOString() : null,
      inputSize: row.input_size,
    },
    userId: row.owner_id,
    server:
      row.server_id !== null
        ? { id: row.server_id, name: row.server_name!, host: row.server_host! }
        : null,
    workflow:
      row.workflow_run_id !== null && row.workflow_id !== null
        ? {
            runId: row.workflow_run_id,
            id: row.workflow_id,
            node: row.workflow_node ?? '',
            input: row.workflow_input ?? null,
          }
        : null,
  };
}
