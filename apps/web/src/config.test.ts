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

  it('reads trusted proxies as addresses and CIDR ranges, and refuses anything else', () => {
    expect(loadConfig({ CRONIUM_DATA_DIR: dataDir }).trustedProxies).toEqual([]);
    expect(
      loadConfig({ CRONIUM_DATA_DIR: dataDir, WEB_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8,::1' })
        .trustedProxies,
    ).toEqual(['127.0.0.1', '10.0.0.0/8', '::1']);
    for (const bad of ['proxy.example.com', '10.0.0.0/33', '10.0.0.1/8/1', 'true'])
      expect(() => loadConfig({ CRONIUM_DATA_DIR: dataDir, WEB_TRUSTED_PROXIES: bad })).toThrow(
        /WEB_TRUSTED_PROXIES is invalid: expected comma-separated IP addresses or CIDR ranges/,
      );
  });

  it('reads CORS origins as origins (none by default), and refuses anything else', () => {
    expect(loadConfig({ CRONIUM_DATA_DIR: dataDir }).corsOrigins).toEqual([]);
    expect(
      loadConfig({
        CRONIUM_DATA_DIR: dataDir,
        WEB_CORS_ORIGINS: 'https://App.example.com, http://localhost:5173/,https://x.example:443',
      }).corsOrigins,
    ).toEqual(['https://app.example.com', 'http://localhost:5173', 'https://x.example']);
    for (const bad of [
      '*',
      'app.example.com',
      'https://app.example.com/spa',
      'https://app.example.com/?x=1',
      'https://user@app.example.com',
      'ftp://app.example.com',
    ])
      expect(() => loadConfig({ CRONIUM_DATA_DIR: dataDir, WEB_CORS_ORIGINS: bad })).toThrow(
        /WEB_CORS_ORIGINS is invalid: expected comma-separated origins/,
      );
  });
});
