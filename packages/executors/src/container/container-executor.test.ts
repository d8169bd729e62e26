// Against a real Docker engine (.ci/provision-docker.sh starts one and builds the images).
import { existsSync } from 'node:fs';
import Dockerode from 'dockerode';
import type { ExecutionLogLine, ExecutionRequest } from '../executor.ts';
import { ContainerExecutor, CONTAINER_LABELS } from './container-executor.ts';
import { reapOrphanContainers } from './container-reaper.ts';

const docker = new Dockerode();
const MiB = 2 ** 20;
const limits = { memoryBytes: 64 * MiB, nanoCpus: 1e9, pids: 64, tmpfsBytes: 16 * MiB };
const executor = new ContainerExecutor({
  docker,
  images: {
    bash: 'debian:bookworm-slim',
    python: 'python:3.11-slim-bookworm',
    node: 'node:24-bookworm-slim',
  },
  caps: {
    maxMemoryBytes: 1024 * MiB,
    maxNanoCpus: 2e9,
    maxPids: 512,
    maxTmpfsBytes: 256 * MiB,
    allowedNetworks: [],
    allowedReadOnlyBinds: [],
  },
  limits,
  user: '65534:65534',
  orchestratorId: `test-${process.pid}`,
  installationId: `test-installation-${process.pid}`,
  killGraceMs: 500,
});

let runId = 0;
const request = (
  type: 'bash' | 'python' | 'node',
  script: string,
  extra: Partial<ExecutionRequest> = {},
): ExecutionRequest => ({
  runId: ++runId,
  attempt: 1,
  eventId: 1,
  type,
  script,
  http: null,
  env: { GREETING: 'hi' },
  ...extra,
});

async function execute(req: ExecutionRequest, controller = new AbortController()) {
  const lines: ExecutionLogLine[] = [];
  const result = await executor.run(req, {
    signal: controller.signal,
    onLog: (l) => lines.push(l),
  });
  return {
    result,
    lines,
    out: lines.filter((l) => l.stream === 'stdout').map((l) => l.text),
    err: lines.filter((l) => l.stream === 'stderr').map((l) => l.text),
  };
}

// Without a Docker engine these tests are skipped (and counted as skipped), except in CI,
// where .ci/provision-docker.sh provides one and a missing engine must fail the run.
const engineReachable = existsSync('/var/run/docker.sock');
const describeWithDocker = engineReachable || process.env.CI === 'true' ? describe : describe.skip;

