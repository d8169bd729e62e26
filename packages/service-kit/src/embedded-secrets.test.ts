import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Several processes generating the data directory's secrets at the same moment must end up
// with one file and one set of secrets. Real processes, because the race is between them.
describe('ensureEmbeddedSecrets', () => {
  it('produces one secrets file, mode 0600, when 6 processes race to create it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cronium-secrets-'));
    const script = `
      import { ensureEmbeddedSecrets } from ${JSON.stringify(join(__dirname, 'embedded-secrets.ts'))};
      process.stdout.write(JSON.stringify(ensureEmbeddedSecrets(process.argv[1])));
    `;
    try {
      const outputs = await Promise.all(
        Array.from(
          { length: 6 },
          () =>
            new Promise<string>((resolve, reject) => {
              const child = spawn(process.execPath, ['--input-type=module', '-e', script, dataDir]);
              let out = '';
              let err = '';
              child.stdout.on('data', (d: Buffer) => (out += d.toString()));
              child.stderr.on('data', (d: Buffer) => (err += d.toString()));
              child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(err))));
            }),
        ),
      );
      const onDisk = readFileSync(join(dataDir, 'secrets.json'), 'utf8');
      for (const out of outputs) expect(JSON.parse(out)).toEqual(JSON.parse(onDisk));
      expect(statSync(join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
      expect(readdirSync(dataDir)).toEqual(['secrets.json']);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
