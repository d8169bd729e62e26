import { randomBytes } from 'node:crypto';
import { DecryptionError, SecretBox } from './secret-box.ts';
import { generateMasterKey, parseMasterKey } from './master-key.ts';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips a value bound to its row', () => {
    const sealed = box.encrypt('s3cret key material', 'servers:1:private_key');
    expect(sealed).not.toContain('s3cret');
    expect(box.decrypt(sealed, 'servers:1:private_key')).toBe('s3cret key material');
  });

  it('uses a fresh nonce for every value', () => {
    expect(box.encrypt('same', 'a')).not.toBe(box.encrypt('same', 'a'));
  });

  it('fails loudly with the wrong key', () => {
    const sealed = box.encrypt('value', 'servers:1:password');
    const other = new SecretBox(randomBytes(32));
    expect(() => other.decrypt(sealed, 'servers:1:password')).toThrow(DecryptionError);
  });

  it('fails loudly on a tampered ciphertext', () => {
    const sealed = box.encrypt('value', 'servers:1:password');
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 0x01;
    expect(() => box.decrypt('v1.' + raw.toString('base64url'), 'servers:1:password')).toThrow(
      DecryptionError,
    );
  });

  it('refuses a value swapped in from another row', () => {
    const sealed = box.encrypt('value', 'servers:1:password');
    expect(() => box.decrypt(sealed, 'servers:2:password')).toThrow(DecryptionError);
  });

  it('refuses unknown formats and truncated values', () => {
    expect(() => box.decrypt('plain', 'x')).toThrow(/unknown format/);
    expect(() => box.decrypt('v1.AAAA', 'x')).toThrow(/truncated/);
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});

describe('parseMasterKey', () => {
  it('accepts hex and base64', () => {
    const hex = generateMasterKey();
    expect(parseMasterKey(hex)).toHaveLength(32);
    expect(parseMasterKey(Buffer.from(hex, 'hex').toString('base64'))).toEqual(
      Buffer.from(hex, 'hex'),
    );
  });
  it('rejects anything else', () => {
    expect(() => parseMasterKey('changeme')).toThrow(/32 bytes/);
  });
});
