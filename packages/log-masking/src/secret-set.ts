import { CompactAutomaton } from './compact-automaton.ts';
import { secretForms } from './secret-forms.ts';
import { assertValidMinLength, MIN_SECRET_LENGTH, secretValues } from './secret-values.ts';
import { PROBE_LENGTH, WrappedLineIndex } from './wrapped-line-index.ts';

/**
 * A form longer than this is found by its first `ANCHOR_LENGTH` characters and then
 * verified character by character as the text goes on: masked from its anchor on, as far as
 * the text agrees with it. Shorter forms are matched whole.
 */
export const ANCHOR_LENGTH = 32;
/**
 * The base64 forms are also found by their first `WRAP_ANCHOR_LENGTH` characters at the end
 * of a line (wrapped base64 puts the start of a secret at the end of a line).
 */
export const WRAP_ANCHOR_LENGTH = 16;
/** Candidates verified at once per set; more (a pathological secret) are not started. */
export const MAX_CANDIDATES = 64;
/** Default budget of a set: the forms' characters plus the automaton and index. */
export const DEFAULT_MAX_BYTES = 128 * 1024 * 1024;

export interface SecretSetOptions {
  /** Values shorter than this many characters are not masked. Default `MIN_SECRET_LENGTH`. */
  minLength?: number;
  /** Refuse to build (`MaskingBudgetError`) past this many bytes. Default `DEFAULT_MAX_BYTES`. */
  maxBytes?: number;
}

export interface MaskedForm {
  /** The form's text; for a base64url form, the standard base64 text it is read from. */
  readonly text: string;
  /** Read `+` as `-` and `/` as `_`: base64url shares the standard form's string. */
  readonly urlSafe: boolean;
  /** A standard base64 form, which may be wrapped over several lines. */
  readonly wrappable: boolean;
  /** For a base64 form, its first position at a group boundary of the encoded data. */
  readonly groupPhase: number;
}

export class MaskingBudgetError extends Error {
  readonly bytes: number;
  readonly maxBytes: number;

  constructor(bytes: number, maxBytes: number) {
    super(
      `masking these secrets needs more than ${Math.round(maxBytes / 2 ** 20)} MB ` +
        `(at least ${Math.round(bytes / 2 ** 20)} MB): store fewer or smaller secret values`,
    );
    this.name = 'MaskingBudgetError';
    this.bytes = bytes;
    this.maxBytes = maxBytes;
  }
}

/**
 * A compiled, immutable set of secrets: their forms, an automaton over the short forms and
 * the anchors of the long ones, and an index of the base64 forms for wrapped lines. Memory
 * and build time are linear in the secrets' size, within `maxBytes`. One set can be shared
 * by many maskers (an owner's secret variables, for all their runs).
 */
export class SecretSet {
  readonly forms: readonly MaskedForm[];
  readonly automaton: CompactAutomaton;
  readonly lineIndex: WrappedLineIndex | undefined;
  readonly valueCount: number;
  /** Estimated bytes held (forms, automaton, index). */
  readonly byteSize: number;
  /** The most characters a stream holds back while it cannot tell yet whether they are a secret. */
  readonly maxHold: number;

  private constructor(forms: MaskedForm[], valueCount: number, formBytes: number) {
    this.forms = forms;
    this.valueCount = valueCount;
    const patterns = new Map<string, { exact: boolean; forms: number[] }>();
    const entry = (text: string) => {
      let found = patterns.get(text);
      if (!found) patterns.set(text, (found = { exact: false, forms: [] }));
      return found;
    };
    forms.forEach((form, id) => {
      const length = form.text.length;
      if (length <= ANCHOR_LENGTH) entry(readAs(form, 0, length)).exact = true;
      if (form.wrappable && length > WRAP_ANCHOR_LENGTH)
        entry(form.text.slice(0, WRAP_ANCHOR_LENGTH)).forms.push(id);
      else if (!form.wrappable && length > ANCHOR_LENGTH)
        entry(readAs(form, 0, ANCHOR_LENGTH)).forms.push(id);
    });
    this.automaton = new CompactAutomaton(patterns);
    const indexed = forms.some((f) => f.wrappable && f.text.length >= PROBE_LENGTH);
    this.lineIndex = indexed
      ? new WrappedLineIndex(forms, (id) => forms[id]!.wrappable)
      : undefined;
    const wraps = forms.some((f) => f.wrappable && f.text.length > WRAP_ANCHOR_LENGTH);
    this.maxHold = Math.max(
      this.automaton.longestPattern - 1,
      wraps ? ANCHOR_LENGTH - 1 : 0,
      indexed ? PROBE_LENGTH - 1 : 0,
      0,
    );
    this.byteSize = formBytes + this.automaton.byteSize + (this.lineIndex?.byteSize ?? 0);
  }

