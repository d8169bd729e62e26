import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, env } from './env-schema.ts';
import { loadServiceConfig } from './base-config.ts';

describe('loadServiceConfig', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'cronium-config-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const appSpec = { APP_PORT: env.port({ default: 3000, description: 'port' }) };

  it('needs no configuration outside production: secrets and the embedded database come from the data directory', () => {
    const { base, app } = loadServiceConfig(appSpec, { CRONIUM_DATA_DIR: dataDir }, [
      'encryptionKey',
      'jwtSecret',
    ]);
    expect(app.APP_PORT).toBe(3000);
    expect(base.database.embedded).toBe(true);
    // The apps use a role that is not the superuser.
    expect(base.database.url).toMatch(/^postgres:\/\/cronium_app:.+@127\.0\.0\.1:54329\/cronium$/);
    expect(base.secrets.encryptionKey).toMatch(/^[0-9a-f]{64}$/);
    expect(base.secrets.jwtSecret!.length).toBeGreaterThanOrEqual(32);
    expect(statSync(join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
    // a second process gets the same secrets
    const again = loadServiceConfig(appSpec, { CRONIUM_DATA_DIR: dataDir }, [
      'encryptionKey',
      'jwtSecret',
    ]);
    expect(again.base.secrets).toEqual(base.secrets);
    expect(again.base.database.url).toBe(base.database.url);
  });

  it('uses DATABASE_URL and explicit secrets when given, and writes nothing', () => {
    const { base } = loadServiceConfig(
      appSpec,
      {
        CRONIUM_DATA_DIR: join(dataDir, 'unused'),
        DATABASE_URL: 'postgres://u:p@db:5432/cronium',
        CRONIUM_ENCRYPTION_KEY: 'ab'.repeat(32),
        CRONIUM_JWT_SECRET: 'j'.repeat(40),
      },
      ['encryptionKey', 'jwtSecret'],
    );
    expect(base.database).toMatchObject({ url: 'postgres://u:p@db:5432/cronium', embedded: false });
    expect(base.secrets).toEqual({ encryptionKey: 'ab'.repeat(32), jwtSecret: 'j'.repeat(40) });
    expect(() => statSync(join(dataDir, 'unused'))).toThrow();
  });

  it('requires every needed secret in production and reports all problems together', () => {
    let error: unknown;
    try {
      loadServiceConfig(appSpec, { NODE_ENV: 'production', APP_PORT: 'x', LOG_LEVEL: 'loud' }, [
        'encryptionKey',
        'jwtSecret',
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(
      /CRONIUM_ENCRYPTION_KEY is required when NODE_ENV=production/,
    );
    expect(problems.join('\n')).toMatch(/CRONIUM_JWT_SECRET is required when NODE_ENV=production/);
    expect(problems.join('\n')).toMatch(/APP_PORT is invalid/);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL is invalid: expected one of fatal, error/);
  });

  it('rejects placeholder secrets', () => {
    expect(() =>
      loadServiceConfig(
        appSpec,
        { CRONIUM_DATA_DIR: dataDir, CRONIUM_JWT_SECRET: '__REPLACE_WITH_JWT_SECRET__' },
        ['jwtSecret'],
      ),
    ).toThrow(/CRONIUM_JWT_SECRET holds a placeholder value/);
  });
});
