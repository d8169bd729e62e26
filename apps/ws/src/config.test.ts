import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from './config.ts';

describe('ws config', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'cronium-cfg-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts with no configuration at all outside production', () => {
    const config = loadConfig({ CRONIUM_DATA_DIR: dataDir });
    expect(config).toMatchObject({ host: '127.0.0.1', port: 3002 });
    expect(config.base.database.embedded).toBe(true);
    expect(config.base.secrets.encryptionKey).toBeUndefined();
    expect(config.base.secrets.jwtSecret).toBeUndefined();
  });

  it('needs no secret even in production', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      CRONIUM_DATA_DIR: dataDir,
      DATABASE_URL: 'postgres://db/cronium',
    });
    expect(config.base.secrets).toEqual({});
  });
});