describeWithDocker('ContainerExecutor (real Docker)', () => {
  afterAll(async () => {
    const left = await docker.listContainers({
      all: true,
      filters: { label: [`${CONTAINER_LABELS.orchestrator}=test-${process.pid}`] },
    });
    expect(left).toEqual([]);
  });

  it.each([
    ['bash', 'echo "one $GREETING"; echo two >&2'],
    [
      'python',
      'import os, sys\nprint("one", os.environ["GREETING"], flush=True)\nprint("two", file=sys.stderr)',
    ],
    ['node', 'console.log("one", process.env.GREETING); console.error("two")'],
  ] as const)('runs %s and streams stdout and stderr apart', async (type, script) => {
    const { result, out, err } = await execute(request(type, script));
    expect(result).toEqual({ status: 'succeeded', exitCode: 0 });
    expect(out).toEqual(['one hi']);
    expect(err).toEqual(['two']);
  });

  it('keeps no copy of the output on the host (logging driver none), and still streams it', async () => {
    const running = execute(request('bash', 'echo "to cronium"; sleep 2; echo "still here"'));
    let logConfig: unknown;
    for (let i = 0; i < 40 && !logConfig; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const [container] = await docker.listContainers({
        filters: { label: [`${CONTAINER_LABELS.orchestrator}=test-${process.pid}`] },
      });
      if (container)
        logConfig = (await docker.getContainer(container.Id).inspect()).HostConfig.LogConfig;
    }
    expect(logConfig).toMatchObject({ Type: 'none' });
    const { result, out } = await running;
    expect(result).toEqual({ status: 'succeeded', exitCode: 0 });
    expect(out).toEqual(['to cronium', 'still here']);
  });

  it('gives scripts no stdin: reading it ends at once', async () => {
    const { result, out } = await execute(request('bash', 'cat; echo "stdin closed"'));
    expect(result.status).toBe('succeeded');
    expect(out).toEqual(['stdin closed']);
  });

  it.each([
    ['bash', (filler: string) => `x="${filler}"\necho "\${#x}"`],
    ['python', (filler: string) => `x = "${filler}"\nprint(len(x))`],
    ['node', (filler: string) => `const x = "${filler}";\nconsole.log(x.length)`],
  ] as const)(
    'runs a %s script far larger than one command-line argument may be (128 KiB)',
    async (type, script) => {
      const { result, out } = await execute(request(type, script('a'.repeat(600_000))));
      expect(result).toEqual({ status: 'succeeded', exitCode: 0 });
      expect(out).toEqual(['600000']);
    },
  );

  it('gives the script its working directory /work, its own', async () => {
    const { result, out } = await execute(
      request('bash', 'echo data > f && cat f && stat -c "%u %a" /work && pwd'),
    );
    expect(result.status).toBe('succeeded');
    expect(out).toEqual(['data', '65534 755', '/work']);
  });

  it('reports the exit code of a failing script', async () => {
    const { result } = await execute(request('bash', 'exit 7'));
    expect(result).toEqual({ status: 'failed', exitCode: 7, error: 'exited with code 7' });
  });

  it('runs unprivileged: not root, no capabilities, no new privileges, read-only root, only loopback', async () => {
    const { result, out } = await execute(
      request(
        'bash',
        [
          'echo "uid $(id -u)"',
          'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status',
          'touch /etc/owned 2>/dev/null && echo "wrote /etc" || echo "root fs read-only"',
          'touch /tmp/ok && echo "tmp writable"',
          'mount -t tmpfs none /mnt 2>/dev/null && echo "mounted" || echo "mount refused"',
          'echo "interfaces $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | tr "\\n" " ")"',
          'su -c true root </dev/null 2>/dev/null && echo "became root" || echo "su refused"',
        ].join('\n'),
      ),
    );
    expect({ result, out }).toMatchObject({ result: { status: 'succeeded' } });
    expect(out).toEqual([
      'uid 65534',
      'CapEff:\t0000000000000000',
      'NoNewPrivs:\t1',
      'root fs read-only',
      'tmp writable',
      'mount refused',
      'interfaces lo ',
      'su refused',
    ]);
  });

  it('holds the pids limit against a fork bomb', async () => {
    const { out, result } = await execute(
      request(
        'python',
        'import subprocess\nn = 0\ntry:\n    while n < 1000:\n        subprocess.Popen(["sleep", "30"])\n        n += 1\nexcept OSError as e:\n    print("stopped", n, e.errno)',
      ),
    );
    const [word, started] = (out[0] ?? JSON.stringify(result)).split(' ');
    expect(word).toBe('stopped');
    expect(Number(started)).toBeLessThan(limits.pids);
  });

  it('kills a script that allocates twice its memory limit and says it ran out of memory', async () => {
    const { result } = await execute(
      request('python', 'blocks = []\nwhile True:\n    blocks.append(bytearray(8 * 1024 * 1024))'),
    );
    expect(result).toMatchObject({
      status: 'failed',
      exitCode: 137,
      error: 'killed: out of memory (limit 64 MiB)',
      result: { oomKilled: true },
    });
  });

  it('stops and removes the container on abort (cancel or timeout)', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort('timeout'), 500);
    const started = Date.now();
    const { result } = await execute(
      request('bash', 'trap "" TERM; echo started; sleep 60'),
      controller,
    );
    expect(result.status).toBe('failed');
    expect(result.exitCode).toBe(137);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('applies the limits an event asks for within the caps, and refuses more', async () => {
    const within = await execute(
      request(
        'bash',
        'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes',
        {
          sandbox: { memoryMb: 96, cpuMillis: 500, pids: 32, network: false },
        },
      ),
    );
    expect(within.out).toEqual([String(96 * MiB)]);
    const above = await execute(
      request('bash', 'true', {
        sandbox: { memoryMb: 4096, cpuMillis: null, pids: null, network: false },
      }),
    );
    expect(above.result).toMatchObject({
      status: 'failed',
      error: 'the event asks for 4096 MB of memory; the administrator allows at most 1024 MB',
    });
    const network = await execute(
      request('bash', 'true', {
        sandbox: { memoryMb: null, cpuMillis: null, pids: null, network: true },
      }),
    );
    expect(network.result.error).toMatch(/no container network is configured/);
  });

  it("reaps only its own installation's containers whose attempt is no longer current", async () => {
    const labels = (installation: string) => ({
      [CONTAINER_LABELS.installation]: installation,
      [CONTAINER_LABELS.runId]: '999',
      [CONTAINER_LABELS.attempt]: '1',
      [CONTAINER_LABELS.orchestrator]: `test-${process.pid}`,
    });
    const mine = `reap-mine-${process.pid}`;
    const theirs = `reap-theirs-${process.pid}`;
    const orphan = await docker.createContainer({
      Image: 'debian:bookworm-slim',
      Cmd: ['sleep', '30'],
      Labels: labels(mine),
    });
    const other = await docker.createContainer({
      Image: 'debian:bookworm-slim',
      Cmd: ['sleep', '30'],
      Labels: labels(theirs),
    });
    try {
      expect(
        await reapOrphanContainers(
          docker,
          mine,
          async () => new Set(['999:1:' + `test-${process.pid}`]),
        ),
      ).toBe(0);
      expect(await reapOrphanContainers(docker, mine, async () => new Set())).toBe(1);
      await expect(orphan.inspect()).rejects.toMatchObject({ statusCode: 404 });
      expect((await other.inspect()).Id).toBe(other.id);
    } finally {
      await other.remove({ force: true });
      await orphan.remove({ force: true }).catch(() => undefined);
    }
  });

  it('fails clearly when the image is missing and cannot be pulled', async () => {
    const { result } = await execute(
      request('bash', 'true', { image: 'cronium-test/does-not-exist:1' }),
    );
    expect(result).toMatchObject({
      status: 'failed',
      exitCode: null,
      error: expect.stringMatching(
        /^image cronium-test\/does-not-exist:1 is not on this Docker engine and could not be pulled/,
      ),
    });
  });
});

