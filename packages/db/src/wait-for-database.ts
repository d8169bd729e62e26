import { sql, type Kysely } from 'kysely';

/**
 * Waits until the database answers, retrying with a capped backoff: at first start the
 * embedded server may still be initialising while the apps come up beside it.
 */
export async function waitForDatabase(
  db: Kysely<any>,
  options: {
    timeoutMs: number;
    signal?: AbortSignal;
    onRetry?: (error: Error, attempt: number) => void;
  },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await sql`SELECT 1`.execute(db);
      return;
    } catch (error) {
      if (Date.now() >= deadline || options.signal?.aborted) {
        throw new Error(
          `Database not reachable after ${options.timeoutMs} ms: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      }
      options.onRetry?.(error as Error, attempt);
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 2000)));
    }
  }
}
