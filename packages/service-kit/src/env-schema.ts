// A small declarative schema for environment variables: every variable names its type,
// default and meaning, and `parseEnv` reports every problem at once before anything starts.
import { isPlaceholder } from './placeholders.ts';

export type FieldResult<T> = { ok: true; value: T } | { ok: false; expected: string };

export interface EnvField<T> {
  /** What a valid value looks like, for error messages and docs. */
  expected: string;
  description: string;
  secret: boolean;
  /** Parses a present, non-empty raw value. */
  parse(raw: string): FieldResult<T>;
  /** Value when unset; `undefined` for optional fields; `required` when it must be given. */
  fallback: { kind: 'default'; value: T } | { kind: 'optional' } | { kind: 'required' };
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Fallback<T> = EnvField<T>['fallback'];

function field<T>(
  expected: string,
  parse: (raw: string) => FieldResult<T>,
  fallback: Fallback<T>,
  description: string,
  secret = false,
): EnvField<T> {
  return { expected, parse, fallback, description, secret };
}

interface FieldOptions<T> {
  description: string;
  default?: T;
  optional?: boolean;
  secret?: boolean;
}

function fallbackOf<T>(options: FieldOptions<T>): Fallback<T> {
  if (options.default !== undefined) return { kind: 'default', value: options.default };
  return options.optional ? { kind: 'optional' } : { kind: 'required' };
}

export const env = {
  string(
    options: FieldOptions<string> & {
      minLength?: number;
      /** A RegExp, or any check of the whole value. */
      pattern?: { test(value: string): boolean };
      patternHint?: string;
    },
  ) {
    const min = options.minLength ?? 1;
    const expected =
      options.patternHint ?? (min > 1 ? `a string of at least ${min} characters` : 'a string');
    return field<string>(
      expected,
      (raw) =>
        raw.length >= min && (!options.pattern || options.pattern.test(raw))
          ? { ok: true, value: raw }
          : { ok: false, expected },
      fallbackOf(options),
      options.description,
      options.secret,
    );
  },
  integer(options: FieldOptions<number> & { min?: number; max?: number }) {
    const min = options.min ?? Number.MIN_SAFE_INTEGER;
    const max = options.max ?? Number.MAX_SAFE_INTEGER;
    const expected = `an integer from ${min} to ${max}`;
    return field<number>(
      expected,
      (raw) => {
        if (!/^-?\d+$/.test(raw)) return { ok: false, expected };
        const value = Number(raw);
        return value >= min && value <= max ? { ok: true, value } : { ok: false, expected };
      },
      fallbackOf(options),
      options.description,
    );
  },
  port(options: FieldOptions<number>) {
    return env.integer({ ...options, min: 1, max: 65535 });
  },
  boolean(options: FieldOptions<boolean>) {
    const expected = 'true or false';
    return field<boolean>(
      expected,
      (raw) => {
        const v = raw.toLowerCase();
        if (['true', '1', 'yes'].includes(v)) return { ok: true, value: true };
        if (['false', '0', 'no'].includes(v)) return { ok: true, value: false };
        return { ok: false, expected };
      },
      fallbackOf(options),
      options.description,
    );
  },
  oneOf<const T extends string>(values: readonly T[], options: FieldOptions<T>) {
    const expected = `one of ${values.join(', ')}`;
    return field<T>(
      expected,
      (raw) =>
        (values as readonly string[]).includes(raw)
          ? { ok: true, value: raw as T }
          : { ok: false, expected },
      fallbackOf(options),
      options.description,
    );
  },
  url(options: FieldOptions<string> & { protocols: string[] }) {
    const expected = `a URL starting with ${options.protocols.map((p) => `${p}//`).join(' or ')}`;
    return field<string>(
      expected,
      (raw) => {
        try {
          const url = new URL(raw);
          return options.protocols.includes(url.protocol)
            ? { ok: true, value: raw }
            : { ok: false, expected };
        } catch {
          return { ok: false, expected };
        }
      },
      fallbackOf(options),
      options.description,
      options.secret,
    );
  },
};

export type EnvSpec = Record<string, EnvField<unknown>>;

type ValueOf<F> =
  F extends EnvField<infer T>
    ? F['fallback'] extends { kind: 'optional' }
      ? T | undefined
      : T
    : never;

export type ParsedEnv<S extends EnvSpec> = { [K in keyof S]: ValueOf<S[K]> };

/**
 * Parses `source` against `spec`. Collects every problem (missing, malformed, placeholder)
 * and throws one `ConfigError` listing them all, each with the variable name and what is expected.
 */
export function parseEnv<S extends EnvSpec>(
  spec: S,
  source: Record<string, string | undefined>,
): ParsedEnv<S> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(spec)) {
    const raw = source[name];
    if (raw === undefined || raw.trim() === '') {
      if (f.fallback.kind === 'default') out[name] = f.fallback.value;
      else if (f.fallback.kind === 'optional') out[name] = undefined;
      else problems.push(`${name} is required: expected ${f.expected} (${f.description})`);
      continue;
    }
    if (isPlaceholder(raw)) {
      problems.push(`${name} holds a placeholder value; set it to ${f.expected}`);
      continue;
    }
    const result = f.parse(raw.trim());
    if (result.ok) out[name] = result.value;
    else
      problems.push(
        `${name} is invalid: expected ${result.expected}, got ${f.secret ? '[redacted]' : JSON.stringify(raw)}`,
      );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as ParsedEnv<S>;
}

/** For docs and `--help`: every variable with its meaning and default. */
export function describeEnv(
  spec: EnvSpec,
): { name: string; expected: string; description: string; default?: string }[] {
  return Object.entries(spec).map(([name, f]) => ({
    name,
    expected: f.expected,
    description: f.description,
    ...(f.fallback.kind === 'default' ? { default: String(f.fallback.value) } : {}),
  }));
}
