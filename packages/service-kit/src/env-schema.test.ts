import { ConfigError, env, parseEnv } from './env-schema.ts';
import { isPlaceholder } from './placeholders.ts';

const spec = {
  PORT: env.port({ default: 3000, description: 'listen port' }),
  MODE: env.oneOf(['a', 'b'], { description: 'mode' }),
  URL: env.url({ protocols: ['postgres:'], optional: true, description: 'db', secret: true }),
  KEY: env.string({ minLength: 32, description: 'key', secret: true }),
  DEBUG: env.boolean({ default: false, description: 'debug' }),
};

function problemsOf(source: Record<string, string>): string[] {
  try {
    parseEnv(spec, source);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseEnv', () => {
  it('applies defaults and parses types', () => {
    const parsed = parseEnv(spec, { MODE: 'b', KEY: 'k'.repeat(32), DEBUG: 'yes' });
    expect(parsed).toEqual({
      PORT: 3000,
      MODE: 'b',
      URL: undefined,
      KEY: 'k'.repeat(32),
      DEBUG: true,
    });
  });

  it('reports every problem at once, each with the variable and what is expected', () => {
    const problems = problemsOf({ PORT: '70000', URL: 'mysql://x', KEY: 'short', DEBUG: 'maybe' });
    expect(problems).toHaveLength(5);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT is invalid: expected an integer from 1 to 65535, got "70000"/),
        expect.stringMatching(/^MODE is required: expected one of a, b/),
        expect.stringMatching(
          /^URL is invalid: expected a URL starting with postgres:\/\/, got \[redacted\]/,
        ),
        expect.stringMatching(
          /^KEY is invalid: expected a string of at least 32 characters, got \[redacted\]/,
        ),
        expect.stringMatching(/^DEBUG is invalid: expected true or false/),
      ]),
    );
  });

  it('never echoes a secret value in an error', () => {
    const problems = problemsOf({ MODE: 'a', KEY: 'hunter2-is-not-long-enough' });
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('rejects placeholder values by name', () => {
    const problems = problemsOf({ MODE: 'a', KEY: '__REPLACE_WITH_A_RANDOM_KEY__' });
    expect(problems).toEqual([
      'KEY holds a placeholder value; set it to a string of at least 32 characters',
    ]);
    expect(problemsOf({ MODE: 'a', KEY: 'changeme' })[0]).toMatch(/placeholder/);
  });

  it('error message lists the problems one per line', () => {
    expect(() => parseEnv(spec, {})).toThrow(
      /Invalid configuration \(2 problems\):\n {2}- MODE is required/,
    );
  });
});

describe('isPlaceholder', () => {
  it.each([
    '__REPLACE_WITH_SECRET__',
    'changeme',
    'CHANGE_ME',
    '<your key>',
    '${SECRET}',
    'your-secret-here',
    'xxxx',
    'TODO',
  ])('flags %s', (value) => expect(isPlaceholder(value)).toBe(true));
  it.each(['0123456789abcdef0123456789abcdef', 'postgres://db/cronium', 'production'])(
    'accepts %s',
    (value) => expect(isPlaceholder(value)).toBe(false),
  );
});
