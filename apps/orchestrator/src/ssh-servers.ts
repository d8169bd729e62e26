import type { SecretBox } from '@cronium/crypto';
import { listEventServers, type Db } from '@cronium/db';
import type { SshServer } from '@cronium/executors';

/** The servers an SSH event runs on, as the SSH executor takes them. */
export async function loadSshServers(
  db: Db,
  box: SecretBox,
  eventId: number,
): Promise<SshServer[]> {
  const rows = await listEventServers(db, box, eventId);
  return rows.map((row) => ({
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
  }));
}
