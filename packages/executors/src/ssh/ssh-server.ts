/** What the SSH executor needs to know about one server (credentials already decrypted). */
export interface SshServer {
  id: number;
  name: string;
  host: string;
  port: number;
  username: string;
  auth:
    | { method: 'private_key'; privateKey: string; passphrase?: string | null }
    | { method: 'password'; password: string };
  /** The pinned host key, `SHA256:<base64>` as OpenSSH prints it; null until confirmed. */
  hostKeyFingerprint: string | null;
  /** Most connections the pool opens to this server at once. */
  maxConnections: number;
}

/** `name (user@host:port)`, how servers are named in errors and logs. */
export function describeServer(server: Pick<SshServer, 'name' | 'host' | 'port' | 'username'>) {
  return `${server.name} (${server.username}@${server.host}:${server.port})`;
}

/** A server as it is stored (a row with its credentials decrypted). */
export interface StoredServer {
  id: number;
  name: string;
  host: string;
  port: number;
  username: string;
  auth_method: 'private_key' | 'password';
  credential: string;
  passphrase: string | null;
  max_connections: number;
  /** The confirmed fingerprint, or null when none is. */
  pinnedFingerprint: string | null;
}

/** A stored server as the executor and the connection test take it. */
export function sshServerOf(row: StoredServer): SshServer {
  return {
    id: row.id,
    name: row.name,
    host: row.host,
    port: row.port,
    username: row.username,
    auth:
      row.auth_method === 'password'
        ? { method: 'password', password: row.credential }
        : { method: 'private_key', privateKey: row.credential, passphrase: row.passphrase },
    hostKeyFingerprint: row.pinnedFingerprint,
    maxConnections: row.max_connections,
  };
}
