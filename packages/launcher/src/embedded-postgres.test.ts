// The embedded PostgreSQL as a root install uses it: binaries and cluster where the postgres
// user can reach them without trusting anything another local user could have planted (M9),
// and an application role that is not a superuser. Real servers; as root only, since that is
// the case these rules are about.
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { freePort, spawnService, waitForStatus } from '@cronium/service-kit/testing';
import {
  clusterLocation,
  reachableBinaries,
  serverIdentity,
  startEmbeddedPostgres,
} from './embedded-postgres.ts';

const asRoot = process.getuid?.() === 0 ? describe : describe.skip;

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

asRoot('the embedded PostgreSQL on a root install', () => {
  jest.setTimeout(120_000);
  // A root-only directory standing in for /var/lib/cronium (its parents are root's too).
  let stateDir: string;
  let scratch: string;
  beforeEach(() => {
    stateDir = mkdtempSync('/var/lib/cronium-test-');
    chmodSync(stateDir, 0o755);
    scratch = mkdtempSync(join(tmpdir(), 'cronium-pg-test-'));
  });
  afterEach(() => {
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it('copies binaries from a private checkout to a root-only directory, and replaces a copy someone else could change', async () => {
    const identity = serverIdentity()!;
    const bin = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as {
      postgres: string;
      initdb: string;
    };
    // A checkout under a private directory, as /root/cronium is.
    const privateDir = join(scratch, 'private');
    mkdirSync(privateDir, { mode: 0o700 });
    const native = join(privateDir, 'native');
    cpSync(dirname(dirname(bin.postgres)), native, { recursive: true, verbatimSymlinks: true });
    const privateBin = {
      postgres: join(native, 'bin/postgres'),
      initdb: join(native, 'bin/initdb'),
    };

    const copied = reachableBinaries(privateBin, stateDir);
    expect(copied.postgres.startsWith(stateDir + '/')).toBe(true);
    expect(lstatSync(copied.postgres).uid).toBe(0);
    expect(lstatSync(dirname(copied.postgres)).mode & 0o022).toBe(0);

    // Another user plants a binary in the copy (as if the copy were theirs to write).
    const planted = join(dirname(copied.postgres), 'initdb');
    chownSync(planted, identity.uid, identity.gid);
    writeFileSync(planted, '#!/bin/sh\necho planted\n');
    const again = reachableBinaries(privateBin, stateDir);
    expect(again.initdb).toBe(copied.initdb);
    expect(lstatSync(again.initdb).uid).toBe(0);
    expect(lstatSync(again.initdb).size).toBeGreaterThan(1000);
  });

  it('refuses a state directory that anyone but root can write', async () => {
    const bin = {
      postgres: join(scratch, 'p', 'native/bin/postgres'),
      initdb: join(scratch, 'p', 'native/bin/initdb'),
    };
    mkdirSync(dirname(bin.postgres), { recursive: true });
    chmodSync(join(scratch, 'p'), 0o700);
    chmodSync(stateDir, 0o777);
    expect(() => reachableBinaries(bin, stateDir)).toThrow(/must be a directory owned by root/);
    chmodSync(stateDir, 0o755);
    chownSync(stateDir, serverIdentity()!.uid, 0);
    expect(() => reachableBinaries(bin, stateDir)).toThrow(/must be a directory owned by root/);
  });

  it('keeps the cluster of a private data directory in the root-only directory, linked from the data directory', () => {
    const identity = serverIdentity()!;
    const home = join(scratch, 'home');
    mkdirSync(join(home, 'cronium', 'data'), { recursive: true });
    chmodSync(home, 0o700);
    const clusterDir = join(home, 'cronium', 'data', 'postgres');
    const location = clusterLocation(clusterDir, identity, stateDir);
    expect(location.startsWith(stateDir + '/')).toBe(true);
    expect(readlinkSync(clusterDir)).toBe(location);
    expect(lstatSync(location).uid).toBe(identity.uid);
    expect(lstatSync(location).mode & 0o777).toBe(0o700);
    // The next start finds the same place.
    expect(clusterLocation(clusterDir, identity, stateDir)).toBe(location);
    // A data directory the postgres user can reach through its group keeps the cluster inside.
    chmodSync(scratch, 0o711);
    const shared = join(scratch, 'shared');
    mkdirSync(shared, { mode: 0o710 });
    chownSync(shared, 0, identity.gid);
    chmodSync(shared, 0o710);
    expect(clusterLocation(join(shared, 'postgres'), identity, stateDir)).toBe(
      join(shared, 'postgres'),
    );
  });

  it('lets a smart shutdown finish at once: the apps let go of their connections, and come back with the server', async () => {
    chmodSync(scratch, 0o711);
    const dataDir = join(scratch, 'data');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o711);
    const options = {
      clusterDir: join(dataDir, 'postgres'),
      port: await freePort(),
      user: 'cronium',
      password: randomBytes(12).toString('hex'),
      database: 'cronium',
      appRole: { user: 'cronium_app', password: randomBytes(12).toString('hex') },
    };
    let server = await startEmbeddedPostgres(options);
    const port = await freePort();
    const orchestrator = spawnService(
      join(__dirname, '..', '..', '..', 'apps', 'orchestrator', 'src', 'main.ts'),
      {
        DATABASE_URL: server.url,
        CRONIUM_DATA_DIR: join(scratch, 'orchestrator'),
        CRONIUM_ENCRYPTION_KEY: 'ab'.repeat(32),
        CRONIUM_JWT_SECRET: 'j'.repeat(40),
        ORCHESTRATOR_PORT: String(port),
        ORCHESTRATOR_ID: 'smart-shutdown',
        ORCHESTRATOR_CONTAINERS: 'off',
        ORCHESTRATOR_LOCAL: 'off',
        ORCHESTRATOR_POLL_MS: '200',
      },
    );
    const liveSessions = async () =>
      (
        await query<{ application_name: string }>(
          server.url,
          "SELECT application_name FROM pg_stat_activity WHERE application_name LIKE 'cronium-live:%'",
        )
      ).map((r) => r.application_name);
    try {
      await waitForStatus(`http://127.0.0.1:${port}/ready`, 200, {
        process: orchestrator,
        timeoutMs: 60_000,
      });
      // Its liveness session, seen by the app role (not a superuser), as its peers see it.
      for (let i = 0; (await liveSessions()).length === 0; i++) {
        if (i > 100) throw new Error('no liveness session');
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await liveSessions()).toEqual(['cronium-live:smart-shutdown']);

      // Without the notice the server would wait the whole 30 s, then shut down fast.
      const began = Date.now();
      await server.stop({ smartMs: 30_000 });
      expect(Date.now() - began).toBeLessThan(15_000);
      expect(orchestrator.output()).toMatch(/the database is shutting down/);

      server = await startEmbeddedPostgres(options);
      for (let i = 0; !(await liveSessions()).includes('cronium-live:smart-shutdown'); i++) {
        if (i > 400)
          throw new Error(`the orchestrator did not come back\n${orchestrator.output()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await waitForStatus(`http://127.0.0.1:${port}/ready`, 200, {
        process: orchestrator,
        timeoutMs: 30_000,
      });
      expect(orchestrator.child.exitCode).toBeNull();
    } finally {
      await orchestrator.stop(15_000);
      await server.stop();
    }
  });

  it('gives the apps a role that is not a superuser, and hands an older cluster over to it', async () => {
    // Reachable by the postgres user, so the cluster stays here (and goes with `scratch`).
    chmodSync(scratch, 0o711);
    const dataDir = join(scratch, 'data');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o711);
    const options = {
      clusterDir: join(dataDir, 'postgres'),
      port: await freePort(),
      user: 'cronium',
      password: randomBytes(12).toString('hex'),
      database: 'cronium',
    };
    // A cluster made before the app role existed: its tables belong to the superuser.
    const old = await startEmbeddedPostgres(options);
    try {
      await query(
        old.url,
        'CREATE TABLE things (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text)',
      );
    } finally {
      await old.stop();
    }
    const appRole = { user: 'cronium_app', password: randomBytes(12).toString('hex') };
    const server = await startEmbeddedPostgres({ ...options, appRole });
    expect(server.clusterDir).toBe(options.clusterDir);
    try {
      expect(server.url).toContain('cronium_app:');
      const [role] = await query<{
        rolsuper: boolean;
        rolcreaterole: boolean;
        rolcreatedb: boolean;
      }>(
        server.url,
        'SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user',
      );
      expect(role).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false });
      // It owns what the migrations made, so it can use and change it...
      await query(server.url, "INSERT INTO things (name) VALUES ('a')");
      await query(server.url, 'ALTER TABLE things ADD COLUMN extra text');
      await query(server.url, 'CREATE TABLE more_things (id int)');
      // ...and nothing a superuser could: run programs, read files.
      await expect(query(server.url, "COPY things (name) FROM PROGRAM 'id'")).rejects.toThrow(
        /permission denied|must be superuser|pg_execute_server_program/,
      );
      await expect(query(server.url, "SELECT pg_read_file('postgresql.conf')")).rejects.toThrow(
        /permission denied/,
      );
    } finally {
      await server.stop();
    }
  });
});
