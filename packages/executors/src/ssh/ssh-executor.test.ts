import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { checkedLookup, EgressPolicy } from '@cronium/egress';
import { sdkFiles } from '@cronium/sdk';
import type { ExecutionLogLine, ExecutionRequest, TargetOutcome } from '../executor.ts';
import { scanHostKey } from './ssh-connect.ts';
import { SshConnectionPool } from './ssh-connection-pool.ts';
import { testSshConnection } from './test-ssh-connection.ts';
import { SshExecutor } from './ssh-executor.ts';
import type { SshServer } from './ssh-server.ts';
import { privateSshdAvailable, startPrivateSshd, type PrivateSshd } from './testing/index.ts';

/** The egress policy with no settings: admins reach loopback, other users do not. */
const policy = new EgressPolicy({ allow: [], allowMetadata: [] });
const asAdmin = checkedLookup(policy, { admin: true });
const asUser = checkedLookup(policy, { admin: false });
const egress = async () => asAdmin;

const withSshd = privateSshdAvailable() || process.env.CI === 'true' ? describe : describe.skip;

/** Processes of the test login whose command line contains `marker` (not zombies). */
function remoteProcesses(marker: string): string[] {
  try {
    return execFileSync('pgrep', ['-u', 'cronium-ssh', '-f', marker]).toString().trim().split('\n');
  } catch {
    return [];
  }
}

