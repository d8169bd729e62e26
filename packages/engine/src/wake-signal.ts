/**
 * A sleep that a wake-up cuts short. A wake-up that arrives while nobody sleeps is kept, so
 * the next sleep returns at once: a notification that lands while a loop is busy is not lost.
 */
export class WakeSignal {
  #pending = false;
  #wakeSleeper: (() => void) | undefined;

  wake(): void {
    this.#pending = true;
    this.#wakeSleeper?.();
  }

  sleep(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const done = () => {
        clearTimeout(timer);
        this.#wakeSleeper = undefined;
        this.#pending = false;
        resolve();
      };
      timer = setTimeout(done, ms);
      this.#wakeSleeper = done;
    });
  }
}
