import { createHash } from 'node:crypto';
import { SecretSet } from '@cronium/log-masking';

interface Entry {
  fingerprint: string;
  set: Promise<SecretSet>;
  bytes: number;
}

/**
 * The compiled masking set of each owner's secret variables, built once and reused by all
 * their attempts while the values do not change (keyed by the owner and a SHA-256 of the
 * values), instead of once per attempt. Attempts that start together share one build.
 * Bounded: at most `maxOwners` owners and about `maxBytes` of sets; the least recently used
 * go first. A build yields between secrets, so it does not hold other owners' runs up.
 */
export class OwnerSecretSets {
  readonly #entries = new Map<number, Entry>();
  readonly #maxOwners: number;
  readonly #maxBytes: number;
  readonly #maxSetBytes: number | undefined;
  #bytes = 0;

  constructor(options: { maxOwners?: number; maxBytes?: number; maxSetBytes?: number } = {}) {
    this.#maxOwners = options.maxOwners ?? 256;
    this.#maxBytes = options.maxBytes ?? 512 * 2 ** 20;
    this.#maxSetBytes = options.maxSetBytes;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The owner's set for these values: cached, or built now. */
  get(ownerId: number, values: readonly string[]): Promise<SecretSet> {
    const fingerprint = fingerprintOf(values);
    const cached = this.#entries.get(ownerId);
    if (cached?.fingerprint === fingerprint) {
      // Most recently used last.
      this.#entries.delete(ownerId);
      this.#entries.set(ownerId, cached);
      return cached.set;
    }
    if (cached) this.#forget(ownerId);
    const entry: Entry = {
      fingerprint,
      bytes: 0,
      set: SecretSet.build(values, { maxBytes: this.#maxSetBytes }),
    };
    this.#entries.set(ownerId, entry);
    entry.set.then(
      (set) => {
        if (this.#entries.get(ownerId) !== entry) return;
        entry.bytes = set.byteSize;
        this.#bytes += set.byteSize;
        this.#evict();
      },
      () => {
        // Not cached: the next attempt tries again (and fails the same way, with the reason).
        if (this.#entries.get(ownerId) === entry) this.#entries.delete(ownerId);
      },
    );
    return entry.set;
  }

  #evict(): void {
    for (const ownerId of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxOwners && this.#bytes <= this.#maxBytes) return;
      if (this.#entries.size === 1) return; // the one just built is in use
      this.#forget(ownerId);
    }
  }

  #forget(ownerId: number): void {
    const entry = this.#entries.get(ownerId);
    if (!entry) return;
    this.#bytes -= entry.bytes;
    this.#entries.delete(ownerId);
  }
}

function fingerprintOf(values: readonly string[]): string {
  const hash = createHash('sha256');
  for (const value of values) hash.update(`${value.length}:`).update(value);
  return hash.digest('hex');
}
