import type { SecretBox } from '@cronium/crypto';
import { listSecretVariableValuesOf, type Db } from '@cronium/db';
import type { SecretSet } from '@cronium/log-masking';
import type { ClaimedRun } from '@cronium/run-queue';
import { BatchedLookup } from './batched-lookup.ts';
import type { OwnerSecretSets } from './owner-secret-sets.ts';

/** The owners' secret variable values, decrypted; one query for the runs of one batch. */
export function secretVariablesLookup(db: Db, box: SecretBox): BatchedLookup<number, string[]> {
  return new BatchedLookup((ownerIds) => listSecretVariableValuesOf(db, box, ownerIds));
}

/**
 * The owner's secret variables as a compiled set for the run's log masker (compiled once per
 * owner and reused while they do not change). The attempt's other secrets (its secret
 * environment, server credentials, tokens) are masked by the engine's `prepareAttempt`.
 */
export async function secretsForRun(
  secretVariables: BatchedLookup<number, string[]>,
  ownerSets: OwnerSecretSets,
  run: ClaimedRun,
): Promise<SecretSet[]> {
  const ownerId = run.event.ownerId;
  return [await ownerSets.get(ownerId, await secretVariables.load(ownerId))];
}
