// docker-compose.yml, run as it is, with the one change these machines need: host networking
// (no bridge network can be made here, and Compose creates none for a service that has a
// network_mode), hence no published port. The processes' ports move to free ones so that
// nothing else on the machine is in the way. Everything else (volume, health check, limits,
// restart and stop settings) is the file's.
// Run by `npm run test:image`, after the image is built.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { freePort, waitForStatus } from '@cronium/service-kit/testing';

const run = promisify(execFile);
const root = resolve(__dirname, '../../..');
const image = process.env.CRONIUM_IMAGE ?? 'cronium:latest';
const project = `cronium-compose-test-${randomBytes(4).toString('hex')}`;

describe('docker-compose.yml', () => {
  jest.setTimeout(300_000);
  let dir: string;
  let env: Record<string, string>;
  let compose: (...args: string[]) => Promise<string>;
  let webPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cronium-compose-'));
    webPort = await freePort();
    const ports = {
      WEB_PORT: webPort,
      RUNTIME_API_PORT: await freePort(),
      WS_PORT: await freePort(),
      ORCHESTRATOR_PORT: await freePort(),
      CRONIUM_EMBEDDED_PG_PORT: await freePort(),
    };
    const override = join(dir, 'host-network.yml');
    writeFileSync(
      override,
      [
        'services:',
        '  cronium:',
        '    network_mode: host',
        '    environment:',
        '      WEB_HOST: 127.0.0.1',
        ...Object.entries(ports).map(([name, port]) => `      ${name}: '${port}'`),
        '',
      ].join('\n'),
    );
    env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      CRONIUM_IMAGE: image,
      CRONIUM_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      CRONIUM_JWT_SECRET: randomBytes(48).toString('base64'),
    };
    // Compose v1 cannot take a published port away in an override, and host networking
    // refuses one: the file as Compose renders it (variables substituted, override merged),
    // with only the cronium service's `ports` removed, is what runs.
    const composeRun = async (files: string[], args: string[]) =>
      (
        await run(
          'docker-compose',
          ['-p', project, ...files.flatMap((file) => ['-f', file]), ...args],
          { cwd: dir, env, maxBuffer: 16 * 2 ** 20 },
        )
      ).stdout.trim();
    const rendered = parse(
      await composeRun([join(root, 'docker-compose.yml'), override], ['config']),
    ) as { services: { cronium: { ports?: unknown } } };
    expect(rendered.services.cronium.ports).toBeDefined();
    delete rendered.services.cronium.ports;
    const effective = join(dir, 'docker-compose.rendered.yml');
    writeFileSync(effective, stringify(rendered));
    compose = (...args) => composeRun([effective], args);
  });

  afterAll(async () => {
    await compose('down', '--volumes', '--timeout', '40').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts Cronium with the settings of the file applied, and creates no network', async () => {
    const networksBefore = await run('docker', ['network', 'ls', '-q']);
    await compose('up', '--detach');
    await waitForStatus(`http://127.0.0.1:${webPort}/ready`, 200, { timeoutMs: 180_000 });
    const id = await compose('ps', '-q', 'cronium');
    const inspected = JSON.parse((await run('docker', ['inspect', id])).stdout)[0] as {
      Config: { Image: string; StopTimeout?: number; Healthcheck?: { Test: string[] } };
      HostConfig: {
        Memory: number;
        NanoCpus: number;
        PidsLimit: number;
        RestartPolicy: { Name: string };
        LogConfig: { Type: string; Config: Record<string, string> };
        NetworkMode: string;
      };
      Mounts: { Type: string; Name?: string; Destination: string }[];
    };
    expect(inspected.Config.Image).toBe(image);
    expect(inspected.Config.StopTimeout).toBe(40);
    expect(inspected.Config.Healthcheck?.Test).toEqual([
      'CMD',
      'node',
      '/app/docker/healthcheck.mjs',
    ]);
    expect(inspected.HostConfig).toMatchObject({
      Memory: 2 * 2 ** 30,
      NanoCpus: 2e9,
      PidsLimit: 4096,
      RestartPolicy: { Name: 'unless-stopped' },
      LogConfig: { Type: 'json-file', Config: { 'max-size': '20m', 'max-file': '5' } },
      NetworkMode: 'host',
    });
    expect(inspected.Mounts).toEqual([
      expect.objectContaining({
        Type: 'volume',
        Name: `${project}_cronium-data`,
        Destination: '/data',
      }),
    ]);
    expect((await run('docker', ['network', 'ls', '-q'])).stdout).toBe(networksBefore.stdout);
    // The API answers, which in production needs both secrets from the environment.
    const setup = await fetch(`http://127.0.0.1:${webPort}/api/v1/setup`);
    expect(await setup.json()).toMatchObject({ needed: true });
  });
});
