import type { SecretBox } from '@cronium/crypto';
import { listSecretVariableValues, openEventSecretEnv, type Db } from '@cronium/db';
import type { SshServer } from '@cronium/executors';
import type { ClaimedRun } from '@cronium/run-queue';

/**
 * What must never appear in a run's log as it is: the event's secret environment values, the
 * owner's secret variables, and the credentials of the servers it runs on. (The run's own
 * tokens are added by the worker as it mints them.)
 */
export async function secretsForRun(
  db: Db,
  box: SecretBox,
  run: ClaimedRun,
  servers: SshServer[],
): Promise<string[]> {
  const secretEnv = Object.values(
    openEventSecretEnv(box, run.event.id, run.event.secretEnvEncrypted),
  );
  const credentials = servers.flatMap((s) =>
    s.auth.method === 'password'
      ? [s.auth.password]
      : [s.auth.privateKey, ...(s.auth.passphrase ? [s.auth.passphrase] : [])],
  );
  return [
    ...secretEnv,
    ...(await listSecretVariableValues(db, box, run.event.ownerId)),
    ...credentials,
  ];
}
