import { createHash } from 'node:crypto';

/**
 * The SHA-256 fingerprint of an SSH host key in OpenSSH's notation (`SHA256:` and unpadded
 * base64 of the digest of the key blob), so it can be compared with `ssh-keygen -lf` output
 * and with what `ssh` shows on first connection.
 */
export function hostKeyFingerprint(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** True for a well-formed `SHA256:...` fingerprint. */
export function isHostKeyFingerprint(value: string): boolean {
  return FINGERPRINT.test(value);
}

/** The server presented a host key other than the pinned one (or none is pinned). */
export class HostKeyRefused extends Error {
  readonly presented: string | null;
  constructor(message: string, presented: string | null) {
    super(message);
    this.name = 'HostKeyRefused';
    this.presented = presented;
  }
}
