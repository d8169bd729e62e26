import { CompactAutomaton } from './compact-automaton.ts';
import {
  ANCHOR_LENGTH,
  formChar,
  MAX_CANDIDATES,
  WRAP_ANCHOR_LENGTH,
  type SecretSet,
} from './secret-set.ts';
import { PROBE_LENGTH } from './wrapped-line-index.ts';

export const MASK = '***';

/** A run of characters covered by pattern occurrences: [start, end) in the pending text. */
interface CoveredRange {
  start: number;
  end: number;
}

/** A long form being verified: the text from `start` has agreed with it up to `offset`. */
interface Candidate {
  form: number;
  start: number;
  offset: number;
  /** Masked as it goes (an anchor of a long form, or a wrapped line); else held back until known. */
  covered: boolean;
}

/** Where one set's matching stands. */
interface SetScan {
  state: number;
  candidates: Candidate[];
  /** Base64 forms cut by a line break: the next line goes on at `offset` (pairs form, offset). */
  continuations: number[];
}

/** Line tracking for wrapped base64: where the current line started, and whether it may be one. */
interface LineState {
  /** The next character that is not a line break starts a line. */
  atStart: boolean;
  start: number;
  /** The line so far is base64 characters, fewer than `PROBE_LENGTH` of them. */
  probing: boolean;
}

const isBreak = (code: number) => code === 10 || code === 13;
const isBase64 = (code: number) =>
  (code >= 65 && code <= 90) ||
  (code >= 97 && code <= 122) ||
  (code >= 48 && code <= 57) ||
  code === 43 ||
  code === 47;

/**
 * The incremental part of masking, shared by whole-text and streaming use. Every character
 * covered by an occurrence of a form is masked, overlapping occurrences included; each run
 * of masked characters becomes one `***`, except that line breaks inside it are kept so the
 * output has as many lines as the input. Characters that could still be the start of a
 * secret are held back until the next text (or `end`) tells whether they are.
 */
export class MaskingScan {
  readonly #scans = new Map<SecretSet, SetScan>();
  #line: LineState = { atStart: true, start: 0, probing: false };
  /** Whether the held-back text starts a line (for a set that joins mid-way). */
  #pendingStartsLine = true;
  /** Text read but not passed on yet; only what could still start a secret. */
  #pending = '';
  /** Sorted, disjoint and not touching; positions in `#pending`. */
  #covered: CoveredRange[] = [];
  /** The last character passed on was masked, with no line break since: one `***` covers on. */
  #maskOpen = false;

  get heldLength(): number {
    return this.#pending.length;
  }

