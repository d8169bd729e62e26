/**
 * Aho-Corasick automaton over UTF-16 code units: one pass over a text finds every occurrence
 * of every pattern, overlapping ones included, in time linear in the text whatever the number
 * of patterns. A state stands for the longest suffix of the text read so far that is a prefix
 * of some pattern; states are numbered, 0 being the empty prefix.
 */
export class PatternAutomaton {
  static readonly START = 0;

  /** Length of the longest pattern; 0 when there are none. */
  readonly longestPattern: number;
  readonly patternCount: number;

  readonly #children: Map<number, number>[] = [new Map()];
  readonly #fallback: number[] = [0];
  readonly #depth: number[] = [0];
  readonly #matchLength: number[] = [0];
  readonly #holdLength: number[] = [0];

  constructor(patterns: Iterable<string>) {
    let longest = 0;
    let count = 0;
    for (const pattern of new Set(patterns)) {
      if (pattern.length === 0) continue;
      this.#insert(pattern);
      longest = Math.max(longest, pattern.length);
      count++;
    }
    this.longestPattern = longest;
    this.patternCount = count;
    this.#link();
  }

  /** The state after reading `code` in `state`. */
  next(state: number, code: number): number {
    for (;;) {
      const target = this.#children[state]!.get(code);
      if (target !== undefined) return target;
      if (state === PatternAutomaton.START) return PatternAutomaton.START;
      state = this.#fallback[state]!;
    }
  }

  /** Length of the longest pattern ending at this state, 0 if none does. */
  matchLength(state: number): number {
    return this.#matchLength[state]!;
  }

  /**
   * How many of the last characters read could still become the start of a pattern: the
   * longest suffix that is a proper prefix of some pattern. Always below `longestPattern`.
   */
  holdLength(state: number): number {
    return this.#holdLength[state]!;
  }

  #insert(pattern: string): void {
    let state = PatternAutomaton.START;
    for (let i = 0; i < pattern.length; i++) {
      const code = pattern.charCodeAt(i);
      let target = this.#children[state]!.get(code);
      if (target === undefined) {
        target = this.#children.length;
        this.#children.push(new Map());
        this.#fallback.push(0);
        this.#depth.push(i + 1);
        this.#matchLength.push(0);
        this.#holdLength.push(0);
        this.#children[state]!.set(code, target);
      }
      state = target;
    }
    this.#matchLength[state] = pattern.length;
  }

  /** Fallback links and per-state summaries, breadth first so shallower states are done first. */
  #link(): void {
    const queue = [PatternAutomaton.START];
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      const fallback = this.#fallback[state]!;
      if (state !== PatternAutomaton.START) {
        this.#matchLength[state] ||= this.#matchLength[fallback]!;
      }
      this.#holdLength[state] =
        this.#children[state]!.size > 0 ? this.#depth[state]! : this.#holdLength[fallback]!;
      for (const [code, child] of this.#children[state]!) {
        this.#fallback[child] =
          state === PatternAutomaton.START ? PatternAutomaton.START : this.next(fallback, code);
        queue.push(child);
      }
    }
  }
}
