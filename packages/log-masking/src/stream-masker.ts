import { MaskingScan } from './masking-scan.ts';
import { SecretMasker, type MaskerOptions } from './secret-masker.ts';

/**
 * Masks a process's output as it arrives, before it is split into lines, so that a secret
 * written in two pieces is still masked. `push` returns the text that is safe to pass on;
 * at most `maxHold` characters that could be the start of a secret are held back until the
 * next chunk, or until `flush` when the output ends.
 *
 * Built on a `SecretMasker`, it shares that masker's secrets, including ones added later
 * (stdout and stderr of one run can each have a stream on the same masker).
 */
export class StreamMasker {
  readonly #masker: SecretMasker;
  readonly #scan = new MaskingScan();

  constructor(secrets: SecretMasker | Iterable<string> = [], options: MaskerOptions = {}) {
    this.#masker = secrets instanceof SecretMasker ? secrets : new SecretMasker(secrets, options);
  }

  /** Registers a secret from now on; see `SecretMasker.add`. */
  add(secret: string): boolean {
    return this.#masker.add(secret);
  }

  push(text: string): string {
    return this.#scan.feed(this.#masker.sets, text);
  }

  /**
   * Passes on what was held back at the end of a line given without its line break (a
   * stored log line): the next `push` is the next line, where wrapped base64 may go on.
   */
  endLine(): string {
    return this.#scan.end(this.#masker.sets, true);
  }

  /** Passes on what was held back; call when the output ends. */
  flush(): string {
    return this.#scan.end(this.#masker.sets);
  }

  /** Characters held back, waiting for the next chunk. */
  get heldLength(): number {
    return this.#scan.heldLength;
  }
}
