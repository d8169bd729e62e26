import { createHash } from 'node:crypto';
import { connect as connectTcp } from 'node:net';
import type { Client, SFTPWrapper } from 'ssh2';
import type { DestinationCheck } from '@cronium/egress';
import { connectSsh, SshConnectError } from './ssh-connect.ts';
import { describeServer, type SshServer } from './ssh-server.ts';

export interface SshConnectionPoolOptions {
  /**
   * Attempts sharing one connection. Each holds up to two channels at once (its script and,
   * on cancel, the kill), plus the connection's shared SFTP channel: 4 stays under
   * OpenSSH's default MaxSessions of 10.
   */
  runsPerConnection?: number;
  /** An unused connection is closed after this long. */
  idleMs?: number;
  connectTimeoutMs?: number;
  keepaliveMs?: number;
}

/** One attempt's use of a pooled connection; `release` exactly once. */
export interface SshLease {
  readonly client: Client;
  /** The connection's SFTP session, opened on first use and shared. */
  sftp(): Promise<SFTPWrapper>;
  /** Whether the connection broke (closed or errored) since the lease was taken. */
  readonly broken: boolean;
  readonly brokenReason: string | null;
  /**
   * Opens a reverse forward: a port on the server's loopback whose connections arrive at
   * `target` on this machine. `close()` removes it.
   */
  forwardToLocal(target: {
    host: string;
    port: number;
  }): Promise<{ port: number; close(): Promise<void> }>;
  release(): void;
}

class PooledConnection {
  readonly client: Client;
  users = 0;
  closed = false;
  closedReason: string | null = null;
  idleTimer: NodeJS.Timeout | undefined;
  #sftp: Promise<SFTPWrapper> | undefined;
  readonly #forwards = new Map<number, { host: string; port: number }>();

  constructor(client: Client) {
    this.client = client;
    client.on('tcp connection', (info, accept, reject) => {
      const target = this.#forwards.get(info.destPort);
      if (!target) return reject();
      const channel = accept();
      const socket = connectTcp(target.port, target.host);
      socket.setNoDelay(true);
      channel.pipe(socket).pipe(channel);
      const end = () => {
        socket.destroy();
        channel.destroy();
      };
      socket.on('error', end);
      channel.on('error', end);
      channel.on('close', end);
    });
  }

  forwardToLocal(target: { host: string; port: number }) {
    return new Promise<{ port: number; close(): Promise<void> }>((resolve, reject) => {
      this.client.forwardIn('127.0.0.1', 0, (error, port) => {
        if (error)
          return reject(new Error(`the server refused a reverse port forward: ${error.message}`));
        this.#forwards.set(port, target);
        resolve({
          port,
          close: () =>
            new Promise<void>((done) => {
              this.#forwards.delete(port);
              if (this.closed) return done();
              this.client.unforwardIn('127.0.0.1', port, () => done());
            }),
        });
      });
    });
  }

  sftp(): Promise<SFTPWrapper> {
    this.#sftp ??= new Promise<SFTPWrapper>((resolve, reject) =>
      this.client.sftp((error, sftp) => {
        if (error) {
          this.#sftp = undefined;
          reject(error);
          return;
        }
        sftp.once('close', () => (this.#sftp = undefined));
        resolve(sftp);
      }),
    );
    return this.#sftp;
  }
}

interface ServerEntry {
  connections: PooledConnection[];
  connecting: number;
  waiters: (() => void)[];
}

/**
 * Keeps SSH connections to each server open between runs, so a run costs a few round trips
 * on an existing connection instead of a TCP and key exchange and authentication of its own.
 * At most `maxConnections` connections per server; attempts beyond what they can carry wait
 * for a free slot (or their abort). A connection that errors or closes is dropped at once;
 * attempts using it see `broken` and fail, and the next attempt opens a fresh one.
 */
export class SshConnectionPool {
  readonly #options: Required<SshConnectionPoolOptions>;
  readonly #entries = new Map<string, ServerEntry>();
  #closing = false;

  constructor(options: SshConnectionPoolOptions = {}) {
    this.#options = {
      runsPerConnection: options.runsPerConnection ?? 4,
      idleMs: options.idleMs ?? 30_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      keepaliveMs: options.keepaliveMs ?? 5_000,
    };
  }