  /** Compiles at once (for a few small secrets, such as a run's tokens). */
  static compile(secrets: Iterable<string>, options: SecretSetOptions = {}): SecretSet {
    const builder = new FormCollector(options);
    for (const secret of secrets) builder.add(secret);
    return builder.finish();
  }

  /**
   * Compiles without holding the event loop for long: it yields between secrets (each
   * secret's forms are computed by the runtime's native encoders in a few milliseconds a MB).
   */
  static async build(
    secrets: Iterable<string>,
    options: SecretSetOptions = {},
  ): Promise<SecretSet> {
    const builder = new FormCollector(options);
    for (const secret of secrets) {
      builder.add(secret);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const set = builder.finish();
    await new Promise((resolve) => setImmediate(resolve));
    return set;
  }

  /** @internal */
  static fromForms(forms: MaskedForm[], valueCount: number, formBytes: number): SecretSet {
    return new SecretSet(forms, valueCount, formBytes);
  }
}

/** Gathers the distinct forms of the values of several secrets, within the budget. */
export class FormCollector {
  readonly minLength: number;
  readonly #maxBytes: number;
  readonly #forms: MaskedForm[] = [];
  readonly #standard = new Set<string>();
  readonly #urlSafe = new Set<string>();
  #values = 0;
  #bytes = 0;

  constructor(options: SecretSetOptions = {}) {
    this.minLength = options.minLength ?? MIN_SECRET_LENGTH;
    assertValidMinLength(this.minLength);
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  /** Adds a secret's values; false when none is long enough to be masked. */
  add(secret: string): boolean {
    const values = secretValues(secret, this.minLength);
    for (const value of values) {
      this.#values++;
      const forms = secretForms(value);
      for (const form of forms) {
        if (form.text.length < this.minLength) continue;
        const base64 = form.encoding === 'base64';
        if (form.encoding === 'base64url') {
          // Read from the standard form of the same alignment: one string for both.
          const standard = forms.find(
            (f) => f.encoding === 'base64' && f.alignment === form.alignment,
          );
          if (standard && !this.#urlSafe.has(standard.text)) {
            this.#urlSafe.add(standard.text);
            this.#push({ text: standard.text, urlSafe: true, wrappable: false, groupPhase: 0 });
          }
          continue;
        }
        if (this.#standard.has(form.text)) continue;
        this.#standard.add(form.text);
        this.#push({
          text: form.text,
          urlSafe: false,
          wrappable: base64,
          groupPhase: base64 ? GROUP_PHASE[form.alignment ?? 0]! : 0,
        });
      }
    }
    return values.length > 0;
  }

  finish(): SecretSet {
    return SecretSet.fromForms(this.#forms, this.#values, this.#bytes);
  }

  #push(form: MaskedForm): void {
    // A form costs its characters (twice for a string with non-Latin-1 characters), its
    // automaton states (at most ANCHOR_LENGTH, about 26 bytes each) and index entries.
    const length = form.text.length;
    this.#bytes +=
      length * (form.urlSafe ? 0 : isOneByte(form.text) ? 1 : 2) +
      Math.min(length, ANCHOR_LENGTH) * 26 +
      (form.wrappable ? Math.ceil(length / 48) * 20 : 0) +
      64;
    if (this.#bytes > this.#maxBytes) throw new MaskingBudgetError(this.#bytes, this.#maxBytes);
    this.#forms.push(form);
  }
}

/** Where the first group boundary falls in the base64 core of each alignment (0, 1, 2 bytes). */
const GROUP_PHASE = [0, 2, 1];

/** The form's characters as they appear in output (base64url read from the standard text). */
export function readAs(form: MaskedForm, start: number, end: number): string {
  const slice = form.text.slice(start, end);
  return form.urlSafe ? slice.replaceAll('+', '-').replaceAll('/', '_') : slice;
}

export function formChar(form: MaskedForm, offset: number): number {
  const code = form.text.charCodeAt(offset);
  if (!form.urlSafe) return code;
  return code === 43 ? 45 : code === 47 ? 95 : code;
}

function isOneByte(text: string): boolean {
  // Sampled: a long value is costed by its first 4,096 characters.
  for (let i = 0; i < Math.min(text.length, 4096); i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}
