import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateKeyProblem } from './private-key.ts';

describe('privateKeyProblem', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cronium-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const keygen = (name: string, passphrase: string) => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-f', join(dir, name)]);
    return {
      privateKey: readFileSync(join(dir, name), 'utf8'),
      publicKey: readFileSync(join(dir, `${name}.pub`), 'utf8'),
    };
  };
  const plain = keygen('plain', '');
  const locked = keygen('locked', 'a passphrase');

  it('accepts a usable key, with its passphrase when it has one', () => {
    expect(privateKeyProblem(plain.privateKey)).toBeNull();
    expect(privateKeyProblem(locked.privateKey, 'a passphrase')).toBeNull();
  });

  it('says what is wrong otherwise', () => {
    expect(privateKeyProblem(locked.privateKey)).toMatch(/encrypted: give its passphrase/);
    expect(privateKeyProblem(locked.privateKey, 'wrong')).toMatch(/passphrase does not decrypt/);
    expect(privateKeyProblem(plain.publicKey)).toMatch(/public key/);
    expect(privateKeyProblem('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n')).toMatch(
      /not a private key/,
    );
    expect(privateKeyProblem('hello')).toMatch(/not a private key/);
  });
});
