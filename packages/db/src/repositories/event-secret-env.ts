import type { SecretBox } from '@cronium/crypto';

/** Associated data binding an event's encrypted environment to its row. */
export function eventSecretEnvAad(eventId: number): string {
  return `events:${eventId}:secret_env`;
}

/** An event's secret environment as stored in `events.secret_env_encrypted` (null: none). */
export function sealEventSecretEnv(
  box: SecretBox,
  eventId: number,
  env: Record<string, string>,
): string | null {
  return Object.keys(env).length === 0
    ? null
    : box.encrypt(JSON.stringify(env), eventSecretEnvAad(eventId));
}

/** The stored secret environment in clear; throws DecryptionError if key or row is wrong. */
export function openEventSecretEnv(
  box: SecretBox,
  eventId: number,
  sealed: string | null,
): Record<string, string> {
  return sealed
    ? (JSON.parse(box.decrypt(sealed, eventSecretEnvAad(eventId))) as Record<string, string>)
    : {};
}
