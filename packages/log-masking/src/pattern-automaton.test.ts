import { PatternAutomaton } from './pattern-automaton.ts';

/** Every (end, length) of the longest pattern ending at each position of `text`. */
function matches(automaton: PatternAutomaton, text: string): [number, number][] {
  const found: [number, number][] = [];
  let state = PatternAutomaton.START;
  for (let i = 0; i < text.length; i++) {
    state = automaton.next(state, text.charCodeAt(i));
    const length = automaton.matchLength(state);
    if (length > 0) found.push([i + 1, length]);
  }
  return found;
}

function stateAfter(automaton: PatternAutomaton, text: string): number {
  let state = PatternAutomaton.START;
  for (let i = 0; i < text.length; i++) state = automaton.next(state, text.charCodeAt(i));
  return state;
}

describe('PatternAutomaton', () => {
  it('finds overlapping and nested occurrences in one pass', () => {
    const automaton = new PatternAutomaton(['abcd', 'cdef', 'bc']);
    expect(matches(automaton, 'xabcdefx')).toEqual([
      [4, 2], // bc
      [5, 4], // abcd
      [7, 4], // cdef
    ]);
  });

  it('reports the longest pattern ending at a position', () => {
    const automaton = new PatternAutomaton(['word', 'password', 'ord']);
    expect(matches(automaton, 'my password')).toEqual([[11, 8]]);
  });

  it('finds repeated occurrences of a self-overlapping pattern', () => {
    expect(matches(new PatternAutomaton(['aa']), 'aaaa')).toEqual([
      [2, 2],
      [3, 2],
      [4, 2],
    ]);
  });

  it('matches UTF-16 code units, surrogate pairs included', () => {
    const automaton = new PatternAutomaton(['🔑ключ']);
    expect(matches(automaton, 'a 🔑ключ b')).toEqual([[8, 6]]);
  });

  it('holds back the longest suffix that could still grow into a pattern', () => {
    const automaton = new PatternAutomaton(['secret', 'token-42']);
    expect(automaton.holdLength(stateAfter(automaton, 'my sec'))).toBe(3);
    expect(automaton.holdLength(stateAfter(automaton, 'my token-4'))).toBe(7);
    expect(automaton.holdLength(stateAfter(automaton, 'my secret!'))).toBe(0);
    // The final 't' of 'secret' could start 'token-42'.
    expect(automaton.holdLength(stateAfter(automaton, 'my secret'))).toBe(1);
    expect(automaton.holdLength(stateAfter(automaton, 'token-4secre'))).toBe(5);
  });

  it('never holds back a whole pattern', () => {
    const automaton = new PatternAutomaton(['abab', 'ab']);
    expect(automaton.longestPattern).toBe(4);
    expect(automaton.holdLength(stateAfter(automaton, 'abab'))).toBe(2);
  });

  it('ignores empty and repeated patterns', () => {
    const automaton = new PatternAutomaton(['', 'abc', 'abc']);
    expect(automaton.patternCount).toBe(1);
    expect(automaton.longestPattern).toBe(3);
  });

  it('matches nothing and holds nothing without patterns', () => {
    const automaton = new PatternAutomaton([]);
    expect(matches(automaton, 'anything')).toEqual([]);
    expect(automaton.holdLength(stateAfter(automaton, 'anything'))).toBe(0);
    expect(automaton.longestPattern).toBe(0);
  });
});
