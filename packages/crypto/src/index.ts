export { SecretBox, DecryptionError, masterKeyId } from './secret-box.ts';
export { parseMasterKey, generateMasterKey } from './master-key.ts';
