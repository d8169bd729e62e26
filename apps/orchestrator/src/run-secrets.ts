import type { SecretBox } from '@cronium/crypto';
import { listSecretVariableValuesOf, openEventSecretEnv, type Db } from '@cronium/db';
import type { SshServer } from '@cronium/executors';
import type { SecretSet } from '@cronium/log-masking';
import type { ClaimedRun } from '@cronium/run-queue';
import { BatchedLookup } from './batched-lookup.ts';
import type { OwnerSecretSets } from './owner-secret-sets.ts';

/** The owners' secret variable values, decrypted; one query for the runs of one batch. */
export function secretVariablesLookup(db: Db, box: SecretBox): BatchedLookup<number, string[]> {
  return new BatchedLookup((ownerIds) => listSecretVariableValuesOf(db, box, ownerIds));
}

/**
 * What must never appear in a run's log as it is: the event's secret environment values, the
 * owner's secret variables (compiled once per owner and reused while they do not change), and
 * the credentials of the servers it runs on. (The run's own tokens are added by the worker
 * as it mints them.)
 */
export async function secretsForRun(
  secretVariables: BatchedLookup<number, string[]>,
  ownerSets: OwnerSecretSets,
  box: SecretBox,
  run: ClaimedRun,
  servers: SshServer[],
): Promise<(string | SecretSet)[]> {
  const secretEnv = Object.values(
    openEventSecretEnv(box, run.event.id, run.event.secretEnvEncrypted),
  );
  const credentials = servers.flatMap((s) =>
    s.auth.method === 'password'
      ? [s.auth.password]
      : [s.auth.privateKey, ...(s.auth.passphrase ? [s.auth.passphrase] : [])],
  );
  const ownerId = run.event.ownerId;
  const variables = await ownerSets.get(ownerId, await secretVariables.load(ownerId));
  return [...secretEnv, variables, ...credentials];
}
