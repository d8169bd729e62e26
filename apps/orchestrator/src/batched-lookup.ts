/**
 * Lookups asked for during one turn of the event loop are answered by one `fetchMany` call at
 * the end of that turn: a batch of claimed runs then costs one query, not one each. Nothing is
 * cached beyond that turn, so every batch sees the current data.
 */
export class BatchedLookup<K, V> {
  readonly #fetchMany: (keys: K[]) => Promise<Map<K, V>>;
  #waiting = new Map<K, { resolve(value: V): void; reject(error: unknown): void }[]>();
  #scheduled = false;

  constructor(fetchMany: (keys: K[]) => Promise<Map<K, V>>) {
    this.#fetchMany = fetchMany;
  }

  load(key: K): Promise<V> {
    return new Promise((resolve, reject) => {
      const waiters = this.#waiting.get(key) ?? [];
      waiters.push({ resolve, reject });
      this.#waiting.set(key, waiters);
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => void this.#flush());
      }
    });
  }

  async #flush(): Promise<void> {
    const batch = this.#waiting;
    this.#waiting = new Map();
    this.#scheduled = false;
    try {
      const values = await this.#fetchMany([...batch.keys()]);
      for (const [key, waiters] of batch)
        for (const w of waiters) {
          if (values.has(key)) w.resolve(values.get(key)!);
          else w.reject(new Error(`nothing found for ${String(key)}`));
        }
    } catch (error) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(error);
    }
  }
}
