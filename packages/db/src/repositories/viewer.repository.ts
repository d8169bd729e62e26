import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema/database.ts';

export interface Viewer {
  userId: number;
  role: string;
  via: 'session' | 'api_token';
}

/**
 * The user behind a session or API token hash, if the credential is current (not expired,
 * not revoked, the user active). API tokens need one of `scopes` unless they have none
 * listed (a token with no scopes is refused here: scopes are explicit).
 */
export async function findViewer(
  db: Kysely<Database>,
  credential: { kind: 'session' | 'api_token'; hash: Buffer },
  scopes: string[],
): Promise<Viewer | undefined> {
  if (credential.kind === 'session') {
    const { rows } = await sql<{ user_id: number; role: string }>`
      SELECT s.user_id, u.role FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = ${credential.hash} AND s.revoked_at IS NULL AND s.expires_at > now()
        AND u.status = 'active'`.execute(db);
    return rows[0] ? { userId: rows[0].user_id, role: rows[0].role, via: 'session' } : undefined;
  }
  const { rows } = await sql<{ user_id: number; role: string }>`
    SELECT t.user_id, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id
    WHERE t.token_hash = ${credential.hash} AND t.revoked_at IS NULL
      AND (t.expires_at IS NULL OR t.expires_at > now()) AND u.status = 'active'
      AND t.scopes && ${scopes}::text[]`.execute(db);
  return rows[0] ? { userId: rows[0].user_id, role: rows[0].role, via: 'api_token' } : undefined;
}
