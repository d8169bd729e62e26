import { MASK } from './masking-scan.ts';
import { SecretMasker } from './secret-masker.ts';
import { ENCODING_NAMES, ENCODINGS } from './testing/encodings.ts';
import { revealsValue } from './testing/reveals-value.ts';

const SECRET = 'S3cr3t p@ss/wörd+"ok"?';

describe('SecretMasker.maskLine', () => {
  const masker = new SecretMasker([SECRET]);

  // Prefixes of 0, 1, 2, 3, 4 and 5 bytes: the secret at every alignment within a base64
  // group, and text around it that the character-wise encodings keep.
  const prefixes = ['', 'a', 'é', 'abc', 'ab\u00e9', 'user:'];
  describe.each(ENCODING_NAMES)('%s', (name) => {
    const encode = ENCODINGS[name];
    it.each(prefixes)('masks the secret after %j', (prefix) => {
      const line = `before ${encode(`${prefix}${SECRET} tail`)} after`;
      const masked = masker.maskLine(line);
      expect(revealsValue(line, SECRET)).toBe(true);
      expect(revealsValue(masked, SECRET)).toBe(false);
      expect(masked).toMatch(/^before .*\*\*\*.* after$/);
      if (!name.startsWith('base64') && name !== 'url-strict')
        // '*' is kept by these character-wise encodings, so the rest of the text survives.
        expect(masked).toBe(`before ${encode(`${prefix}${MASK} tail`)} after`);
    });
  });

  it('masks every occurrence', () => {
    expect(masker.maskLine(`${SECRET}|${SECRET}|${SECRET}`)).toBe('***|***|***');
  });

  it('leaves text without secrets unchanged', () => {
    const line = 'INFO connected to db as S3cr3t p@ss (prefix only) at 12:00';
    expect(masker.maskLine(line)).toBe(line);
    expect(new SecretMasker().maskLine(line)).toBe(line);
  });

  it('masks the union of overlapping secrets', () => {
    const overlapping = new SecretMasker(['abcdefgh', 'fghijklm']);
    expect(overlapping.maskLine('xx abcdefghijklm yy')).toBe('xx *** yy');
    expect(overlapping.maskLine('xx fghijklmabcdefgh yy')).toBe('xx *** yy');
  });

  it('masks a secret contained in another one', () => {
    const nested = new SecretMasker(['password123', 'word12']);
    expect(nested.maskLine('a password123 b word12 c')).toBe('a *** b *** c');
  });

  it('writes one mask for secrets side by side', () => {
    const twoSecrets = new SecretMasker(['first-secret', 'second-secret']);
    expect(twoSecrets.maskLine('[first-secretsecond-secret]')).toBe('[***]');
  });

  it('masks multi-byte secrets in every form', () => {
    const unicode = new SecretMasker(['пароль-🔑-秘密']);
    for (const name of ENCODING_NAMES) {
      const line = ENCODINGS[name]('key=пароль-🔑-秘密;');
      expect(revealsValue(unicode.maskLine(line), 'пароль-🔑-秘密')).toBe(false);
    }
  });

  it('keeps line breaks inside masked text', () => {
    const multiLine = new SecretMasker(['first-line\nsecond-line']);
    expect(multiLine.maskLine('a first-line\nsecond-line b')).toBe('a ***\n*** b');
  });
});

describe('SecretMasker minimum length', () => {
  it('does not mask values shorter than 6 characters by default', () => {
    const masker = new SecretMasker();
    expect(masker.add('12345')).toBe(false);
    expect(masker.maskLine('pin 12345')).toBe('pin 12345');
    expect(masker.add('123456')).toBe(true);
    expect(masker.maskLine('pin 123456')).toBe('pin ***');
  });

  it('takes another minimum length', () => {
    const masker = new SecretMasker(['abc'], { minLength: 3 });
    expect(masker.maskLine('x abc y')).toBe('x *** y');
  });

  it('rejects a minimum length that is not a positive integer', () => {
    expect(() => new SecretMasker([], { minLength: 0 })).toThrow(RangeError);
    expect(() => new SecretMasker([], { minLength: 2.5 })).toThrow(RangeError);
  });
});

describe('SecretMasker multi-line secrets', () => {
  const pem = [
    '-----BEGIN PRIVATE KEY-----',
    'MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEAq1',
    'x9',
    '-----END PRIVATE KEY-----',
  ].join('\n');
  const masker = new SecretMasker([pem]);

  it('masks each line of the secret on its own', () => {
    const lines = `key:\n${pem}\ndone`.split('\n').map((line) => masker.maskLine(line));
    expect(lines).toEqual(['key:', '***', '***', 'x9', '***', 'done']);
  });

  it('leaves a line shorter than the minimum length alone', () => {
    expect(masker.maskLine('x9')).toBe('x9');
  });

  it('masks the whole secret JSON-escaped or base64-encoded on one line', () => {
    for (const line of [JSON.stringify({ key: pem }), Buffer.from(pem).toString('base64')])
      expect(revealsValue(masker.maskLine(line), 'x9\n-----END')).toBe(false);
  });
});

describe('SecretMasker.add', () => {
  it('masks a secret from the moment it is added', () => {
    const masker = new SecretMasker(['first-token']);
    const line = 'first-token then minted-later-token';
    expect(masker.maskLine(line)).toBe('*** then minted-later-token');
    masker.add('minted-later-token');
    expect(masker.maskLine(line)).toBe('*** then ***');
  });

  it('trims the secret, so a value read with its newline is masked', () => {
    const masker = new SecretMasker(['  api-key-value\n']);
    expect(masker.maskLine('key= api-key-value.')).toBe('key= ***.');
  });
});