function remoteRunDirs(): string[] {
  try {
    return execFileSync('ls', ['/home/cronium-ssh/.cronium/runs'])
      .toString()
      .trim()
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

withSshd('SSH executor against a real sshd', () => {
  let sshd: PrivateSshd;
  let pool: SshConnectionPool;
  let executor: SshExecutor;
  let nextRunId = 1;

  beforeAll(async () => {
    sshd = await startPrivateSshd({ password: true });
  });
  beforeEach(() => {
    pool = new SshConnectionPool({ idleMs: 60_000 });
    executor = new SshExecutor({ pool, killGraceMs: 1_000, egress });
  });
  afterEach(() => pool.close());
  afterAll(() => sshd.stop());

  const server = (overrides: Partial<SshServer> = {}): SshServer => ({
    id: 1,
    name: 'primary',
    host: sshd.host,
    port: sshd.port,
    username: sshd.username,
    auth: { method: 'private_key', privateKey: sshd.privateKey },
    hostKeyFingerprint: sshd.hostKeyFingerprint,
    maxConnections: 2,
    ...overrides,
  });

  const request = (
    type: 'bash' | 'python' | 'node',
    script: string,
    servers: SshServer[] = [server()],
    env: Record<string, string> = {},
  ): ExecutionRequest => ({
    runId: nextRunId++,
    attempt: 1,
    eventId: 1,
    type,
    script,
    http: null,
    env: { CRONIUM_RUN_ID: '1', ...env },
    servers,
  });

  async function execute(
    req: ExecutionRequest,
    controller = new AbortController(),
    using: SshExecutor = executor,
  ) {
    const lines: ExecutionLogLine[] = [];
    const targets: TargetOutcome[] = [];
    const result = await using.run(req, {
      signal: controller.signal,
      onLog: (line) => lines.push(line),
      onTarget: (target) => targets.push(target),
    });
    const text = (stream: string) => lines.filter((l) => l.stream === stream).map((l) => l.text);
    return { result, lines, targets, stdout: text('stdout'), stderr: text('stderr') };
  }

  it.each([
    ['bash', 'echo "hello from $(whoami)"; echo oops >&2; exit 3', 'hello from cronium-ssh'],
    [
      'python',
      'import getpass, sys\nprint("hello from " + getpass.getuser())\nprint("oops", file=sys.stderr)\nsys.exit(3)',
      'hello from cronium-ssh',
    ],
    [
      'node',
      'console.log("hello from " + require("os").userInfo().username); console.error("oops"); process.exit(3)',
      'hello from cronium-ssh',
    ],
  ] as const)(
    'runs %s remotely with output, stderr and exit code',
    async (type, script, expected) => {
      const { result, stdout, stderr, lines } = await execute(request(type, script));
      expect(stdout).toEqual([expected]);
      expect(stderr).toEqual(['oops']);
      expect(result).toMatchObject({ status: 'failed', exitCode: 3, error: 'exit code 3' });
      expect(lines.every((l) => l.serverId === 1)).toBe(true);
    },
  );

  it('passes the environment exactly, quotes and all, and leaves no run directory', async () => {
    const tricky = `it's "$HOME" \`id\` $(id) \\ ; done`;
    const { result, stdout } = await execute(
      request('bash', 'printf "%s\\n" "$TRICKY" "$CRONIUM_RUN_ID"; pwd', [server()], {
        TRICKY: tricky,
      }),
    );
    expect(result.status).toBe('succeeded');
    expect(stdout[0]).toBe(tricky);
    expect(stdout[1]).toBe('1');
    expect(stdout[2]).toMatch(/^\/home\/cronium-ssh\/\.cronium\/runs\/r\d+a1-[0-9a-f]{12}$/);
    expect(remoteRunDirs()).not.toContain(stdout[2]!.split('/').at(-1));
  });

  it('removes the env file (secrets, run token) before the script runs, and leftovers of attempts that never started', async () => {
    // A directory left by an attempt whose connection broke after the upload, two hours ago,
    // and one of an attempt being uploaded right now (which must stay).
    const runs = '/home/cronium-ssh/.cronium/runs';
    const leftover = `${runs}/r999a1-${'0'.repeat(12)}`;
    const fresh = `${runs}/r998a1-${'1'.repeat(12)}`;
    for (const dir of [leftover, fresh]) {
      execFileSync('mkdir', ['-p', dir]);
      execFileSync('sh', ['-c', 'echo "export SECRET=x" > "$1/env"', 'sh', dir]);
    }
    execFileSync('touch', ['-d', '2 hours ago', `${leftover}/env`]);
    execFileSync('chown', ['-R', 'cronium-ssh:', '/home/cronium-ssh/.cronium']);
    try {
      const { result, stdout } = await execute(
        request(
          'bash',
          '[ -e env ] && echo "env present" || echo "env gone"; echo "$SECRET_VALUE"',
          [server()],
          {
            SECRET_VALUE: 'still in the environment',
          },
        ),
      );
      expect(result.status).toBe('succeeded');
      expect(stdout).toEqual(['env gone', 'still in the environment']);
      expect(remoteRunDirs()).not.toContain(leftover.split('/').at(-1));
      expect(remoteRunDirs()).toContain(fresh.split('/').at(-1));
    } finally {
      execFileSync('rm', ['-rf', leftover, fresh]);
    }
  });

  it('streams output live, before the script ends', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const began = Date.now();
    const result = await executor.run(request('bash', 'echo first; sleep 1.5; echo second'), {
      signal: controller.signal,
      onLog: (line) => line.stream === 'stdout' && seen.push(Date.now() - began),
    });
    expect(result.status).toBe('succeeded');
    expect(seen).toHaveLength(2);
    expect(seen[1]! - seen[0]!).toBeGreaterThan(1_000);
  });

  it('kills the whole remote process tree on cancel', async () => {
    const a = randomInt(100_000, 999_999);
    const b = a + 1;
    const controller = new AbortController();
    const lines: ExecutionLogLine[] = [];
    const req = request('bash', `sleep ${a} & (sleep ${b}; echo never) & echo started; wait`);
    const runId = req.runId;
    const running = executor.run(req, {
      signal: controller.signal,
      onLog: (line) => {
        lines.push(line);
        if (line.text === 'started') controller.abort('cancel');
      },
    });
    const result = await running;
    expect(result.status).toBe('failed');
    expect(lines.map((l) => l.text)).not.toContain('never');
    expect((result.result?.targets as TargetOutcome[])[0]!.status).toBe('cancelled');
    expect(remoteProcesses(`sleep ${a}`)).toEqual([]);
    expect(remoteProcesses(`sleep ${b}`)).toEqual([]);
    expect(remoteRunDirs().filter((d) => d.startsWith(`r${runId}a1-`))).toEqual([]);
  });

  it('reports a timeout as such', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort('timeout'), 300);
    const { targets } = await execute(request('bash', 'sleep 30'), controller);
    expect(targets.at(-1)).toMatchObject({ status: 'timed_out', serverName: 'primary' });
  });

  it('refuses a server whose host key changed, and one with no pinned key', async () => {
    const pinned = server();
    expect((await execute(request('bash', 'true', [pinned]))).result.status).toBe('succeeded');
    await pool.close();
    pool = new SshConnectionPool();
    executor = new SshExecutor({ pool, egress });
    await sshd.rekey();
    try {
      const changed = await execute(request('bash', 'echo ran', [pinned]));
      expect(changed.stdout).toEqual([]);
      expect(changed.result).toMatchObject({ status: 'failed', exitCode: null });
      expect(changed.result.error).toMatch(
        /host key of primary .* has changed: it presented SHA256:\S+ but SHA256:\S+ is pinned/,
      );
      const unpinned = await execute(
        request('bash', 'echo ran', [server({ hostKeyFingerprint: null })]),
      );
      expect(unpinned.stdout).toEqual([]);
      expect(unpinned.result.error).toMatch(/no confirmed host key fingerprint/);
    } finally {
      pinned.hostKeyFingerprint = sshd.hostKeyFingerprint;
    }
  });

  it('authenticates with a password, and says so when the credentials are wrong', async () => {
    const withPassword = server({ id: 2, auth: { method: 'password', password: sshd.password! } });
    expect((await execute(request('bash', 'echo pw', [withPassword]))).stdout).toEqual(['pw']);
    const wrong = server({ id: 3, auth: { method: 'password', password: 'not-it' } });
    const { result } = await execute(request('bash', 'echo pw', [wrong]));
    expect(result.error).toMatch(/authentication as cronium-ssh failed/);
  });

  it('fans out to several servers; one down makes the run partial', async () => {
    const down = server({ id: 9, name: 'down', port: 1 });
    const second = server({ id: 2, name: 'secondary' });
    const { result, targets, lines } = await execute(
      request('bash', 'echo "on $CRONIUM_RUN_ID"', [server(), second, down]),
    );
    expect(result.status).toBe('partial');
    expect(result.error).toMatch(/1 of 3 servers failed: down: cannot connect to down/);
    const final = targets.filter((t) => t.status !== 'running');
    expect(final.map((t) => [t.serverId, t.status]).sort()).toEqual([
      [1, 'succeeded'],
      [2, 'succeeded'],
      [9, 'failed'],
    ]);
    expect(
      lines
        .filter((l) => l.stream === 'stdout')
        .map((l) => l.serverId)
        .sort(),
    ).toEqual([1, 2]);
  });

  it('reuses pooled connections and keeps to the connection limit', async () => {
    const limited = server({ maxConnections: 1 });
    for (let i = 0; i < 3; i++) await execute(request('bash', 'true', [limited]));
    expect(pool.openConnections(1)).toBe(1);
    // Ten at once over one connection carrying four at a time: all run, none fails.
    const results = await Promise.all(
      Array.from({ length: 10 }, () => execute(request('bash', 'sleep 0.2; echo ok', [limited]))),
    );
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 10 }, () => ['ok']));
    expect(pool.openConnections(1)).toBe(1);
  });

  it('fails clearly when the connection breaks mid-run, and the remote script is stopped', async () => {
    const marker = randomInt(100_000, 999_999);
    const req = request('bash', `echo started; sleep ${marker}`);
    const running = execute(req);
    const deadline = Date.now() + 5_000;
    while (remoteProcesses(`sleep ${marker}`).length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    sshd.dropConnections();
    const { result } = await running;
    expect(result).toMatchObject({ status: 'failed', exitCode: null });
    expect(result.error).toMatch(/connection lost during the run/);
    // The launcher's watchdog notices its session is gone and kills the group.
    const stopBy = Date.now() + 6_000;
    while (remoteProcesses(`sleep ${marker}`).length > 0 && Date.now() < stopBy)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(remoteProcesses(`sleep ${marker}`)).toEqual([]);
    // ... and the launcher still removes the run's directory (and its env file).
    const cleanBy = Date.now() + 5_000;
    const leftover = () => remoteRunDirs().filter((d) => d.startsWith(`r${req.runId}a1-`));
    while (leftover().length > 0 && Date.now() < cleanBy)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(leftover()).toEqual([]);
    // A new connection is opened for the next run.
    expect((await execute(request('bash', 'echo again'))).stdout).toEqual(['again']);
  });

  it('scans the host key exactly as ssh-keygen fingerprints it, trusting nothing', async () => {
    expect(await scanHostKey(sshd, { destination: asAdmin })).toEqual({
      fingerprint: sshd.hostKeyFingerprint,
      keyType: 'ssh-ed25519',
    });
    await expect(
      scanHostKey({ host: '127.0.0.1', port: 1 }, { destination: asAdmin }),
    ).rejects.toThrow(/cannot reach 127.0.0.1:1/);
  });

  it('tests a connection: host key, credentials and interpreters', async () => {
    const good = await testSshConnection(server(), { destination: asAdmin });
    expect(good).toMatchObject({
      ok: true,
      reachable: true,
      authenticated: true,
      runtimeApiForwarding: true,
      sftp: true,
      hostKey: { matches: true, presented: sshd.hostKeyFingerprint },
      error: null,
    });
    expect(good.interpreters.bash).toMatch(/^\d+\.\d+/);
    expect(good.interpreters.python3).toMatch(/^Python 3\./);
    expect(good.interpreters.node).toMatch(/^v\d+\./);

    const unpinned = await testSshConnection(server({ hostKeyFingerprint: null }), {
      destination: asAdmin,
    });
    expect(unpinned).toMatchObject({
      ok: false,
      reachable: true,
      authenticated: false,
      hostKey: { presented: sshd.hostKeyFingerprint, matches: false },
    });
    expect(unpinned.error).toMatch(/no confirmed host key/);

    const wrongKey = await testSshConnection(
      server({ auth: { method: 'password', password: 'wrong' } }),
      { destination: asAdmin },
    );
    expect(wrongKey).toMatchObject({ ok: false, reachable: true, authenticated: false });
    expect(wrongKey.error).toMatch(/authentication as cronium-ssh failed/);

    const down = await testSshConnection(server({ port: 1 }), { destination: asAdmin });
    expect(down).toMatchObject({ ok: false, reachable: false });
  });

  it('keeps the run environment to the script: an event PATH cannot break the launcher', async () => {
    const req = request('bash', 'echo unreachable', [server()], { PATH: '/nonexistent' });
    const { result, stderr } = await execute(req);
    expect(result).toMatchObject({ status: 'failed', exitCode: 127 });
    expect(stderr).toEqual(['cronium: bash is not installed on this server (not on PATH)']);
    expect(remoteRunDirs().filter((d) => d.startsWith(`r${req.runId}a1-`))).toEqual([]);
    const custom = await execute(
      request('bash', 'echo "$PATH"; rm -rf . 2>/dev/null; true', [server()], {
        PATH: '/usr/local/bin:/usr/bin:/bin:/opt/custom',
      }),
    );
    expect(custom.stdout).toEqual(['/usr/local/bin:/usr/bin:/bin:/opt/custom']);
  });

  it('connects only where the egress policy allows the owner: a non-admin is refused loopback', async () => {
    const refused = await execute(
      request('bash', 'echo ran'),
      undefined,
      new SshExecutor({ pool, egress: async () => asUser }),
    );
    expect(refused.stdout).toEqual([]);
    expect(refused.result).toMatchObject({
      status: 'failed',
      error:
        'destination not allowed: 127.0.0.1 (127.0.0.1, loopback; only admins, unless EGRESS_ALLOW lists it)',
    });
    await expect(scanHostKey(sshd, { destination: asUser })).rejects.toThrow(
      /destination not allowed/,
    );
    const tested = await testSshConnection(server(), { destination: asUser });
    expect(tested).toMatchObject({ ok: false, reachable: false });
    expect(tested.error).toMatch(/^destination not allowed: 127\.0\.0\.1/);
  });
});

