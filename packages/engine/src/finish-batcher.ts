import type { Db } from '@cronium/db';
import { finishRuns, type FinishItem, type FinishResult } from '@cronium/run-queue';
import { isTransientDatabaseError, retryDelayMs, sleep } from './database-errors.ts';

interface Pending {
  item: FinishItem;
  resolve: (result: FinishResult | undefined) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces the outcomes of attempts that end in the same moment into one fenced statement
 * (one commit). An outcome waits at most one turn of the event loop, so a lone run is
 * finished as fast as without batching.
 *
 * While the database is unavailable an outcome is retried, with backoff, until it is stored:
 * the script finished, and running it again (what the lease sweep would do with an outcome
 * that was given up) is not an option. Its attempt stays in flight meanwhile, so its lease
 * keeps being renewed whenever the database answers. The write is fenced, so a retry after
 * a commit whose answer was lost changes nothing.
 */
export class FinishBatcher {
  readonly #db: Db;
  readonly #maxBatch: number;
  readonly #onRetry: (error: unknown, attempt: number) => void;
  #pending: Pending[] = [];
  #scheduled = false;

  constructor(
    db: Db,
    options: { maxBatch?: number; onRetry?: (error: unknown, attempt: number) => void } = {},
  ) {
    this.#db = db;
    this.#maxBatch = options.maxBatch ?? 200;
    this.#onRetry = options.onRetry ?? (() => undefined);
  }

  finish(item: FinishItem): Promise<FinishResult | undefined> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (this.#pending.length >= this.#maxBatch) this.#flush();
      else if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    void this.#write(batch);
  }

  async #write(batch: Pending[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const results = await finishRuns(
          this.#db,
          batch.map((p) => p.item),
        );
        batch.forEach((p, i) => p.resolve(results[i]));
        return;
      } catch (error) {
        if (isTransientDatabaseError(error)) {
          this.#onRetry(error, attempt + 1);
          await sleep(retryDelayMs(attempt));
          continue;
        }
        // The statement itself fails, not the database: retrying it cannot help.
        if (batch.length === 1) {
          batch[0]!.reject(error);
          return;
        }
        // One bad outcome must not fail the others: write them one by one.
        await Promise.all(batch.map((p) => this.#write([p])));
        return;
      }
    }
  }
}
