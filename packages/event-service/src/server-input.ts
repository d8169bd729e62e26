import { isHostKeyFingerprint, privateKeyProblem } from '@cronium/executors/server-checks';
import { AppError, type FieldProblem } from '@cronium/service-kit/errors';

/** How Cronium signs in to a server: a private key (with its passphrase) or a password. */
export type ServerAuthInput =
  | { method: 'private_key'; privateKey: string; passphrase?: string | null }
  | { method: 'password'; password: string };

/** A server as the API writes it (camelCase; credentials are write-only). */
export interface ServerInput {
  name: string;
  host: string;
  port?: number;
  username: string;
  auth: ServerAuthInput;
  maxConnections?: number;
  /** A fingerprint given here is pinned as confirmed (e.g. from `ssh-keygen -lf`). */
  hostKeyFingerprint?: string;
}

// A DNS name, an IPv4 address or an IPv6 address (bare or in brackets); never an option.
const HOST = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,251}[A-Za-z0-9_.])?|\[?[0-9A-Fa-f:.]+\]?)$/;
// What OpenSSH accepts as a user name, without leading dash.
const USERNAME = /^[A-Za-z0-9._][A-Za-z0-9._@-]{0,63}$/;

/**
 * What the schema cannot say about a server: a host and user name ssh can take, a private
 * key that parses (with its passphrase), a well-formed fingerprint. Problems come back
 * together, with JSON pointers, as 422.
 */
export function checkServerInput(input: Partial<ServerInput>): void {
  const problems: FieldProblem[] = [];
  if (input.name !== undefined && input.name.trim() === '')
    problems.push({ pointer: '/body/name', message: 'a name' });
  if (input.host !== undefined && !HOST.test(input.host))
    problems.push({ pointer: '/body/host', message: 'a host name or IP address' });
  if (input.username !== undefined && !USERNAME.test(input.username))
    problems.push({
      pointer: '/body/username',
      message: 'a user name (letters, digits, . _ - @; not starting with -)',
    });
  if (input.auth?.method === 'private_key') {
    const problem = privateKeyProblem(input.auth.privateKey, input.auth.passphrase);
    if (problem)
      problems.push({
        pointer: /passphrase/.test(problem) ? '/body/auth/passphrase' : '/body/auth/privateKey',
        message: problem,
      });
  }
  if (input.auth?.method === 'password' && input.auth.password === '')
    problems.push({ pointer: '/body/auth/password', message: 'a password' });
  if (input.hostKeyFingerprint !== undefined && !isHostKeyFingerprint(input.hostKeyFingerprint))
    problems.push({
      pointer: '/body/hostKeyFingerprint',
      message: 'SHA256: and 43 base64 characters, as `ssh-keygen -lf` prints it',
    });
  if (problems.length > 0)
    throw new AppError('UNPROCESSABLE', 'the server cannot be saved as it is', {
      errors: problems,
    });
}

/** The column and secret of an auth input, as the servers repository stores them. */
export function storedAuth(auth: ServerAuthInput) {
  return auth.method === 'private_key'
    ? {
        authMethod: 'private_key' as const,
        credential: auth.privateKey,
        passphrase: auth.passphrase ?? null,
      }
    : { authMethod: 'password' as const, credential: auth.password, passphrase: null };
}