withSshd('SSH against misbehaving servers', () => {
  const serverOf = (sshd: PrivateSshd): SshServer => ({
    id: 7,
    name: 'odd',
    host: sshd.host,
    port: sshd.port,
    username: sshd.username,
    auth: { method: 'private_key', privateKey: sshd.privateKey },
    hostKeyFingerprint: sshd.hostKeyFingerprint,
    maxConnections: 1,
  });

  it('runs scripts, with the SDK, on a server without the SFTP subsystem', async () => {
    const sshd = await startPrivateSshd({ sftp: false });
    const pool = new SshConnectionPool();
    try {
      const report = await testSshConnection(serverOf(sshd), { destination: asAdmin });
      expect(report).toMatchObject({ ok: true, sftp: false, error: null });
      const lines: ExecutionLogLine[] = [];
      const result = await new SshExecutor({ pool, egress }).run(
        {
          runId: 900,
          attempt: 1,
          eventId: 1,
          type: 'bash',
          script:
            'echo "$GREETING from $(basename "$PWD")"; stat -c %a . script.sh; wc -c < cronium.sh; wc -c < node_modules/cronium/index.js',
          http: null,
          env: { GREETING: "it's here" },
          servers: [serverOf(sshd)],
          runtime: { apiUrl: 'http://127.0.0.1:9', socketPath: null, token: () => 'token' },
        },
        { signal: new AbortController().signal, onLog: (line) => lines.push(line) },
      );
      const stdout = lines.filter((l) => l.stream === 'stdout').map((l) => l.text);
      expect(result).toMatchObject({ status: 'succeeded', exitCode: 0 });
      expect(stdout[0]).toMatch(/^it's here from r900a1-/);
      const size = (path: string) =>
        String(sdkFiles().find((f) => f.path === path)!.content.length);
      expect(stdout.slice(1)).toEqual([
        '700',
        '600',
        size('cronium.sh'),
        size('node_modules/cronium/index.js'),
      ]);
    } finally {
      await pool.close();
      await sshd.stop();
    }
  });

  it('bounds the connection test of a server that never stops talking (ForceCommand cat /dev/zero)', async () => {
    const sshd = await startPrivateSshd({ forceCommand: 'cat /dev/zero' });
    try {
      const began = Date.now();
      const report = await testSshConnection(serverOf(sshd), {
        destination: asAdmin,
        timeoutMs: 3_000,
      });
      expect(Date.now() - began).toBeLessThan(3_000 + 2_000);
      expect(report).toMatchObject({ ok: false, authenticated: true });
      expect(report.error).toMatch(/more than 4096 bytes/);
    } finally {
      await sshd.stop();
    }
  });
});
