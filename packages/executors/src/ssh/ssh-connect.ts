import { Client, type ConnectConfig } from 'ssh2';
import type { DestinationCheck } from '@cronium/egress';
import { HostKeyRefused, hostKeyFingerprint } from './host-key.ts';
import { describeServer, type SshServer } from './ssh-server.ts';

export interface ConnectOptions {
  /**
   * The egress policy for whoever the connection is for: it resolves and checks the host,
   * and the connection goes to the address it returned (never to a lookup of ssh2's own).
   */
  destination: DestinationCheck;
  /** Gives up on TCP connect, key exchange and authentication after this long. */
  timeoutMs?: number;
  /** Keepalive probe interval; a peer that misses three in a row is treated as gone. */
  keepaliveMs?: number;
  signal?: AbortSignal;
}

/** Why a connection could not be made, in words a user can act on. */
export class SshConnectError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SshConnectError';
  }
}

function authConfig(server: SshServer): Partial<ConnectConfig> {
  return server.auth.method === 'private_key'
    ? { privateKey: server.auth.privateKey, passphrase: server.auth.passphrase ?? undefined }
    : { password: server.auth.password };
}

/**
 * Opens an authenticated connection, refusing any host key but the pinned one. A server
 * with no pinned fingerprint is refused before anything is sent: there is no
 * trust-on-first-use path here; pinning is an explicit, confirmed step.
 */
export async function connectSsh(server: SshServer, options: ConnectOptions): Promise<Client> {
  const pinned = server.hostKeyFingerprint;
  const name = describeServer(server);
  if (!pinned)
    throw new HostKeyRefused(
      `server ${name} has no confirmed host key fingerprint: scan and confirm it before running on it`,
      null,
    );
  const { address } = await options.destination(server.host, server.port);
  if (options.signal?.aborted) throw new SshConnectError(`connecting to ${name} was aborted`);
  return new Promise((resolve, reject) => {
    const client = new Client();
    let presented: string | null = null;
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      client.destroy();
      reject(error);
    };
    const onAbort = () => fail(new SshConnectError(`connecting to ${name} was aborted`));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    client.once('ready', () => {
      if (settled) return client.end();
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      resolve(client);
    });
    client.on('error', (error: Error & { level?: string }) => {
      if (presented !== null && presented !== pinned)
        return fail(
          new HostKeyRefused(
            `host key of ${name} has changed: it presented ${presented} but ${pinned} is pinned; ` +
              'if the server was legitimately re-keyed, confirm the new fingerprint',
            presented,
          ),
        );
      const why =
        error.level === 'client-authentication'
          ? `authentication as ${server.username} failed`
          : error.level === 'client-timeout'
            ? `no answer within ${options.timeoutMs ?? 10_000} ms`
            : error.message;
      fail(new SshConnectError(`cannot connect to ${name}: ${why}`, { cause: error }));
    });
    client.once('close', () =>
      fail(new SshConnectError(`cannot connect to ${name}: connection closed during setup`)),
    );
    client.connect({
      host: address,
      port: server.port,
      username: server.username,
      ...authConfig(server),
      readyTimeout: options.timeoutMs ?? 10_000,
      keepaliveInterval: options.keepaliveMs ?? 5_000,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer) => {
        presented = hostKeyFingerprint(key);
        return presented === pinned;
      },
    });
    // Small request/response exchanges (SFTP, channel opens) would otherwise wait on
    // Nagle's algorithm against delayed ACKs: about 40 ms a round trip.
    client.setNoDelay(true);
  });
}

/**
 * Learns a server's host key fingerprint without authenticating (for the user to confirm
 * when adding the server). Nothing is trusted by this call.
 */
export async function scanHostKey(
  target: { host: string; port: number },
  options: { destination: DestinationCheck; timeoutMs?: number },
): Promise<{ fingerprint: string; keyType: string }> {
  const { address } = await options.destination(target.host, target.port);
  return new Promise((resolve, reject) => {
    const client = new Client();
    let found: { fingerprint: string; keyType: string } | undefined;
    const done = () => {
      client.destroy();
      if (found) resolve(found);
      else reject(new SshConnectError(`no SSH host key from ${target.host}:${target.port}`));
    };
    client.on('error', (error: Error) => {
      if (found) return done();
      client.destroy();
      reject(
        new SshConnectError(`cannot reach ${target.host}:${target.port}: ${error.message}`, {
          cause: error,
        }),
      );
    });
    client.once('close', done);
    client.connect({
      host: address,
      port: target.port,
      username: 'cronium-host-key-scan',
      readyTimeout: options.timeoutMs ?? 10_000,
      hostVerifier: (key: Buffer) => {
        const typeLength = key.readUInt32BE(0);
        found = {
          fingerprint: hostKeyFingerprint(key),
          keyType: key.subarray(4, 4 + typeLength).toString('ascii'),
        };
        return false;
      },
    });
  });
}
