import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema/database.ts';
import { getSetting, putSetting } from './settings.repository.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/**
 * The administrator's container caps, as the orchestrator is configured with them
 * (CONTAINER_MAX_*, CONTAINER_NETWORK). The orchestrator publishes them here at start so the
 * API can refuse an event above them when it is saved, not only when it runs.
 */
export interface SandboxCaps {
  memoryMb: number;
  cpuMillis: number;
  pids: number;
  /** Whether a container network is configured, so events may ask for network access. */
  network: boolean;
}

const KEY = 'sandbox.caps';

export async function publishSandboxCaps(db: Executor, caps: SandboxCaps): Promise<void> {
  await putSetting(db, KEY, caps, null);
}

/** The published caps, or undefined before any orchestrator has started. */
export async function readSandboxCaps(db: Executor): Promise<SandboxCaps | undefined> {
  return getSetting<SandboxCaps>(db, KEY);
}
