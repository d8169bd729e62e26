import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT_PREFIX = 'v1.';

export class DecryptionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DecryptionError';
  }
}

/**
 * Encrypts values at rest with AES-256-GCM. Every value gets a fresh random nonce, and the
 * identity of the row and column it belongs to (e.g. `servers:42:private_key`) is bound as
 * associated data, so a ciphertext copied into another row fails to decrypt instead of
 * silently yielding another row's secret.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error(`The master key must be 32 bytes, got ${key.length}`);
    this.#key = Buffer.from(key);
  }

  encrypt(plaintext: string, associatedData: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#key, nonce);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return FORMAT_PREFIX + Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64url');
  }

  decrypt(sealed: string, associatedData: string): string {
    if (!sealed.startsWith(FORMAT_PREFIX)) {
      throw new DecryptionError('Encrypted value has an unknown format');
    }
    const raw = Buffer.from(sealed.slice(FORMAT_PREFIX.length), 'base64url');
    if (raw.length < NONCE_BYTES + TAG_BYTES) {
      throw new DecryptionError('Encrypted value is truncated');
    }
    const decipher = createDecipheriv(ALGORITHM, this.#key, raw.subarray(0, NONCE_BYTES));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(raw.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
    try {
      const body = raw.subarray(NONCE_BYTES + TAG_BYTES);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch (cause) {
      throw new DecryptionError(
        'Cannot decrypt value: wrong master key, tampered ciphertext, or value moved from another row',
        { cause },
      );
    }
  }
}
