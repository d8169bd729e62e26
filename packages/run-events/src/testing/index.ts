export { startPrivateValkey, valkeyServerBinary, type PrivateValkey } from './private-valkey.ts';
