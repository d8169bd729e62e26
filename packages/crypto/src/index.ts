export { SecretBox, DecryptionError } from './secret-box.ts';
export { parseMasterKey, generateMasterKey } from './master-key.ts';
