import type { ColumnType, Generated } from 'kysely';
import type { UserRole, UserStatus } from '@cronium/contracts';

export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
export type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
export type Json<T = unknown> = ColumnType<T, T | string, T | string>;

export interface UsersTable {
  id: Generated<number>;
  email: string;
  name: Generated<string>;
  password_hash: string | null;
  role: ColumnType<UserRole, UserRole | undefined, UserRole>;
  status: ColumnType<UserStatus, UserStatus | undefined, UserStatus>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  last_login_at: Timestamp | null;
}

export interface SessionsTable {
  id: Generated<number>;
  user_id: number;
  token_hash: Buffer;
  created_at: CreatedAt;
  expires_at: Timestamp;
  last_seen_at: UpdatedAt;
  revoked_at: Timestamp | null;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_prefix: string;
  token_hash: Buffer;
  scopes: ColumnType<string[], string[] | undefined, string[]>;
  created_at: CreatedAt;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface InvitationsTable {
  id: Generated<number>;
  email: string;
  role: ColumnType<UserRole, UserRole | undefined, UserRole>;
  token_hash: Buffer;
  invited_by: number | null;
  created_at: CreatedAt;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  user_id: number | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  occurred_at: CreatedAt;
  actor_kind: 'user' | 'api_token' | 'run' | 'system';
  actor_id: number | null;
  actor_ref: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: Json<Record<string, unknown>> | undefined;
  ip: string | null;
  user_agent: string | null;
}

export interface SettingsTable {
  key: string;
  value: Json;
  updated_at: UpdatedAt;
  updated_by: number | null;
}
