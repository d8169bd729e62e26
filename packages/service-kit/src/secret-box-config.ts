import { parseMasterKey, SecretBox } from '@cronium/crypto';
import type { BaseConfig } from './base-config.ts';

/**
 * The box of a process that needs the master key: the current key seals, and during a
 * rotation `CRONIUM_ENCRYPTION_KEY_PREVIOUS` still opens what it sealed.
 */
export function secretBoxFromConfig(base: BaseConfig): SecretBox {
  const key = base.secrets.encryptionKey;
  if (!key) throw new Error('this process was configured without the master key');
  const previous = base.previousEncryptionKey ? [parseMasterKey(base.previousEncryptionKey)] : [];
  return new SecretBox(parseMasterKey(key), previous);
}
