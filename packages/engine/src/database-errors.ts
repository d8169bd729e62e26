/**
 * Whether a database error is worth retrying: the connection or the server is unavailable
 * (refused, reset, terminated, restarting, out of connections), or a transaction lost a
 * serialisation race. An error the server raised about the statement itself (a constraint,
 * invalid data) is not: the same statement would fail again.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  // No SQLSTATE: a socket error (ECONNREFUSED, ECONNRESET, ...), "Connection terminated",
  // a connection or query timeout.
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return (
    code.startsWith('08') || // connection exception
    code.startsWith('53') || // insufficient resources (too many connections, disk full)
    code.startsWith('57P') || // admin shutdown, crash shutdown, cannot connect now
    code === '40001' || // serialization failure
    code === '40P01' || // deadlock detected
    code === '58000' || // system error
    code === '58030' // io error
  );
}

/** Backoff for retries while the database is unavailable: 100 ms doubling, at most `capMs`. */
export function retryDelayMs(attempt: number, capMs = 2_000): number {
  return Math.min(100 * 2 ** Math.min(attempt, 10), capMs);
}

export const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

/** Runs an idempotent write again, with backoff, for as long as the database is unavailable. */
export async function retryWhileUnavailable<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isTransientDatabaseError(error)) throw error;
      await sleep(retryDelayMs(attempt));
    }
  }
}
