/**
 * Deliveries per webhook per minute, each hook with its own limit: a sliding window over the
 * last 60 seconds, in this web process's memory (like the API's per-user trigger limit).
 * Only authenticated deliveries are counted, so nobody without the secret can use up a hook's
 * allowance.
 */
export class WebhookRateLimiter {
  readonly #windowMs: number;
  readonly #deliveries = new Map<number, number[]>();

  constructor(options: { windowMs?: number } = {}) {
    this.#windowMs = options.windowMs ?? 60_000;
  }

  /**
   * Counts a delivery of the hook when it is within `perWindow`, and returns 0; otherwise
   * counts nothing and returns the seconds until the oldest counted one leaves the window.
   * Check and count are one synchronous step, so requests that arrive together cannot all pass.
   */
  reserve(hookId: number, perWindow: number, now = Date.now()): number {
    const recent = (this.#deliveries.get(hookId) ?? []).filter((at) => now - at < this.#windowMs);
    if (recent.length >= perWindow) {
      this.#deliveries.set(hookId, recent);
      return Math.max(1, Math.ceil((recent[0]! + this.#windowMs - now) / 1000));
    }
    recent.push(now);
    // Re-inserted last, so the first key is the least recently used one.
    this.#deliveries.delete(hookId);
    this.#deliveries.set(hookId, recent);
    if (this.#deliveries.size > 100_000)
      this.#deliveries.delete(this.#deliveries.keys().next().value!);
    return 0;
  }
}
