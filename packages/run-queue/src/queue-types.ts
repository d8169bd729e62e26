import type { Kysely, Transaction } from 'kysely';
import type { Database } from '@cronium/db';
import {
  ACTIVE_RUN_STATUSES,
  CANCELLABLE_RUN_STATUSES,
  HELD_RUN_STATUSES,
} from '@cronium/contracts';

export type DbExecutor = Kysely<Database> | Transaction<Database>;

/**
 * Identifies one attempt of one run held by one orchestrator. Every write about a run
 * carries it; a write whose fence no longer matches the row changes nothing.
 */
export interface RunFence {
  runId: number;
  attempt: number;
  owner: string;
}

/** LISTEN/NOTIFY channels. A notification only says "look again"; the table is the truth. */
export const CHANNELS = {
  runsQueued: 'cronium_runs_queued',
  runCancel: 'cronium_run_cancel',
  scheduleChanged: 'cronium_schedule_changed',
  /** A workflow run moved (a node started or ended, the run ended): its id. */
  workflowRuns: 'cronium_workflow_runs',
  /** A workflow's tool node is due to be sent (wake the action workers). */
  actionsDue: 'cronium_actions_due',
} as const;

/** Statuses in which a run occupies a concurrency slot or waits for one (from contracts). */
export const ACTIVE_STATUSES = ACTIVE_RUN_STATUSES;
export const HELD_STATUSES = HELD_RUN_STATUSES;
export const CANCELLABLE_STATUSES = CANCELLABLE_RUN_STATUSES;
