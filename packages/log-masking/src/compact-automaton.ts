/**
 * Aho-Corasick automaton over UTF-16 code units, stored in typed arrays: about 25 bytes a
 * state, built in time linear in the patterns' total length (times the log of a state's
 * number of children). Patterns are short here (`ANCHOR_LENGTH` at most, see `secret-set.ts`),
 * so a state stands for a short prefix; long secrets are matched by their anchor and then
 * verified, not by one state per character.
 *
 * Each pattern is either exact (masked where it occurs as a whole) or an anchor (where it
 * occurs, the caller starts verifying the long forms it begins; `anchoredForms`).
 */
export class CompactAutomaton {
  static readonly START = 0;

  readonly stateCount: number;
  /** Length of the longest pattern; 0 when there are none. */
  readonly longestPattern: number;

  readonly #rootChild = new Int32Array(65_536).fill(-1);
  readonly #childStart: Int32Array;
  readonly #childCode: Uint16Array;
  readonly #childTarget: Int32Array;
  readonly #fallback: Int32Array;
  readonly #matchLength: Uint16Array;
  readonly #holdLength: Uint16Array;
  /** Nearest state on the fallback chain (itself included) where an anchor ends; -1 if none. */
  readonly #anchorLink: Int32Array;
  readonly #anchorFormsStart: Int32Array;
  readonly #anchorForms: Int32Array;
  readonly #depth: Uint16Array;

  /**
   * @param patterns exact patterns (`forms` empty) and anchors (with the ids of the forms
   * they start); the same text may be both.
   */
  constructor(patterns: Map<string, { exact: boolean; forms: number[] }>) {
    const texts = [...patterns.keys()].filter((text) => text.length > 0).sort(compareCodeUnits);
    let capacity = 1;
    for (const text of texts) capacity += text.length;
    const parent = new Int32Array(capacity);
    const code = new Uint16Array(capacity);
    const depth = new Uint16Array(capacity);
    const exactEnd = new Uint8Array(capacity);
    const anchorEnd = new Int32Array(capacity).fill(-1);
    // Sorted patterns share with the trie built so far exactly their common prefix with the
    // previous pattern, so no child lookup is needed while building.
    const path = [CompactAutomaton.START];
    let previous = '';
    let count = 1;
    let longest = 0;
    texts.forEach((text, index) => {
      let common = 0;
      const limit = Math.min(previous.length, text.length);
      while (common < limit && previous.charCodeAt(common) === text.charCodeAt(common)) common++;
      for (let d = common; d < text.length; d++) {
        parent[count] = path[d]!;
        code[count] = text.charCodeAt(d);
        depth[count] = d + 1;
        path[d + 1] = count++;
      }
      const end = path[text.length]!;
      const entry = patterns.get(text)!;
      if (entry.exact) exactEnd[end] = 1;
      if (entry.forms.length > 0) anchorEnd[end] = index;
      longest = Math.max(longest, text.length);
      previous = text;
    });
    this.stateCount = count;
    this.longestPattern = longest;
    this.#depth = depth.slice(0, count);

    // Children in CSR form; created in increasing code order per parent (sorted patterns).
    this.#childStart = new Int32Array(count + 1);
    for (let s = 1; s < count; s++) this.#childStart[parent[s]! + 1]!++;
    for (let s = 0; s < count; s++) this.#childStart[s + 1]! += this.#childStart[s]!;
    this.#childCode = new Uint16Array(Math.max(0, count - 1));
    this.#childTarget = new Int32Array(Math.max(0, count - 1));
    const fill = this.#childStart.slice(0, count);
    for (let s = 1; s < count; s++) {
      const slot = fill[parent[s]!]!++;
      this.#childCode[slot] = code[s]!;
      this.#childTarget[slot] = s;
      if (parent[s] === CompactAutomaton.START) this.#rootChild[code[s]!] = s;
    }

    // Anchor form lists in CSR form, indexed by state.
    this.#anchorFormsStart = new Int32Array(count + 1);
    for (let s = 0; s < count; s++) {
      const index = anchorEnd[s]!;
      const length = index >= 0 ? patterns.get(texts[index]!)!.forms.length : 0;
      this.#anchorFormsStart[s + 1] = this.#anchorFormsStart[s]! + length;
    }
    this.#anchorForms = new Int32Array(this.#anchorFormsStart[count]!);
    for (let s = 0; s < count; s++)
      if (anchorEnd[s]! >= 0)
        this.#anchorForms.set(
          patterns.get(texts[anchorEnd[s]!]!)!.forms,
          this.#anchorFormsStart[s]!,
        );

