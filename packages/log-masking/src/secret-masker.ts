import { MaskingScan } from './masking-scan.ts';
import { SecretSet, FormCollector, type SecretSetOptions } from './secret-set.ts';
import { secretValues } from './secret-values.ts';

export interface MaskerOptions extends SecretSetOptions {
  /**
   * Compiled sets shared with other maskers (an owner's secret variables, built once for all
   * their runs); the masker's own secrets (`add`) are masked as well.
   */
  shared?: readonly SecretSet[];
}

/**
 * The secrets of one run, and masking of complete texts (a log line). Secrets can be added
 * during the run (its tokens); they are compiled on the next use, apart from the shared sets.
 */
export class SecretMasker {
  readonly minLength: number;
  readonly #options: SecretSetOptions;
  readonly #secrets: string[] = [];
  #shared: readonly SecretSet[];
  #own: SecretSet | undefined;
  #sets: readonly SecretSet[] | undefined;

  constructor(secrets: Iterable<string> = [], options: MaskerOptions = {}) {
    const { shared = [], ...setOptions } = options;
    this.#options = setOptions;
    this.#shared = shared;
    this.minLength = new FormCollector(setOptions).minLength;
    for (const secret of secrets) this.add(secret);
  }

  /**
   * Registers a secret (with its lines and forms), or a compiled set (`share`). Returns false when no part of it is long
   * enough to be masked, so the caller can warn that it will show in the output.
   */
  add(secret: string | SecretSet): boolean {
    if (secret instanceof SecretSet) {
      this.share(secret);
      return secret.forms.length > 0;
    }
    const added = secretValues(secret, this.minLength).length > 0;
    if (added) {
      this.#secrets.push(secret);
      this.#own = undefined;
      this.#sets = undefined;
    }
    return added;
  }

  /** Masks with a compiled set as well, from now on. */
  share(set: SecretSet): void {
    this.#shared = [...this.#shared, set];
    this.#sets = undefined;
  }

  /** The compiled sets, shared ones first; `StreamMasker`s built on this masker use them. */
  get sets(): readonly SecretSet[] {
    if (this.#sets) return this.#sets;
    this.#own ??= SecretSet.compile(this.#secrets, this.#options);
    this.#sets = [...this.#shared, this.#own].filter((set) => set.forms.length > 0);
    return this.#sets;
  }

  /** The most characters a stream on this masker holds back at a time. */
  get maxHold(): number {
    return Math.max(0, ...this.sets.map((set) => set.maxHold));
  }

  /** Masks a complete text, typically one line of output. */
  maskLine(text: string): string {
    const sets = this.sets;
    if (sets.length === 0) return text;
    const scan = new MaskingScan();
    return scan.feed(sets, text) + scan.end(sets);
  }
}
