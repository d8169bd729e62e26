import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@cronium/service-kit';
import { loadConfig } from './config.ts';

describe('orchestrator config', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'cronium-cfg-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts with no configuration at all outside production', () => {
    const config = loadConfig({ CRONIUM_DATA_DIR: dataDir });
    expect(config).toMatchObject({ host: '127.0.0.1', port: 3003 });
    expect(config.base.database.embedded).toBe(true);
    expect(config.base.secrets.encryptionKey).toEqual(expect.any(String));
    expect(config.base.secrets.jwtSecret).toEqual(expect.any(String));
  });

  it('calls the runtime API where it listens unless RUNTIME_API_URL says otherwise', () => {
    const base = { CRONIUM_DATA_DIR: dataDir };
    expect(loadConfig(base).runtime.apiUrl).toBe('http://127.0.0.1:3001');
    expect(loadConfig({ ...base, RUNTIME_API_PORT: '4101' }).runtime.apiUrl).toBe(
      'http://127.0.0.1:4101',
    );
    expect(
      loadConfig({ ...base, RUNTIME_API_HOST: '0.0.0.0', RUNTIME_API_PORT: '4101' }).runtime.apiUrl,
    ).toBe('http://127.0.0.1:4101');
    expect(loadConfig({ ...base, RUNTIME_API_HOST: '::1' }).runtime.apiUrl).toBe(
      'http://[::1]:3001',
    );
    expect(
      loadConfig({ ...base, RUNTIME_API_PORT: '4101', RUNTIME_API_URL: 'http://10.1.2.3:5000/' })
        .runtime.apiUrl,
    ).toBe('http://10.1.2.3:5000');
  });

  it('requires its secrets in production and lists every problem', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ NODE_ENV: 'production', CRONIUM_DATA_DIR: dataDir, ORCHESTRATOR_PORT: '0' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual([
      'ORCHESTRATOR_PORT is invalid: expected an integer from 1 to 65535, got "0"',
      expect.stringMatching(/^CRONIUM_ENCRYPTION_KEY is required when NODE_ENV=production/),
      expect.stringMatching(/^CRONIUM_JWT_SECRET is required when NODE_ENV=production/),
    ]);
  });

  it('keeps container defaults within the caps and never on the host network', () => {
    expect(() =>
      loadConfig({
        CRONIUM_DATA_DIR: dataDir,
        CONTAINER_MEMORY_MB: '4096',
        CONTAINER_NETWORK: 'host',
      }),
    ).toThrow(
      /CONTAINER_MEMORY_MB must not exceed CONTAINER_MAX_MEMORY_MB[\s\S]*CONTAINER_NETWORK must name a Docker network/,
    );
    expect(() => loadConfig({ CRONIUM_DATA_DIR: dataDir, CONTAINER_USER: '0:0' })).toThrow(
      /CONTAINER_USER is invalid/,
    );
  });

  it("runs container events of every language in Cronium's runner image unless told otherwise", () => {
    expect(loadConfig({ CRONIUM_DATA_DIR: dataDir }).containers.images).toEqual({
      bash: 'ghcr.io/cronium/runner:1',
      python: 'ghcr.io/cronium/runner:1',
      node: 'ghcr.io/cronium/runner:1',
    });
    expect(
      loadConfig({ CRONIUM_DATA_DIR: dataDir, CONTAINER_IMAGE_PYTHON: 'python:3.12-slim' })
        .containers.images.python,
    ).toBe('python:3.12-slim');
  });

  it('lets only administrators run local scripts unless told otherwise', () => {
    expect(loadConfig({ CRONIUM_DATA_DIR: dataDir }).local).toEqual({
      access: 'admins',
      switchUsers: false,
      uidBase: 1_900_000_000,
      sandbox: 'auto',
    });
  });

  it('refuses local scripts for everyone when scripts could not run as users of their own', () => {
    const everyone = { CRONIUM_DATA_DIR: dataDir, ORCHESTRATOR_LOCAL: 'everyone' };
    expect(() => loadConfig(everyone)).toThrow(
      /ORCHESTRATOR_LOCAL=everyone needs an orchestrator that can run scripts as other users/,
    );
    expect(loadConfig(everyone, { canSwitchUsers: true }).local).toMatchObject({
      access: 'everyone',
      switchUsers: true,
    });
  });
});
