import type { SecretBox } from '@cronium/crypto';
import { listEventServers, type Db } from '@cronium/db';
import { sshServerOf, type SshServer } from '@cronium/executors';

/** The servers an SSH event runs on, as the SSH executor takes them. */
export async function loadSshServers(
  db: Db,
  box: SecretBox,
  eventId: number,
): Promise<SshServer[]> {
  return (await listEventServers(db, box, eventId)).map(sshServerOf);
}
