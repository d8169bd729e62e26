// What a webhook's sender is answered: the run at once, or its outcome when it waited.
import { setTimeout as sleep } from 'node:timers/promises';
import { isFinalRunStatus } from '@cronium/contracts';
import type { Db } from '@cronium/db';
import type { RunRow } from '@cronium/run-queue';

/** The longest `?wait=` a delivery may ask for, in seconds. */
export const WEBHOOK_MAX_WAIT_SECONDS = 30;

export interface WebhookAnswer {
  status: 200 | 202;
  body: {
    /** An event's run (a webhook of an event)... */
    runId?: number;
    /** ...or a workflow run (a webhook of a workflow). */
    workflowRunId?: number;
    status: string;
    /** An earlier delivery's run: the same Idempotency-Key, or the same signed request. */
    duplicate: boolean;
    output?: unknown;
    exitCode?: number | null;
    error?: string | null;
    finishedAt?: Date | null;
  };
  headers: Record<string, string>;
}

/** 202 with the run; with `wait`, 200 with its outcome if it ends in time. */
export async function answerWithRun(
  db: Db,
  run: RunRow,
  duplicate: boolean,
  request: { wait: number; signal?: AbortSignal },
): Promise<WebhookAnswer> {
  const headers = { location: `/api/v1/runs/${run.id}` };
  const ended = request.wait > 0 ? await waitForRun(db, run, request) : undefined;
  if (!ended)
    return { status: 202, body: { runId: run.id, status: run.status, duplicate }, headers };
  return {
    status: 200,
    body: {
      runId: ended.id,
      status: ended.status,
      duplicate,
      output: ended.output ?? null,
      exitCode: ended.exit_code,
      error: ended.error,
      finishedAt: ended.finished_at,
    },
    headers,
  };
}

/**
 * Polls the run until it has ended, `wait` seconds have passed, or the client has gone: every
 * 100 ms at first, then less often (at most every second).
 */
async function waitForRun(
  db: Db,
  run: RunRow,
  request: { wait: number; signal?: AbortSignal },
): Promise<RunRow | undefined> {
  const deadline = Date.now() + Math.min(request.wait, WEBHOOK_MAX_WAIT_SECONDS) * 1000;
  let current: RunRow | undefined = run;
  for (let pause = 100; ; pause = Math.min(pause * 1.5, 1_000)) {
    if (current && isFinalRunStatus(current.status)) return current;
    const left = deadline - Date.now();
    if (left <= 0 || request.signal?.aborted) return undefined;
    try {
      await sleep(Math.min(pause, left), undefined, { signal: request.signal });
    } catch {
      return undefined;
    }
    current = await db.selectFrom('runs').selectAll().where('id', '=', run.id).executeTakeFirst();
  }
}

/** 202 with the workflow run; with `wait`, 200 with its outcome if it ends in time. */
export async function answerWithWorkflowRun(
  db: Db,
  run: { id: number; status: string },
  duplicate: boolean,
  request: { wait: number; signal?: AbortSignal },
): Promise<WebhookAnswer> {
  const headers = { location: `/api/v1/workflow-runs/${run.id}` };
  const deadline = Date.now() + Math.min(request.wait, WEBHOOK_MAX_WAIT_SECONDS) * 1000;
  for (let pause = 100; request.wait > 0; pause = Math.min(pause * 1.5, 1_000)) {
    const current = await db
      .selectFrom('workflow_runs')
      .select(['status', 'output', 'error', 'finished_at'])
      .where('id', '=', run.id)
      .executeTakeFirst();
    if (current && current.status !== 'running')
      return {
        status: 200,
        body: {
          workflowRunId: run.id,
          status: current.status,
          duplicate,
          output: current.output ?? null,
          error: current.error,
          finishedAt: current.finished_at,
        },
        headers,
      };
    const left = deadline - Date.now();
    if (left <= 0 || request.signal?.aborted) break;
    try {
      await sleep(Math.min(pause, left), undefined, { signal: request.signal });
    } catch {
      break;
    }
  }
  return { status: 202, body: { workflowRunId: run.id, status: run.status, duplicate }, headers };
}
