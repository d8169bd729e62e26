/**
 * Finds lines of wrapped base64 (GNU `base64` at 76 columns, PEM at 64, MIME at 76) that
 * are a slice of a secret's base64 form. Such a line starts at a 4-character group of the
 * encoded data, so it is a slice of the form starting at a group boundary of the form. The
 * index keeps the `KEY_LENGTH` characters at every `STRIDE`-th group boundary; a line is
 * looked up by its characters at offsets 0, 4, ... `PROBE_LENGTH - KEY_LENGTH`, which meets
 * an indexed key in any line of at least `PROBE_LENGTH` characters taken from the form.
 * Shorter last lines are left to the continuation of the line before (see `masking-scan.ts`).
 */
export const PROBE_LENGTH = 60;
const KEY_LENGTH = 16;
const STRIDE = 48;
/** The same key at more positions than this (a repetitive secret) is indexed this many times. */
const MAX_SAME_KEY = 4;

export interface IndexedForm {
  readonly text: string;
  /** First position in `text` that is a group boundary of the encoded data (0 to 3). */
  readonly groupPhase: number;
}

export class WrappedLineIndex {
  readonly #forms: readonly IndexedForm[];
  readonly #heads: Int32Array;
  readonly #next: Int32Array;
  readonly #form: Int32Array;
  readonly #position: Int32Array;
  #size = 0;

  /** `forms[i]` is indexed under id `i` when `indexed(i)`. */
  constructor(forms: readonly IndexedForm[], indexed: (id: number) => boolean) {
    this.#forms = forms;
    let capacity = 0;
    forms.forEach((form, id) => {
      if (indexed(id) && form.text.length >= PROBE_LENGTH)
        capacity += Math.floor((form.text.length - KEY_LENGTH - form.groupPhase) / STRIDE) + 1;
    });
    let buckets = 16;
    while (buckets < capacity * 2) buckets *= 2;
    this.#heads = new Int32Array(buckets).fill(-1);
    this.#next = new Int32Array(capacity);
    this.#form = new Int32Array(capacity);
    this.#position = new Int32Array(capacity);
    forms.forEach((form, id) => {
      if (!indexed(id) || form.text.length < PROBE_LENGTH) return;
      for (let q = form.groupPhase; q + KEY_LENGTH <= form.text.length; q += STRIDE)
        this.#insert(id, q);
    });
  }

  get entryCount(): number {
    return this.#size;
  }

  get byteSize(): number {
    return this.#heads.byteLength + 3 * this.#next.byteLength;
  }

  /**
   * Calls `found(form, position)` for every form of which `line` (its first `PROBE_LENGTH`
   * characters, all read) is the slice starting at `position`, a group boundary.
   */
  probe(line: string, from: number, found: (form: number, position: number) => void): void {
    for (let offset = 0; offset + KEY_LENGTH <= PROBE_LENGTH; offset += 4) {
      const bucket = hash(line, from + offset) & (this.#heads.length - 1);
      for (let e = this.#heads[bucket]!; e >= 0; e = this.#next[e]!) {
        const form = this.#forms[this.#form[e]!]!;
        const start = this.#position[e]! - offset;
        if (start < 0 || start + PROBE_LENGTH > form.text.length) continue;
        if (sameSlice(line, from, form.text, start, PROBE_LENGTH)) found(this.#form[e]!, start);
      }
    }
  }

  #insert(form: number, position: number): void {
    const text = this.#forms[form]!.text;
    const bucket = hash(text, position) & (this.#heads.length - 1);
    let same = 0;
    for (let e = this.#heads[bucket]!; e >= 0; e = this.#next[e]!) {
      const other = this.#forms[this.#form[e]!]!.text;
      if (
        sameSlice(text, position, other, this.#position[e]!, KEY_LENGTH) &&
        ++same >= MAX_SAME_KEY
      )
        return;
    }
    const entry = this.#size++;
    this.#form[entry] = form;
    this.#position[entry] = position;
    this.#next[entry] = this.#heads[bucket]!;
    this.#heads[bucket] = entry;
  }
}

function hash(text: string, from: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < from + KEY_LENGTH; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function sameSlice(a: string, aFrom: number, b: string, bFrom: number, length: number): boolean {
  for (let i = 0; i < length; i++)
    if (a.charCodeAt(aFrom + i) !== b.charCodeAt(bFrom + i)) return false;
  return true;
}
