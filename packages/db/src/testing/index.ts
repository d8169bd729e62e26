export {
  createTestDatabase,
  createEmptyTestDatabase,
  ensureTemplateDatabase,
  testAdminUrl,
  type TestDatabase,
} from './test-database.ts';
export { insertTestUser, insertTestEvent } from './fixtures.ts';
export { OutageProxy } from './outage-proxy.ts';