    // Fallbacks and summaries, shallower states first.
    this.#fallback = new Int32Array(count);
    this.#matchLength = new Uint16Array(count);
    this.#holdLength = new Uint16Array(count);
    this.#anchorLink = new Int32Array(count).fill(-1);
    for (const s of statesByDepth(this.#depth, longest)) {
      const fallback =
        s === CompactAutomaton.START || parent[s] === CompactAutomaton.START
          ? CompactAutomaton.START
          : this.next(this.#fallback[parent[s]!]!, code[s]!);
      this.#fallback[s] = fallback;
      const own = s !== CompactAutomaton.START;
      this.#matchLength[s] = exactEnd[s] ? depth[s]! : own ? this.#matchLength[fallback]! : 0;
      this.#holdLength[s] =
        this.#childStart[s + 1]! > this.#childStart[s]!
          ? depth[s]!
          : own
            ? this.#holdLength[fallback]!
            : 0;
      this.#anchorLink[s] = anchorEnd[s]! >= 0 ? s : own ? this.#anchorLink[fallback]! : -1;
    }
  }

  /** The state after reading `code` in `state`. */
  next(state: number, code: number): number {
    for (;;) {
      if (state === CompactAutomaton.START) {
        const target = this.#rootChild[code]!;
        return target < 0 ? CompactAutomaton.START : target;
      }
      let low = this.#childStart[state]!;
      let high = this.#childStart[state + 1]! - 1;
      while (low <= high) {
        const middle = (low + high) >>> 1;
        const found = this.#childCode[middle]!;
        if (found === code) return this.#childTarget[middle]!;
        if (found < code) low = middle + 1;
        else high = middle - 1;
      }
      state = this.#fallback[state]!;
    }
  }

  /** Length of the longest exact pattern ending at this state, 0 if none does. */
  matchLength(state: number): number {
    return this.#matchLength[state]!;
  }

  /** How many of the last characters read could still start a pattern (below `longestPattern`). */
  holdLength(state: number): number {
    return this.#holdLength[state]!;
  }

  /** Whether an anchor ends at this state (then see `forEachAnchor`). */
  hasAnchor(state: number): boolean {
    return this.#anchorLink[state]! >= 0;
  }

  /**
   * Calls `visit(form, anchorLength)` for every anchor ending at this state, that is for every
   * long form whose anchor the text read so far ends with.
   */
  forEachAnchor(state: number, visit: (form: number, anchorLength: number) => void): void {
    for (let s = this.#anchorLink[state]!; s >= 0; s = this.#anchorLink[this.#fallback[s]!]!) {
      for (let i = this.#anchorFormsStart[s]!; i < this.#anchorFormsStart[s + 1]!; i++)
        visit(this.#anchorForms[i]!, this.#depth[s]!);
      if (s === CompactAutomaton.START) break;
    }
  }

  /** Bytes held by the typed arrays. */
  get byteSize(): number {
    return (
      this.#rootChild.byteLength +
      this.#childStart.byteLength +
      this.#childCode.byteLength +
      this.#childTarget.byteLength +
      this.#fallback.byteLength +
      this.#matchLength.byteLength +
      this.#holdLength.byteLength +
      this.#anchorLink.byteLength +
      this.#anchorFormsStart.byteLength +
      this.#anchorForms.byteLength +
      this.#depth.byteLength
    );
  }
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** States ordered by depth (a counting sort), so every fallback is computed before it is used. */
function statesByDepth(depth: Uint16Array, maxDepth: number): Int32Array {
  const start = new Int32Array(maxDepth + 2);
  for (const d of depth) start[d + 1]!++;
  for (let d = 0; d <= maxDepth; d++) start[d + 1]! += start[d]!;
  const order = new Int32Array(depth.length);
  for (let s = 0; s < depth.length; s++) order[start[depth[s]!]!++] = s;
  return order;
}
