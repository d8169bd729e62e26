export {
  createDatabase,
  createPool,
  RenewablePool,
  type Db,
  type DatabaseOptions,
} from './create-database.ts';
export * from './database-stopping.ts';
export { migrateToLatest, pendingMigrations, type MigrateResult } from './migrate.ts';
export { migrations } from './migrations/index.ts';
export { checkDatabase } from './readiness.ts';
export { waitForDatabase } from './wait-for-database.ts';
export type { Database } from './schema/database.ts';
export type * from './schema/accounts.tables.ts';
export type * from './schema/events.tables.ts';
export type * from './schema/runs.tables.ts';
export * from './repositories/servers.repository.ts';
export * from './repositories/tool-credentials.repository.ts';
export * from './repositories/webhooks.repository.ts';
export * from './repositories/webhook-refusals.repository.ts';
export * from './repositories/audit-log.repository.ts';
export * from './repositories/settings.repository.ts';
export { listenForNotifications, type NotificationListener } from './notification-listener.ts';
export * from './repositories/variables.repository.ts';
export * from './repositories/event-secret-env.ts';
export * from './repositories/sandbox-caps.repository.ts';
export * from './repositories/target-policy.repository.ts';
export * from './key-rotation.ts';
export * from './liveness-session.ts';
