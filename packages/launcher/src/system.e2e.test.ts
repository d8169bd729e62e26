// End to end: the whole system started exactly as the README's start command starts it
// (the launcher, pm2-runtime, the embedded PostgreSQL, the four apps), checked for readiness,
// then stopped with SIGTERM, leaving no process behind.
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, waitForStatus } from '@cronium/service-kit/testing';

const root = resolve(__dirname, '../../..');

/** PIDs of live processes whose environment or command line mentions `marker`. */
function processesMentioning(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      let environ = '';
      try {
        environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      } catch {
        // another user's process
      }
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (state !== 'Z' && (cmdline.includes(marker) || environ.includes(marker)))
        found.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

describe('the whole system, started as the README starts it', () => {
  jest.setTimeout(240_000);

  async function launch(dataDir: string) {
    const ports = {
      WEB_PORT: await freePort(),
      RUNTIME_API_PORT: await freePort(),
      WS_PORT: await freePort(),
      ORCHESTRATOR_PORT: await freePort(),
      CRONIUM_EMBEDDED_PG_PORT: await freePort(),
    };
    const env: Record<string, string | undefined> = {
      ...process.env,
      CRONIUM_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    };
    delete env.DATABASE_URL;
    for (const [name, port] of Object.entries(ports)) env[name] = String(port);
    const launcher = spawn(
      process.execPath,
      [join(root, 'packages/launcher/bin/cronium.mjs'), 'start', '--no-install', '--no-build'],
      {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    launcher.stdout.on('data', (d: Buffer) => (output += d.toString()));
    launcher.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((done) => launcher.on('exit', (code) => done(code)));
    return { ports, launcher, exited, output: () => output };
  }

  // The data directory sits in a private directory, as a checkout in /root does (mode 0700):
  // as root, the embedded server (run as the postgres user) must still start.
  it('starts postgres and the four apps under pm2, all ready, then stops cleanly on SIGTERM', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cronium-e2e-'));
    const dataDir = join(home, 'data');
    const { ports, launcher, exited, output } = await launch(dataDir);
    try {
      for (const [service, port] of [
        ['web', ports.WEB_PORT],
        ['orchestrator', ports.ORCHESTRATOR_PORT],
        ['runtime-api', ports.RUNTIME_API_PORT],
        ['ws', ports.WS_PORT],
      ] as const) {
        const ready = await Promise.race([
          waitForStatus(`http://127.0.0.1:${port}/ready`, 200, { timeoutMs: 120_000 }),
          exited.then((code) => {
            throw new Error(`the launcher exited (${code}) before ${service} was ready`);
          }),
        ]);
        expect(ready.body).toMatchObject({
          status: 'healthy',
          service,
          details: { database: { status: 'healthy' } },
        });
      }
      const page = await fetch(`http://127.0.0.1:${ports.WEB_PORT}/signin`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('connected, schema up to date');
      const deadline = Date.now() + 10_000;
      while (!output().includes('Cronium is running') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      expect(output()).toContain(`Cronium is running. Open http://127.0.0.1:${ports.WEB_PORT}`);
      // As root, the cluster of a private data directory is kept where the postgres user can
      // reach it, linked from the data directory.
      if (process.getuid?.() === 0)
        expect(readlinkSync(join(dataDir, 'postgres'))).toMatch(/^\/var\/lib\/cronium\/cluster-/);
      // Secrets were generated once, private to the owner.
      expect(statSync(join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
      expect(processesMentioning(dataDir).length).toBeGreaterThanOrEqual(5);

      launcher.kill('SIGTERM');
      expect(await exited).toBe(0);
      const stopDeadline = Date.now() + 15_000;
      const cluster = realpathSync(join(dataDir, 'postgres'));
      const leftover = () => [...processesMentioning(dataDir), ...processesMentioning(cluster)];
      let left = leftover();
      while (left.length > 0 && Date.now() < stopDeadline) {
        await new Promise((r) => setTimeout(r, 250));
        left = leftover();
      }
      expect(left).toEqual([]);
    } catch (error) {
      throw withOutput(error, output());
    } finally {
      cleanUp(launcher, home, dataDir);
    }
  });

  it('ends at once, with one message saying why, when the database cannot start', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cronium-e2e-'));
    const dataDir = join(home, 'data');
    // A cluster of a PostgreSQL version this server cannot read.
    mkdirSync(join(dataDir, 'postgres'), { recursive: true, mode: 0o700 });
    writeFileSync(join(dataDir, 'postgres', 'PG_VERSION'), '9.6\n');
    chmodSync(home, 0o711); // so the postgres user reaches it and finds what is wrong inside
    const { launcher, exited, output } = await launch(dataDir);
    try {
      const code = await Promise.race([
        exited,
        new Promise<'still running'>((r) => setTimeout(() => r('still running'), 60_000)),
      ]);
      expect(code).toBe(1);
      expect(output()).toMatch(
        /Cronium cannot start:\n.*postgres: the embedded PostgreSQL cannot start/,
      );
      expect(output()).toMatch(/postgres exited \(\d+\) while starting/);
      const stopDeadline = Date.now() + 15_000;
      while (processesMentioning(dataDir).length > 0 && Date.now() < stopDeadline)
        await new Promise((r) => setTimeout(r, 250));
      expect(processesMentioning(dataDir)).toEqual([]);
    } catch (error) {
      throw withOutput(error, output());
    } finally {
      cleanUp(launcher, home, dataDir);
    }
  });
});

function withOutput(error: unknown, output: string): Error {
  return new Error(`${(error as Error).message}\n--- launcher output ---\n${output.slice(-5000)}`, {
    cause: error,
  });
}

/** Whatever a test left: the launcher, processes of its data directory, its files. */
function cleanUp(launcher: ChildProcess, home: string, dataDir: string): void {
  if (launcher.exitCode === null) launcher.kill('SIGKILL');
  for (const pid of processesMentioning(dataDir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  removeCluster(dataDir);
  rmSync(home, { recursive: true, force: true });
}

/** A cluster kept outside the data directory (a root install's private data directory) goes too. */
function removeCluster(dataDir: string): void {
  const link = join(dataDir, 'postgres');
  try {
    if (lstatSync(link).isSymbolicLink())
      rmSync(readlinkSync(link), { recursive: true, force: true });
  } catch {
    // no cluster
  }
}
