import { MaskingScan } from './masking-scan.ts';
import { PatternAutomaton } from './pattern-automaton.ts';
import { secretForms } from './secret-forms.ts';
import { assertValidMinLength, MIN_SECRET_LENGTH, secretValues } from './secret-values.ts';

export interface MaskerOptions {
  /** Values shorter than this many characters are not masked. Default `MIN_SECRET_LENGTH`. */
  minLength?: number;
}

/**
 * The secrets of one run, compiled into one automaton over all their forms, and masking of
 * complete texts (a log line). Secrets can be added during the run; the automaton is rebuilt
 * on the next use.
 */
export class SecretMasker {
  readonly minLength: number;
  readonly #patterns = new Set<string>();
  #automaton: PatternAutomaton | undefined;

  constructor(secrets: Iterable<string> = [], options: MaskerOptions = {}) {
    this.minLength = options.minLength ?? MIN_SECRET_LENGTH;
    assertValidMinLength(this.minLength);
    for (const secret of secrets) this.add(secret);
  }

  /**
   * Registers a secret (with its lines and forms). Returns false when no part of it is long
   * enough to be masked, so the caller can warn that it will show in the output.
   */
  add(secret: string): boolean {
    const values = secretValues(secret, this.minLength);
    for (const value of values)
      for (const { text } of secretForms(value))
        if (text.length >= this.minLength && !this.#patterns.has(text)) {
          this.#patterns.add(text);
          this.#automaton = undefined;
        }
    return values.length > 0;
  }

  /** The compiled patterns, shared with the `StreamMasker`s built on this masker. */
  get automaton(): PatternAutomaton {
    this.#automaton ??= new PatternAutomaton(this.#patterns);
    return this.#automaton;
  }

  /** Masks a complete text, typically one line of output. */
  maskLine(text: string): string {
    const automaton = this.automaton;
    if (automaton.patternCount === 0) return text;
    const scan = new MaskingScan();
    return scan.feed(automaton, text) + scan.end(automaton);
  }
}
