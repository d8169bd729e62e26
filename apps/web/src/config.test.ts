import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@cronium/service-kit';
import { loadConfig } from './config.ts';

describe('web config', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'cronium-cfg-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts with no configuration at all outside production', () => {
    const config = loadConfig({ CRONIUM_DATA_DIR: dataDir });
    expect(config).toMatchObject({ host: '127.0.0.1', port: 3000 });
    expect(config.base.database.embedded).toBe(true);
    expect(config.base.secrets.encryptionKey).toEqual(expect.any(String));
    expect(config.base.secrets.jwtSecret).toBeUndefined();
  });

  it('requires its secrets in production and lists every problem', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ NODE_ENV: 'production', CRONIUM_DATA_DIR: dataDir, WEB_PORT: '0' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual([
      'WEB_PORT is invalid: expected an integer from 1 to 65535, got "0"',
      expect.stringMatching(/^CRONIUM_ENCRYPTION_KEY is required when NODE_ENV=production/),
    ]);
  });
});
