import { sql } from 'kysely';
import { CHANNELS, type DbExecutor } from '../queue-types.ts';
import type { LockedWorkflowRun } from './advance-workflow-runs.ts';

/**
 * The run worker that queued the runs a `runsQueued` notification announces, when it claims
 * them itself (a workflow's next nodes, queued with the outcome of the run before them): its
 * orchestrator leaves its own echo alone.
 */
export function queuedBy(payload: string): string | undefined {
  const at = payload.indexOf('@');
  return at < 0 ? undefined : payload.slice(at + 1);
}

/** An event node to start with `input`. */
export interface NodeRunStart {
  nodeId: number;
  eventId: number;
  input: unknown;
}

/**
 * Queues the runs of event nodes that became ready, however many, in one statement (a fan-out
 * to a hundred nodes is one round trip, not a hundred): each run is inserted from its event's
 * row read under a key-share lock, only for an event of the workflow run's owner, and the
 * workers are told once. Run ids are drawn before the insert so each is known by its node.
 * Returns the new run id of each node whose event still exists.
 */
export async function insertNodeRuns(
  trx: DbExecutor,
  run: LockedWorkflowRun,
  starts: NodeRunStart[],
): Promise<Map<number, number>> {
  if (starts.length === 0) return new Map();
  const payload = run.queuedBy ? `workflow@${run.queuedBy}` : 'workflow';
  const { rows } = await sql<{ node_id: string; run_id: string }>`
    WITH wanted AS (
      SELECT w.node_id, w.event_id, w.input, nextval(pg_get_serial_sequence('runs', 'id')) AS run_id
      FROM unnest(${starts.map((s) => s.nodeId)}::bigint[], ${starts.map((s) => s.eventId)}::bigint[],
                  ${starts.map((s) => JSON.stringify(s.input ?? null))}::text[]) AS w(node_id, event_id, input)
    ), event AS (
      SELECT id, owner_id, priority, retry_max_attempts FROM events
      WHERE id IN (SELECT event_id FROM wanted) AND owner_id = ${run.ownerId}
      FOR KEY SHARE
    ), inserted AS (
      INSERT INTO runs (id, event_id, owner_id, trigger, status, priority, scheduled_for, run_at, input,
                        max_attempts, workflow_run_id, workflow_node_id)
      OVERRIDING SYSTEM VALUE
      SELECT w.run_id, e.id, e.owner_id, 'workflow', 'queued', e.priority,
             ${run.slot?.scheduledFor ?? null}::timestamptz, coalesce(${run.slot?.runAt ?? null}::timestamptz, now()),
             w.input::jsonb, e.retry_max_attempts, ${run.id}::bigint,
             -- The node as it is now (a run's graph may hold one that was deleted since).
             (SELECT n.id FROM workflow_nodes n WHERE n.id = w.node_id)
      FROM wanted w JOIN event e ON e.id = w.event_id
      RETURNING id
    ), notified AS (
      SELECT pg_notify(${CHANNELS.runsQueued}, ${payload}) WHERE EXISTS (SELECT 1 FROM inserted)
    )
    SELECT w.node_id, w.run_id FROM wanted w JOIN inserted i ON i.id = w.run_id, (SELECT count(*) FROM notified) n`.execute(
    trx,
  );
  return new Map(rows.map((r) => [Number(r.node_id), Number(r.run_id)]));
}
