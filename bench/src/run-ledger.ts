// Whether every run of a batch ran exactly once, from the two records there are: the runs
// table (one row per run; `attempt` counts claims, `lease_losses` the attempts taken back
// from an orchestrator that stopped renewing its lease) and the orchestrators' own logs
// (one `attempt finished` line per attempt whose outcome an orchestrator stored).
import { sql } from 'kysely';
import type { Db } from '@cronium/db';

export interface LedgerCheck {
  runs: number;
  succeeded: number;
  /** Runs that did not end `succeeded` (still queued or running, or failed). */
  lost: number;
  /**
   * Runs executed more than their record allows: more than one successful attempt logged,
   * or more attempts claimed than one plus the attempts lost (a second claim of a live run).
   */
  duplicated: number;
  /** Runs whose attempt was lost with a killed orchestrator and ran again (at-least-once). */
  reRunAfterLostAttempt: number;
  /** Succeeded runs without a logged finish: lines a killed process never wrote out. */
  finishNotLogged: number;
  finishedBy: Record<string, number>;
  examples: { lost: { id: number; status: string; error: string | null }[]; duplicated: number[] };
}

interface Finish {
  orchestrator: string;
  attempt: number;
  status: string;
}

/** The `attempt finished` lines of the given runs, by run, from each orchestrator's log. */
function loggedFinishes(logs: Map<string, string[]>, runIds: Set<number>): Map<number, Finish[]> {
  const byRun = new Map<number, Finish[]>();
  for (const [orchestrator, lines] of logs) {
    for (const line of lines) {
      if (!line.includes('"attempt finished"')) continue;
      let entry: { msg?: string; runId?: number; attempt?: number; status?: string };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue;
      }
      if (entry.msg !== 'attempt finished' || !runIds.has(entry.runId!)) continue;
      const finishes = byRun.get(entry.runId!) ?? [];
      finishes.push({ orchestrator, attempt: entry.attempt!, status: entry.status! });
      byRun.set(entry.runId!, finishes);
    }
  }
  return byRun;
}

export async function checkRunLedger(
  db: Db,
  eventIds: number[],
  logs: Map<string, string[]>,
): Promise<LedgerCheck> {
  const { rows } = await sql<{
    id: number;
    status: string;
    attempt: number;
    lease_losses: number;
    error: string | null;
  }>`SELECT id, status, attempt, lease_losses, error FROM runs WHERE event_id = ANY(${eventIds}::bigint[])`.execute(
    db,
  );
  const finishes = loggedFinishes(logs, new Set(rows.map((r) => r.id)));
  const lost: { id: number; status: string; error: string | null }[] = [];
  const duplicated: number[] = [];
  const finishedBy: Record<string, number> = {};
  let reRun = 0;
  let notLogged = 0;
  for (const run of rows) {
    const succeededLines = (finishes.get(run.id) ?? []).filter((f) => f.status === 'succeeded');
    for (const f of succeededLines)
      finishedBy[f.orchestrator] = (finishedBy[f.orchestrator] ?? 0) + 1;
    if (run.status !== 'succeeded') lost.push({ id: run.id, status: run.status, error: run.error });
    else if (succeededLines.length === 0) notLogged += 1;
    if (succeededLines.length > 1 || run.attempt > 1 + run.lease_losses) duplicated.push(run.id);
    if (run.lease_losses > 0) reRun += 1;
  }
  return {
    runs: rows.length,
    succeeded: rows.filter((r) => r.status === 'succeeded').length,
    lost: lost.length,
    duplicated: duplicated.length,
    reRunAfterLostAttempt: reRun,
    finishNotLogged: notLogged,
    finishedBy,
    examples: { lost: lost.slice(0, 10), duplicated: duplicated.slice(0, 10) },
  };
}