  /** Open connections per server id, for tests and metrics. */
  openConnections(serverId: number): number {
    let count = 0;
    for (const [key, entry] of this.#entries)
      if (key.startsWith(`${serverId}|`)) count += entry.connections.length;
    return count;
  }

  /**
   * A lease on a connection to `server` made under `destination` (the egress policy for the
   * run's owner); connections are shared only between runs under the same policy subject.
   */
  async acquire(
    server: SshServer,
    destination: DestinationCheck,
    signal?: AbortSignal,
  ): Promise<SshLease> {
    if (this.#closing) throw new SshConnectError('the SSH connection pool is closed');
    const key = identityKey(server, destination.subject);
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { connections: [], connecting: 0, waiters: [] };
      this.#entries.set(key, entry);
    }
    for (;;) {
      signal?.throwIfAborted();
      const free = entry.connections
        .filter((c) => !c.closed && c.users < this.#options.runsPerConnection)
        .sort((a, b) => a.users - b.users)[0];
      if (free) return this.#lease(entry, free);
      if (entry.connections.length + entry.connecting < Math.max(1, server.maxConnections)) {
        entry.connecting += 1;
        try {
          const client = await connectSsh(server, {
            destination,
            timeoutMs: this.#options.connectTimeoutMs,
            keepaliveMs: this.#options.keepaliveMs,
            signal,
          });
          const connection = new PooledConnection(client);
          this.#watch(entry, connection);
          entry.connections.push(connection);
          return this.#lease(entry, connection);
        } finally {
          entry.connecting -= 1;
          // Someone waiting may now connect (this one failed) or share (it succeeded).
          entry.waiters.shift()?.();
        }
      }
      await waitForTurn(entry, signal, describeServer(server));
    }
  }

  /** Closes every connection; attempts still using one see it break. */
  async close(): Promise<void> {
    this.#closing = true;
    const all = [...this.#entries.values()].flatMap((e) => e.connections);
    await Promise.all(
      all.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.closed) return resolve();
            clearTimeout(c.idleTimer);
            c.client.once('close', () => resolve());
            c.client.end();
            setTimeout(() => {
              c.client.destroy();
              resolve();
            }, 2_000).unref();
          }),
      ),
    );
    this.#entries.clear();
  }

  #lease(entry: ServerEntry, connection: PooledConnection): SshLease {
    connection.users += 1;
    clearTimeout(connection.idleTimer);
    let released = false;
    return {
      client: connection.client,
      sftp: () => connection.sftp(),
      forwardToLocal: (target) => connection.forwardToLocal(target),
      get broken() {
        return connection.closed;
      },
      get brokenReason() {
        return connection.closedReason;
      },
      release: () => {
        if (released) return;
        released = true;
        connection.users -= 1;
        if (connection.users === 0 && !connection.closed)
          connection.idleTimer = setTimeout(
            () => connection.client.end(),
            this.#options.idleMs,
          ).unref();
        entry.waiters.shift()?.();
      },
    };
  }

  #watch(entry: ServerEntry, connection: PooledConnection): void {
    const drop = (reason: string) => {
      if (connection.closed) return;
      connection.closed = true;
      connection.closedReason = reason;
      clearTimeout(connection.idleTimer);
      entry.connections = entry.connections.filter((c) => c !== connection);
      for (const wake of entry.waiters.splice(0)) wake();
    };
    connection.client.on('error', (error: Error) => drop(error.message));
    connection.client.on('close', () => drop('connection closed'));
  }
}

/** Everything that makes a connection to this server what it is; a change means new ones. */
function identityKey(server: SshServer, subject: string): string {
  const secret =
    server.auth.method === 'password'
      ? server.auth.password
      : server.auth.privateKey + '\0' + (server.auth.passphrase ?? '');
  const digest = createHash('sha256')
    .update(
      [server.host, server.port, server.username, server.hostKeyFingerprint, secret, subject].join(
        '\0',
      ),
    )
    .digest('base64url');
  return `${server.id}|${digest}`;
}

function waitForTurn(entry: ServerEntry, signal: AbortSignal | undefined, name: string) {
  return new Promise<void>((resolve, reject) => {
    const wake = () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = () => {
      entry.waiters = entry.waiters.filter((w) => w !== wake);
      reject(new SshConnectError(`gave up waiting for a connection to ${name}: aborted`));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    entry.waiters.push(wake);
  });
}
