/** How deep a JSON value from a client may nest (objects and arrays). */
export const MAX_JSON_DEPTH = 64;

/**
 * What PostgreSQL cannot store, or a recursive reader cannot walk, in a JSON value from a
 * client: a U+0000 in a string or a key (text and jsonb cannot hold it), or nesting deeper
 * than MAX_JSON_DEPTH. Iterative, so a value nested a million levels deep is answered, not a
 * stack overflow (review L8). The pointer is relative to the value.
 */
export function jsonProblem(value: unknown): { pointer: string; message: string } | undefined {
  const stack: { value: unknown; pointer: string; depth: number }[] = [
    { value, pointer: '', depth: 0 },
  ];
  while (stack.length > 0) {
    const { value: current, pointer, depth } = stack.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\0')) return { pointer, message: 'no NUL characters (\\u0000)' };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH)
      return { pointer, message: `nested more than ${MAX_JSON_DEPTH} levels deep` };
    for (const [key, item] of Object.entries(current)) {
      const at = `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      if (key.includes('\0')) return { pointer: at, message: 'no NUL characters (\\u0000)' };
      stack.push({ value: item, pointer: at, depth: depth + 1 });
    }
  }
  return undefined;
}
