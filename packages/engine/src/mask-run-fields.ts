import { readLiveRunField, setLiveRunField, type Db } from '@cronium/db';
import type { SecretMasker } from '@cronium/log-masking';
import type { ClaimedRun } from '@cronium/run-queue';

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
 * log before the attempt's outcome is written (the runtime API cannot mask it: the secrets
 * are the orchestrator's). Written only while the attempt is live, and only if it changed.
 */
export async function maskStoredOutput(
  db: Db,
  run: ClaimedRun,
  masker: SecretMasker,
): Promise<void> {
  const ref = {
    runId: run.runId,
    attempt: run.attempt,
    eventId: run.event.id,
    ownerId: run.event.ownerId,
  };
  const stored = await readLiveRunField(db, ref, 'output');
  if (!stored || stored.value === null) return;
  const masked = maskJson(masker, stored.value);
  if (JSON.stringify(masked) !== JSON.stringify(stored.value))
    await setLiveRunField(db, ref, { output: masked });
}
