import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Secrets an embedded (zero-configuration) install generates once and keeps in its data directory. */
export interface EmbeddedSecrets {
  encryptionKey: string;
  jwtSecret: string;
  postgresPassword: string;
}

export const SECRETS_FILE_NAME = 'secrets.json';

function generate(): EmbeddedSecrets {
  return {
    encryptionKey: randomBytes(32).toString('hex'),
    jwtSecret: randomBytes(48).toString('base64url'),
    postgresPassword: randomBytes(24).toString('base64url'),
  };
}

function isComplete(value: unknown): value is EmbeddedSecrets {
  const v = value as Partial<EmbeddedSecrets> | null;
  return (
    typeof v?.encryptionKey === 'string' &&
    typeof v.jwtSecret === 'string' &&
    typeof v.postgresPassword === 'string'
  );
}

/**
 * Returns the data directory's secrets, generating them on first use. Several processes may
 * start at once: each writes a private temp file and hard-links it into place, which succeeds
 * for exactly one of them; the others read the winner's file. The file is mode 0600.
 */
export function ensureEmbeddedSecrets(dataDir: string): EmbeddedSecrets {
  mkdirSync(dataDir, { recursive: true, mode: 0o711 });
  const target = join(dataDir, SECRETS_FILE_NAME);
  const temp = join(
    dataDir,
    `.${SECRETS_FILE_NAME}.${process.pid}.${randomBytes(4).toString('hex')}`,
  );
  writeFileSync(temp, JSON.stringify(generate(), null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temp, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temp);
  }
  chmodSync(target, 0o600);
  const parsed: unknown = JSON.parse(readFileSync(target, 'utf8'));
  if (!isComplete(parsed)) {
    throw new Error(
      `${target} is not a valid secrets file: remove it only if no data depends on its keys`,
    );
  }
  return parsed;
}
