import type { Db } from '@cronium/db';
import {
  finishRuns,
  type AttemptOutcome,
  type FinishItem,
  type FinishResult,
  type RunFence,
} from '@cronium/run-queue';

interface Pending {
  item: FinishItem;
  resolve: (result: FinishResult | undefined) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces the outcomes of attempts that end in the same moment into one fenced statement
 * (one commit). An outcome waits at most one turn of the event loop, so a lone run is
 * finished as fast as without batching.
 */
export class FinishBatcher {
  readonly #db: Db;
  readonly #maxBatch: number;
  #pending: Pending[] = [];
  #scheduled = false;

  constructor(db: Db, maxBatch = 200) {
    this.#db = db;
    this.#maxBatch = maxBatch;
  }

  finish(fence: RunFence, outcome: AttemptOutcome): Promise<FinishResult | undefined> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ item: { fence, outcome }, resolve, reject });
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
    finishRuns(
      this.#db,
      batch.map((p) => p.item),
    ).then(
      (results) => batch.forEach((p, i) => p.resolve(results[i])),
      (error: unknown) => {
        if (batch.length === 1) {
          batch[0]!.reject(error);
          return;
        }
        // One bad outcome must not fail the others: write them one by one.
        for (const p of batch) finishRuns(this.#db, [p.item]).then(([r]) => p.resolve(r), p.reject);
      },
    );
  }
}
