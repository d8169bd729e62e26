import { SecretMasker } from './secret-masker.ts';
import { StreamMasker } from './stream-masker.ts';
import { ENCODING_NAMES, ENCODINGS } from './testing/encodings.ts';
import { revealsValue } from './testing/reveals-value.ts';

const SECRET = 'S3cr3t p@ss/wörd+"ok"?';

function maskInChunks(stream: StreamMasker, chunks: string[]): string {
  return chunks.map((chunk) => stream.push(chunk)).join('') + stream.flush();
}

describe('StreamMasker', () => {
  const masker = new SecretMasker([SECRET]);

  describe.each(ENCODING_NAMES)('%s, split in two', (name) => {
    const text = `start ${ENCODINGS[name](`ab${SECRET}!`)} end\n`;
    it('masks the secret wherever the split falls', () => {
      const expected = masker.maskLine(text);
      expect(revealsValue(expected, SECRET)).toBe(false);
      for (let split = 0; split <= text.length; split++) {
        const chunks = [text.slice(0, split), text.slice(split)];
        expect(maskInChunks(new StreamMasker(masker), chunks)).toBe(expected);
      }
    });
  });

  it('masks a secret written one character at a time', () => {
    const text = `a ${SECRET} b ${ENCODINGS.base64(SECRET)} c`;
    const masked = maskInChunks(new StreamMasker(masker), [...text]);
    expect(masked).toBe(masker.maskLine(text));
    expect(masked).toMatch(/^a \*\*\* b \*\*\*[A-Za-z0-9+/=]{0,3} c$/);
  });

  it('passes on text that cannot start a secret at once', () => {
    const stream = new StreamMasker(['secret-1']);
    expect(stream.push('plain line\n')).toBe('plain line\n');
    expect(stream.heldLength).toBe(0);
  });

  it('holds back only what could start a secret', () => {
    const stream = new StreamMasker(['secret-1']);
    expect(stream.push('user=sec')).toBe('user=');
    expect(stream.heldLength).toBe(3);
    expect(stream.push('ret-1 ok')).toBe('*** ok');
    expect(stream.push(' sec')).toBe(' ');
    expect(stream.push('ond')).toBe('second');
  });

  it('holds back less than the longest pattern', () => {
    const repetitive = new SecretMasker(['abababab-x']);
    const stream = new StreamMasker(repetitive);
    const limit = repetitive.maxHold;
    let passedOn = '';
    for (let i = 0; i < 50; i++) {
      passedOn += stream.push('ab');
      expect(stream.heldLength).toBeGreaterThan(0);
      expect(stream.heldLength).toBeLessThanOrEqual(limit);
    }
    expect(passedOn + stream.flush()).toBe('ab'.repeat(50));
  });

  it('passes on a held-back prefix when the output ends', () => {
    const stream = new StreamMasker(['secret-1']);
    expect(stream.push('last words: secret-')).toBe('last words: ');
    expect(stream.flush()).toBe('secret-');
    expect(stream.heldLength).toBe(0);
  });

  it('keeps the line breaks of a multi-line secret', () => {
    const pem = '-----BEGIN KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEF\n-----END KEY-----';
    const text = `key:\n${pem}\nok\n`;
    const chunks = [text.slice(0, 20), text.slice(20, 41), text.slice(41)];
    expect(maskInChunks(new StreamMasker([pem]), chunks)).toBe('key:\n***\n***\n***\nok\n');
  });

  it('masks a secret added while a part of it is held back', () => {
    const stream = new StreamMasker(['token-abcdef']);
    expect(stream.push('id=token-abc')).toBe('id=');
    stream.add('token-abc');
    expect(stream.push('xyz\n')).toBe('***xyz\n');
  });

  it('masks a secret added later from then on', () => {
    const stream = new StreamMasker();
    expect(stream.push('minted new-token-123\n')).toBe('minted new-token-123\n');
    expect(stream.add('new-token-123')).toBe(true);
    expect(stream.push('using new-token-123\n')).toBe('using ***\n');
  });

  it('shares the secrets of the masker it is built on', () => {
    const shared = new SecretMasker();
    const stdout = new StreamMasker(shared);
    const stderr = new StreamMasker(shared);
    stdout.add('added-on-stdout');
    expect(stderr.push('err: added-on-stdout\n')).toBe('err: ***\n');
    expect(shared.maskLine('added-on-stdout')).toBe('***');
  });

  it('starts afresh after a flush', () => {
    const stream = new StreamMasker(['secret-1']);
    expect(maskInChunks(stream, ['a secr', 'et-1'])).toBe('a ***');
    expect(maskInChunks(stream, ['secret-1 b'])).toBe('*** b');
  });
});
