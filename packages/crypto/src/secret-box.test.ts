import { createCipheriv, randomBytes } from 'node:crypto';
import { DecryptionError, masterKeyId, SecretBox } from './secret-box.ts';
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
    const dot = sealed.lastIndexOf('.');
    const raw = Buffer.from(sealed.slice(dot + 1), 'base64url');
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 0x01;
    const tampered = sealed.slice(0, dot + 1) + raw.toString('base64url');
    expect(() => box.decrypt(tampered, 'servers:1:password')).toThrow(DecryptionError);
  });

  it('refuses a value swapped in from another row', () => {
    const sealed = box.encrypt('value', 'servers:1:password');
    expect(() => box.decrypt(sealed, 'servers:2:password')).toThrow(DecryptionError);
  });

  it('refuses unknown formats and truncated values', () => {
    expect(() => box.decrypt('plain', 'x')).toThrow(/unknown format/);
    expect(() => box.decrypt('v1.AAAA', 'x')).toThrow(/truncated/);
    expect(() => box.decrypt(`${box.currentPrefix}AAAA`, 'x')).toThrow(/truncated/);
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});

/** A value as Cronium wrote it before keys had ids. */
function sealLegacy(key: Buffer, plaintext: string, aad: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return 'v1.' + Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64url');
}

describe('SecretBox during a key rotation', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const before = new SecretBox(oldKey);
  const during = new SecretBox(newKey, [oldKey]);
  const after = new SecretBox(newKey);

  it('names the key in every value, without revealing it', () => {
    const sealed = during.encrypt('v', 'a');
    expect(sealed.startsWith(`v2.${masterKeyId(newKey)}.`)).toBe(true);
    expect(masterKeyId(newKey)).not.toBe(masterKeyId(oldKey));
    expect(masterKeyId(newKey)).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(during.keyId).toBe(masterKeyId(newKey));
  });

  it('opens values of the previous key and seals new ones with the current key', () => {
    const old = before.encrypt('value', 'variables:1:K');
    expect(during.decrypt(old, 'variables:1:K')).toBe('value');
    expect(during.isCurrent(old)).toBe(false);
    const resealed = during.reseal(old, 'variables:1:K');
    expect(during.isCurrent(resealed)).toBe(true);
    expect(after.decrypt(resealed, 'variables:1:K')).toBe('value');
    // The row binding survives the re-encryption.
    expect(() => after.decrypt(resealed, 'variables:2:K')).toThrow(DecryptionError);
  });

  it('says which key is missing once the previous key is gone', () => {
    const old = before.encrypt('value', 'a');
    expect(() => after.decrypt(old, 'a')).toThrow(
      new RegExp(`key id ${masterKeyId(oldKey)}.*CRONIUM_ENCRYPTION_KEY_PREVIOUS`),
    );
  });

  it('opens legacy values (no key id) with whichever configured key sealed them', () => {
    const legacy = sealLegacy(oldKey, 'legacy', 'servers:1:credential');
    expect(before.decrypt(legacy, 'servers:1:credential')).toBe('legacy');
    expect(during.decrypt(legacy, 'servers:1:credential')).toBe('legacy');
    expect(during.isCurrent(legacy)).toBe(false);
    expect(() => after.decrypt(legacy, 'servers:1:credential')).toThrow(DecryptionError);
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
