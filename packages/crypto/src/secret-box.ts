import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createSecretKey,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Written before key rotation existed: no key id; any configured key may have sealed it. */
const LEGACY_PREFIX = 'v1.';
/** `v2.<key id>.<nonce | tag | ciphertext, base64url>`. */
const PREFIX = 'v2.';

export class DecryptionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DecryptionError';
  }
}

/**
 * A master key's id, written in front of every value it seals: the start of a hash of the key
 * (domain-separated, 72 bits), which tells the keys apart without saying anything about them.
 */
export function masterKeyId(key: Buffer): string {
  return createHash('sha256')
    .update('cronium master key id\0')
    .update(key)
    .digest('base64url')
    .slice(0, 12);
}

function checkKey(key: Buffer): Buffer {
  if (key.length !== 32) throw new Error(`The master key must be 32 bytes, got ${key.length}`);
  return key;
}

/**
 * Encrypts values at rest with AES-256-GCM. Every value gets a fresh random nonce, and the
 * identity of the row and column it belongs to (e.g. `servers:42:private_key`) is bound as
 * associated data, so a ciphertext copied into another row fails to decrypt instead of
 * silently yielding another row's secret.
 *
 * A box holds the current master key, which seals every new value, and during a rotation the
 * previous ones, which still open the values they sealed. Each value names its key (`v2.<id>.`),
 * so a value is opened with its own key and a re-encryption pass can find, by prefix alone,
 * what the current key did not seal.
 */
export class SecretBox {
  // Key objects, not buffers: a cipher made from a key object skips importing the key, which
  // halves the cost of sealing a short value.
  readonly #key: KeyObject;
  readonly #keyId: string;
  readonly #keys: Map<string, KeyObject>;

  constructor(key: Buffer, previous: readonly Buffer[] = []) {
    this.#keyId = masterKeyId(checkKey(key));
    this.#key = createSecretKey(key);
    this.#keys = new Map([[this.#keyId, this.#key]]);
    for (const old of previous) {
      const id = masterKeyId(checkKey(old));
      if (!this.#keys.has(id)) this.#keys.set(id, createSecretKey(old));
    }
  }

  /** The id of the key that seals new values. */
  get keyId(): string {
    return this.#keyId;
  }

  /** The ids of the keys this box opens values of, the current one first. */
  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  /** The prefix of every value the current key sealed. */
  get currentPrefix(): string {
    return `${PREFIX}${this.#keyId}.`;
  }

  /** Whether the current key sealed this value (false: it must be re-encrypted). */
  isCurrent(sealed: string): boolean {
    return sealed.startsWith(this.currentPrefix);
  }

  encrypt(plaintext: string, associatedData: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#key, nonce);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return (
      this.currentPrefix + Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64url')
    );
  }

  decrypt(sealed: string, associatedData: string): string {
    if (sealed.startsWith(PREFIX)) {
      const end = sealed.indexOf('.', PREFIX.length);
      const keyId = end < 0 ? '' : sealed.slice(PREFIX.length, end);
      const key = this.#keys.get(keyId);
      if (!key) {
        throw new DecryptionError(
          `Cannot decrypt value: it was encrypted with a master key that is not configured (key id ${keyId || 'missing'}); set CRONIUM_ENCRYPTION_KEY_PREVIOUS to that key until every value is re-encrypted`,
        );
      }
      return open(key, sealed.slice(end + 1), associatedData);
    }
    if (!sealed.startsWith(LEGACY_PREFIX)) {
      throw new DecryptionError('Encrypted value has an unknown format');
    }
    // A legacy value names no key: the keys are tried in turn (a wrong key fails its tag).
    let failure: unknown;
    for (const key of this.#keys.values()) {
      try {
        return open(key, sealed.slice(LEGACY_PREFIX.length), associatedData);
      } catch (error) {
        failure = error;
      }
    }
    throw failure;
  }

  /** The value sealed again under the current key (for a re-encryption pass). */
  reseal(sealed: string, associatedData: string): string {
    return this.encrypt(this.decrypt(sealed, associatedData), associatedData);
  }
}

function open(key: KeyObject, encoded: string, associatedData: string): string {
  const raw = Buffer.from(encoded, 'base64url');
  if (raw.length < NONCE_BYTES + TAG_BYTES) {
    throw new DecryptionError('Encrypted value is truncated');
  }
  const decipher = createDecipheriv(ALGORITHM, key, raw.subarray(0, NONCE_BYTES));
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
