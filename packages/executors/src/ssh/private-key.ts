import ssh2 from 'ssh2';

// ssh2 is CommonJS and Node cannot see `utils` among its named exports.
const { utils } = ssh2;

/**
 * Why a private key (with its passphrase) cannot be used to sign in, in words for the user;
 * null when it can. Checked when a server is saved, so a pasted public key, a truncated key
 * or a wrong passphrase is refused there rather than at the first run.
 */
export function privateKeyProblem(privateKey: string, passphrase?: string | null): string | null {
  const parsed = utils.parseKey(privateKey, passphrase ?? undefined);
  if (parsed instanceof Error) {
    if (/no passphrase given/i.test(parsed.message))
      return 'the key is encrypted: give its passphrase';
    if (/bad passphrase|integrity check failed/i.test(parsed.message))
      return 'the passphrase does not decrypt this key';
    return `not a private key ssh can use (${parsed.message})`;
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key?.isPrivateKey()) return 'this is a public key: give the private key';
  return null;
}
