// .env.example is copied to .env for the Compose files. Every value a person must replace is
// a placeholder that the service reading it refuses at start, so an unedited copy never runs
// with a secret everyone knows.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { baseEnvSpec, isPlaceholder, parseEnv } from '@cronium/service-kit';

const root = resolve(__dirname, '../../..');
const values = new Map(
  readFileSync(join(root, '.env.example'), 'utf8')
    .split('\n')
    .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

describe('.env.example', () => {
  it("leaves Cronium's secrets as placeholders that its configuration refuses", () => {
    const secrets = ['CRONIUM_ENCRYPTION_KEY', 'CRONIUM_JWT_SECRET'];
    for (const name of secrets)
      expect({ name, refused: isPlaceholder(values.get(name)!) }).toEqual({ name, refused: true });
    expect(() =>
      parseEnv(baseEnvSpec, {
        NODE_ENV: 'production',
        ...Object.fromEntries(secrets.map((name) => [name, values.get(name)])),
      }),
    ).toThrow(/CRONIUM_ENCRYPTION_KEY[\s\S]*CRONIUM_JWT_SECRET/);
  });

  it.each([
    ['docker-compose.stack.yml', 'postgres', 'POSTGRES_PASSWORD', 'POSTGRES_PASSWORD'],
    [
      'docker-compose.monitoring.yml',
      'grafana',
      'GRAFANA_ADMIN_PASSWORD',
      'GF_SECURITY_ADMIN_PASSWORD',
    ],
  ])(
    'leaves the password of %s %s as a placeholder its entrypoint refuses',
    (file, service, variable, inContainer) => {
      const compose = parseYaml(readFileSync(join(root, file), 'utf8')) as {
        services: Record<string, { entrypoint: string[] }>;
      };
      const [shell, flag, script] = compose.services[service]!.entrypoint;
      // Compose turns $$ into $; the guard runs before the image's own entrypoint (absent here).
      const guard = (value: string) =>
        spawnSync(shell!, [flag!, script!.replaceAll('$$', '$')], {
          env: { PATH: process.env.PATH, [inContainer]: value },
          encoding: 'utf8',
        });
      const refused = guard(values.get(variable)!);
      expect(refused.status).toBe(78);
      expect(refused.stderr).toContain('set it in .env');
      expect(guard('a-real-password-0123456789').status).not.toBe(78);
    },
  );

  it('sets every variable whose value Cronium checks to empty or a valid value', () => {
    const cronium = Object.fromEntries(
      [...values].filter(
        ([name]) =>
          name in baseEnvSpec && !['CRONIUM_ENCRYPTION_KEY', 'CRONIUM_JWT_SECRET'].includes(name),
      ),
    );
    expect(Object.keys(cronium).length).toBeGreaterThan(0);
    expect(() => parseEnv(baseEnvSpec, cronium)).not.toThrow();
  });
});