describe('ContainerExecutor network choice', () => {
  // Refused before anything reaches Docker: no engine is needed.
  const withNetwork = (mayUseNetwork?: (r: ExecutionRequest) => Promise<boolean>) =>
    new ContainerExecutor({
      docker: new Dockerode({ socketPath: '/nonexistent/docker.sock' }),
      images: { bash: 'debian:bookworm-slim', python: 'python:3', node: 'node:24' },
      caps: {
        maxMemoryBytes: 1024 * MiB,
        maxNanoCpus: 2e9,
        maxPids: 512,
        maxTmpfsBytes: 256 * MiB,
        allowedNetworks: ['jobs'],
        allowedReadOnlyBinds: [],
      },
      limits,
      network: 'jobs',
      ...(mayUseNetwork ? { mayUseNetwork } : {}),
      user: '65534:65534',
      orchestratorId: 'test',
      installationId: 'test',
      killGraceMs: 500,
    });
  const asking = request('bash', 'true', {
    sandbox: { memoryMb: null, cpuMillis: null, pids: null, network: true },
  });

  it("keeps a non-admin's event off the container network, which is outside the egress policy", async () => {
    for (const executor of [withNetwork(async () => false), withNetwork()]) {
      const result = await executor.run(asking, {
        signal: new AbortController().signal,
        onLog: () => {},
      });
      expect(result).toEqual({
        status: 'failed',
        exitCode: null,
        error:
          "only an admin's container events may use the container network (it is not under the egress policy)",
      });
    }
  });
});
