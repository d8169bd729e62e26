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
