// `node packages/db/src/migrate-cli.ts`: applies pending migrations to DATABASE_URL and exits.
// The apps migrate by themselves at start; this is for operators and for tests that start
// several migrating processes at once.
import { createDatabase } from './create-database.ts';
import { migrateToLatest } from './migrate.ts';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('migrate: DATABASE_URL is required (a postgres:// URL)');
  process.exit(78);
}
const { db } = createDatabase({ url, poolMax: 2, applicationName: 'cronium-migrate' });
try {
  const { applied } = await migrateToLatest(db);
  console.log(JSON.stringify({ applied }));
} catch (error) {
  console.error('migrate: failed:', error);
  process.exitCode = 1;
} finally {
  await db.destroy();
}
