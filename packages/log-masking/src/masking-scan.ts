import { PatternAutomaton } from './pattern-automaton.ts';

export const MASK = '***';

/** A run of characters covered by pattern occurrences: [start, end) in the pending text. */
interface CoveredRange {
  start: number;
  end: number;
}

/**
 * The incremental part of masking, shared by whole-text and streaming use. Every character
 * covered by an occurrence of a pattern is masked, overlapping occurrences included; each
 * run of masked characters becomes one `***`, except that line breaks inside it are kept so
 * the output has as many lines as the input. Characters that could still be the start of a
 * pattern are held back until the next text (or `end`) tells whether they are.
 */
export class MaskingScan {
  #automaton: PatternAutomaton | undefined;
  #state = PatternAutomaton.START;
  /** Text read but not passed on yet; only what could still start a pattern. */
  #pending = '';
  /** Sorted, disjoint and not touching; positions in `#pending`. */
  #covered: CoveredRange[] = [];
  /** The last character passed on was masked, with no line break since: one `***` covers on. */
  #maskOpen = false;

  get heldLength(): number {
    return this.#pending.length;
  }

  /** Reads `text` and returns what is now known to be safe to pass on. */
  feed(automaton: PatternAutomaton, text: string): string {
    if (automaton !== this.#automaton) this.#rescan(automaton);
    const buffer = this.#pending + text;
    this.#state = this.#read(automaton, this.#state, buffer, this.#pending.length);
    return this.#release(buffer, buffer.length - automaton.holdLength(this.#state));
  }

  /** Passes on everything held back (the text is over) and starts afresh. */
  end(automaton: PatternAutomaton): string {
    if (automaton !== this.#automaton) this.#rescan(automaton);
    const rest = this.#release(this.#pending, this.#pending.length);
    this.#state = PatternAutomaton.START;
    this.#maskOpen = false;
    return rest;
  }

  /** A new pattern set: find its occurrences in the held-back text. */
  #rescan(automaton: PatternAutomaton): void {
    this.#automaton = automaton;
    const previous = this.#covered;
    this.#covered = [];
    this.#state = this.#read(automaton, PatternAutomaton.START, this.#pending, 0);
    for (const range of previous) this.#coverAnywhere(range);
  }

  /** Runs the automaton over `buffer` from `from`, covering each match; returns the state. */
  #read(automaton: PatternAutomaton, state: number, buffer: string, from: number): number {
    for (let i = from; i < buffer.length; i++) {
      state = automaton.next(state, buffer.charCodeAt(i));
      const length = automaton.matchLength(state);
      if (length > 0) this.#cover(i + 1 - length, i + 1);
    }
    return state;
  }

  /** Adds [start, end) where `end` is at least the end of every range so far. */
  #cover(start: number, end: number): void {
    let last = this.#covered.at(-1);
    while (last !== undefined && last.end >= start) {
      start = Math.min(start, last.start);
      this.#covered.pop();
      last = this.#covered.at(-1);
    }
    this.#covered.push({ start, end });
  }

  #coverAnywhere(range: CoveredRange): void {
    const ranges = [...this.#covered, range].sort((a, b) => a.start - b.start);
    this.#covered = [];
    for (const { start, end } of ranges) {
      const last = this.#covered.at(-1);
      if (last !== undefined && last.end >= start) last.end = Math.max(last.end, end);
      else this.#covered.push({ start, end });
    }
  }

  /** Returns `buffer` up to `until`, masked, and keeps the rest pending. */
  #release(buffer: string, until: number): string {
    let output = '';
    let position = 0;
    const kept: CoveredRange[] = [];
    for (const range of this.#covered) {
      if (range.start >= until) {
        kept.push({ start: range.start - until, end: range.end - until });
        continue;
      }
      if (range.start > position) output += this.#plain(buffer.slice(position, range.start));
      position = Math.min(range.end, until);
      output += this.#masked(buffer.slice(range.start, position));
      if (range.end > until) kept.push({ start: 0, end: range.end - until });
    }
    if (until > position) output += this.#plain(buffer.slice(position, until));
    this.#pending = buffer.slice(until);
    this.#covered = kept;
    return output;
  }

  #plain(text: string): string {
    this.#maskOpen = false;
    return text;
  }

  #masked(text: string): string {
    let output = '';
    for (const char of text) {
      if (char === '\n' || char === '\r') {
        output += char;
        this.#maskOpen = false;
      } else if (!this.#maskOpen) {
        output += MASK;
        this.#maskOpen = true;
      }
    }
    return output;
  }
}