  /** Reads `text` and returns what is now known to be safe to pass on. */
  feed(sets: readonly SecretSet[], text: string): string {
    this.#join(sets);
    const buffer = this.#pending + text;
    const scans = sets.map((set) => [set, this.#scans.get(set)!] as const);
    this.#read(scans, this.#line, buffer, this.#pending.length);
    return this.#release(buffer, buffer.length - this.#hold(scans, buffer.length));
  }

  /**
   * Passes on everything held back: the line (`keepLine`: the next text is the next line,
   * and wrapped base64 may go on there) or the whole text is over.
   */
  end(sets: readonly SecretSet[], keepLine = false): string {
    this.#join(sets);
    for (const set of sets) this.#endLine(set, this.#scans.get(set)!, this.#pending.length);
    const rest = this.#release(this.#pending, this.#pending.length);
    for (const scan of this.#scans.values()) {
      scan.state = CompactAutomaton.START;
      scan.candidates = [];
      if (!keepLine) scan.continuations = [];
    }
    this.#line = { atStart: true, start: 0, probing: false };
    this.#pendingStartsLine = true;
    this.#maskOpen = false;
    return rest;
  }

  /** Sets that were not read with yet read the held-back text; sets gone are forgotten. */
  #join(sets: readonly SecretSet[]): void {
    for (const set of this.#scans.keys()) if (!sets.includes(set)) this.#scans.delete(set);
    for (const set of sets) {
      if (this.#scans.has(set)) continue;
      const scan: SetScan = { state: CompactAutomaton.START, candidates: [], continuations: [] };
      this.#scans.set(set, scan);
      const line = { atStart: this.#pendingStartsLine, start: 0, probing: false };
      this.#read([[set, scan]], line, this.#pending, 0);
    }
  }

  #hold(scans: readonly (readonly [SecretSet, SetScan])[], length: number): number {
    let hold = this.#line.probing ? length - this.#line.start : 0;
    for (const [set, scan] of scans) {
      hold = Math.max(hold, set.automaton.holdLength(scan.state));
      for (const candidate of scan.candidates)
        if (!candidate.covered) hold = Math.max(hold, length - candidate.start);
    }
    return hold;
  }

  #read(
    scans: readonly (readonly [SecretSet, SetScan])[],
    line: LineState,
    buffer: string,
    from: number,
  ): void {
    const probe = scans.some(([set]) => set.lineIndex);
    for (let i = from; i < buffer.length; i++) {
      const code = buffer.charCodeAt(i);
      const lineBreak = isBreak(code);
      if (!lineBreak && line.atStart) {
        line.atStart = false;
        line.start = i;
        line.probing = probe;
        for (const [, scan] of scans) this.#continue(scan, i);
      }
      for (const [set, scan] of scans) {
        if (scan.candidates.length > 0) this.#advance(set, scan, code, i, lineBreak);
        scan.state = set.automaton.next(scan.state, code);
        const length = set.automaton.matchLength(scan.state);
        if (length > 0) this.#cover(i + 1 - length, i + 1);
        if (set.automaton.hasAnchor(scan.state))
          set.automaton.forEachAnchor(scan.state, (form, anchorLength) =>
            this.#start(set, scan, form, i + 1 - anchorLength, anchorLength, i + 1),
          );
      }
      if (lineBreak) {
        line.atStart = true;
        line.probing = false;
      } else if (line.probing) {
        if (!isBase64(code)) line.probing = false;
        else if (i + 1 - line.start === PROBE_LENGTH) {
          line.probing = false;
          for (const [set, scan] of scans)
            set.lineIndex?.probe(buffer, line.start, (form, position) =>
              this.#start(set, scan, form, line.start, position + PROBE_LENGTH, i + 1, true),
            );
        }
      }
    }
  }

  /** Starts verifying `form` from `start`, where the text agrees with it up to `offset`. */
  #start(
    set: SecretSet,
    scan: SetScan,
    form: number,
    start: number,
    offset: number,
    end: number,
    known = false,
  ): void {
    if (scan.candidates.some((c) => c.form === form && c.start === start)) return;
    const covered = known || !set.forms[form]!.wrappable || offset >= ANCHOR_LENGTH;
    if (covered) this.#cover(start, end);
    if (offset >= set.forms[form]!.text.length) return;
    if (scan.candidates.length < MAX_CANDIDATES)
      scan.candidates.push({ form, start, offset, covered });
  }

  /** Follows each candidate over one more character. */
  #advance(set: SecretSet, scan: SetScan, code: number, i: number, lineBreak: boolean): void {
    const kept: Candidate[] = [];
    for (const candidate of scan.candidates) {
      const form = set.forms[candidate.form]!;
      if (formChar(form, candidate.offset) === code) {
        candidate.offset++;
        if (!candidate.covered && i + 1 - candidate.start >= ANCHOR_LENGTH)
          candidate.covered = true;
        const complete = candidate.offset === form.text.length;
        if (candidate.covered || complete) this.#cover(candidate.start, i + 1);
        if (!complete) kept.push(candidate);
      } else if (lineBreak) this.#wrap(set, scan, candidate, i);
    }
    scan.candidates = kept;
  }

  /** The line ended while the text agreed with every candidate left. */
  #endLine(set: SecretSet, scan: SetScan, end: number): void {
    for (const candidate of scan.candidates) this.#wrap(set, scan, candidate, end);
    scan.candidates = [];
  }

  /** A base64 form that a line break cut, after enough of it: masked, and may go on. */
  #wrap(set: SecretSet, scan: SetScan, candidate: Candidate, end: number): void {
    const form = set.forms[candidate.form]!;
    if (!form.wrappable) return;
    if (!candidate.covered && end - candidate.start < WRAP_ANCHOR_LENGTH) return;
    if (end > candidate.start) this.#cover(candidate.start, end);
    if (scan.continuations.length < 2 * MAX_CANDIDATES)
      scan.continuations.push(candidate.form, candidate.offset);
  }

  /** A line starts at `i`: the base64 forms cut at the end of the previous one may go on. */
  #continue(scan: SetScan, i: number): void {
    const pairs = scan.continuations;
    scan.continuations = [];
    for (let k = 0; k < pairs.length; k += 2)
      if (scan.candidates.length < MAX_CANDIDATES)
        scan.candidates.push({ form: pairs[k]!, start: i, offset: pairs[k + 1]!, covered: true });
  }

  /** Adds [start, end), where `end` reaches at least the start of every range so far. */
  #cover(start: number, end: number): void {
    let last = this.#covered.at(-1);
    while (last !== undefined && last.end >= start) {
      start = Math.min(start, last.start);
      end = Math.max(end, last.end);
      this.#covered.pop();
      last = this.#covered.at(-1);
    }
    this.#covered.push({ start, end });
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
    if (until > 0) {
      this.#pendingStartsLine = isBreak(buffer.charCodeAt(until - 1));
      this.#line.start -= until;
      for (const scan of this.#scans.values())
        for (const candidate of scan.candidates)
          candidate.start = Math.max(0, candidate.start - until);
    }
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
