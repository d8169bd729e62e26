import type { Db } from '@cronium/db';
import type { SecretMasker } from '@cronium/log-masking';
import { replaceFinishedOutput, type ClaimedRun } from '@cronium/run-queue';

/**
 * A JSON value with every string in it (keys included) masked: the result of an HTTP event
 * (its body and headers), the output a script sets through the runtime API.
 */
export function maskJson<T>(masker: SecretMasker, value: T): T {
  if (typeof value === 'string') return masker.maskLine(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => maskJson(masker, item)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [masker.maskLine(key), maskJson(masker, item)]),
    ) as T;
  return value;
}

/**
 * The output the script stored through the runtime API during the attempt, masked like its
 * log (the runtime API cannot mask it: the secrets are the orchestrator's). The attempt's
 * outcome statement returns the output it kept, so nothing is read for it; the masked value is
 * written back only when masking changed it.
 */
export async function maskFinishedOutput(
  db: Db,
  run: ClaimedRun,
  masker: SecretMasker,
  output: unknown,
): Promise<void> {
  if (output === null || output === undefined) return;
  const masked = maskJson(masker, output);
  if (JSON.stringify(masked) !== JSON.stringify(output))
    await replaceFinishedOutput(db, { runId: run.runId, attempt: run.attempt }, masked);
}
