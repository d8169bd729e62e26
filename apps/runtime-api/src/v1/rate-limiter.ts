/**
 * A token bucket per key (a run attempt): `ratePerSecond` sustained, `burst` at once. Buckets
 * of keys not seen for a minute are dropped, so memory stays bounded by the active runs.
 */
export class RateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  #lastSweep = Date.now();

  constructor(options: { ratePerSecond: number; burst: number }) {
    this.#rate = options.ratePerSecond;
    this.#burst = options.burst;
  }

  /** Takes a token; returns 0 when allowed, or the seconds to wait before trying again. */
  take(key: string, now = Date.now()): number {
    this.#sweep(now);
    const bucket = this.#buckets.get(key) ?? { tokens: this.#burst, at: now };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + ((now - bucket.at) / 1000) * this.#rate);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.#rate));
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < 60_000) return;
    this.#lastSweep = now;
    for (const [key, bucket] of this.#buckets)
      if (now - bucket.at > 60_000) this.#buckets.delete(key);
  }
}
