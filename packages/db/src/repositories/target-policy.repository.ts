import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema/database.ts';
import type { UserRole } from '@cronium/contracts';
import { getSetting, putSetting } from './settings.repository.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** Who may run scripts on the orchestrator's machine (ORCHESTRATOR_LOCAL). */
export type LocalAccess = 'off' | 'admins' | 'everyone';

/**
 * Which targets the orchestrator offers, as it is configured: who may use `local`, and whether
 * a Docker engine answered at its start. Published at start (like the sandbox caps) so the API
 * can refuse a local event its owner may not run, and pick a new event's default target.
 */
export interface TargetPolicy {
  local: LocalAccess;
  containers: boolean;
}

const KEY = 'targets.policy';

/** What applies before any orchestrator has published its policy: the defaults. */
export const DEFAULT_TARGET_POLICY: TargetPolicy = { local: 'admins', containers: false };

export async function publishTargetPolicy(db: Executor, policy: TargetPolicy): Promise<void> {
  await putSetting(db, KEY, policy, null);
}

export async function readTargetPolicy(db: Executor): Promise<TargetPolicy> {
  return (await getSetting<TargetPolicy>(db, KEY)) ?? DEFAULT_TARGET_POLICY;
}

/**
 * Why a user of this role may not run local scripts, or undefined when they may. One rule,
 * applied when an event is saved (API) and again when its run starts (orchestrator).
 */
export function localAccessRefusal(access: LocalAccess, role: UserRole): string | undefined {
  if (access === 'off')
    return 'local scripts are turned off on this installation (ORCHESTRATOR_LOCAL=off): use the container or ssh target';
  if (access === 'admins' && role !== 'admin')
    return 'only administrators may run local scripts on this installation (ORCHESTRATOR_LOCAL=admins): use the container or ssh target';
  return undefined;
}
