/**
 * Slows password guessing: per key (the email, and the client address), at most `attempts`
 * failed sign-ins per `windowMs`; then 429 with the seconds until the oldest failure expires.
 * A success clears the key. In memory, per web process.
 */
export class LoginThrottle {
  readonly #attempts: number;
  readonly #windowMs: number;
  readonly #failures = new Map<string, number[]>();

  constructor(options: { attempts?: number; windowMs?: number } = {}) {
    this.#attempts = options.attempts ?? 10;
    this.#windowMs = options.windowMs ?? 15 * 60_000;
  }

  /** Seconds to wait before another attempt with these keys, or 0. */
  retryAfter(keys: string[], now = Date.now()): number {
    let wait = 0;
    for (const key of keys) {
      const recent = this.#recent(key, now);
      if (recent.length >= this.#attempts)
        wait = Math.max(wait, Math.ceil((recent[0]! + this.#windowMs - now) / 1000));
    }
    return wait;
  }

  /**
   * Counts an attempt before it is checked, and says how long to wait if the keys are used up
   * (then nothing is counted). Check and count happen in one synchronous step, so attempts
   * that arrive together cannot all pass the check before any is counted (review M4). A
   * successful attempt gives its slot back with `succeeded`.
   */
  reserve(keys: string[], now = Date.now()): number {
    const wait = this.retryAfter(keys, now);
    if (wait === 0) this.failed(keys, now);
    return wait;
  }

  failed(keys: string[], now = Date.now()): void {
    for (const key of keys) this.#failures.set(key, [...this.#recent(key, now), now]);
    if (this.#failures.size > 100_000) this.#failures.delete(this.#failures.keys().next().value!);
  }

  succeeded(keys: string[]): void {
    for (const key of keys) this.#failures.delete(key);
  }

  #recent(key: string, now: number): number[] {
    return (this.#failures.get(key) ?? []).filter((at) => now - at < this.#windowMs);
  }
}
