import { MIN_SECRET_LENGTH, secretValues } from './secret-values.ts';

describe('secretValues', () => {
  it('keeps a single-line secret as is', () => {
    expect(secretValues('hunter2-password')).toEqual(['hunter2-password']);
  });

  it('trims surrounding whitespace, as from a file read with its newline', () => {
    expect(secretValues('  api-token-123\n')).toEqual(['api-token-123']);
  });

  it('adds each line of a multi-line secret that is long enough on its own', () => {
    const pem = '-----BEGIN KEY-----\r\nMIIBOgIBAAJBAKj34\r\nab\r\n-----END KEY-----';
    expect(secretValues(pem)).toEqual([
      pem,
      '-----BEGIN KEY-----',
      'MIIBOgIBAAJBAKj34',
      '-----END KEY-----',
    ]);
  });

  it(`drops values shorter than ${MIN_SECRET_LENGTH} characters`, () => {
    expect(secretValues('abcde')).toEqual([]);
    expect(secretValues('abcdef')).toEqual(['abcdef']);
    expect(secretValues('      x     ')).toEqual([]);
  });

  it('takes another minimum length', () => {
    expect(secretValues('abc', 3)).toEqual(['abc']);
    expect(secretValues('abcdefgh', 10)).toEqual([]);
  });

  it('counts characters, not UTF-16 code units', () => {
    expect(secretValues('🔑🔑🔑🔑🔑')).toEqual([]);
    expect(secretValues('🔑🔑🔑🔑🔑🔑')).toEqual(['🔑🔑🔑🔑🔑🔑']);
  });
});
