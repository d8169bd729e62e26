// Cronium's runner image (docker/runner), as CI builds it (.ci/build-runner-image.sh), run the
// way every container event runs: an unprivileged numeric user, a read-only root, tmpfs /tmp
// and /work, no network.
import { existsSync } from 'node:fs';
import Dockerode from 'dockerode';
import type { ExecutionLogLine } from '../executor.ts';
import { ContainerExecutor, CONTAINER_LABELS } from './container-executor.ts';
import { RUNNER_IMAGE } from './script-command.ts';

const docker = new Dockerode();
const MiB = 2 ** 20;
const owner = `test-runner-image-${process.pid}`;
const executor = new ContainerExecutor({
  docker,
  images: { bash: RUNNER_IMAGE, python: RUNNER_IMAGE, node: RUNNER_IMAGE },
  caps: {
    maxMemoryBytes: 1024 * MiB,
    maxNanoCpus: 2e9,
    maxPids: 512,
    maxTmpfsBytes: 256 * MiB,
    allowedNetworks: [],
    allowedReadOnlyBinds: [],
  },
  limits: { memoryBytes: 256 * MiB, nanoCpus: 1e9, pids: 64, tmpfsBytes: 16 * MiB },
  user: '12345:12345',
  orchestratorId: owner,
  installationId: owner,
  killGraceMs: 500,
});

let runId = 0;
async function execute(type: 'bash' | 'python' | 'node', script: string) {
  const lines: ExecutionLogLine[] = [];
  const result = await executor.run(
    { runId: ++runId, attempt: 1, eventId: 1, type, script, http: null, env: {} },
    { signal: new AbortController().signal, onLog: (line) => lines.push(line) },
  );
  return {
    result,
    out: lines.filter((l) => l.stream === 'stdout').map((l) => l.text),
    err: lines.filter((l) => l.stream === 'stderr').map((l) => l.text),
  };
}

const engineReachable = existsSync('/var/run/docker.sock');
const describeWithDocker = engineReachable || process.env.CI === 'true' ? describe : describe.skip;

describeWithDocker(`the runner image ${RUNNER_IMAGE} (real Docker)`, () => {
  afterAll(async () => {
    const left = await docker.listContainers({
      all: true,
      filters: { label: [`${CONTAINER_LABELS.orchestrator}=${owner}`] },
    });
    expect(left).toEqual([]);
  });

  it('is on the engine, sets no user or entrypoint, and carries its contract label', async () => {
    const config = (await docker.getImage(RUNNER_IMAGE).inspect()).Config;
    expect(config.User ?? '').toBe('');
    expect(config.Entrypoint ?? null).toBeNull();
    expect(config.Labels).toMatchObject({ 'cronium.runner.contract': '1' });
  });

  it('has every program a bash, python or node event and the Bash SDK need, for any uid', async () => {
    const { result, out, err } = await execute(
      'bash',
      [
        'for p in sh cat bash curl python3 node; do command -v "$p" >/dev/null && echo "$p ok"; done',
        'curl --version | head -n 1 | cut -d" " -f1',
        'test -s /etc/ssl/certs/ca-certificates.crt && echo "ca ok"',
        'echo "uid $(id -u) home $HOME"',
        'echo kept > "$HOME/.dotfile" && cat "$HOME/.dotfile"',
      ].join('\n'),
    );
    expect({ result, err }).toEqual({ result: { status: 'succeeded', exitCode: 0 }, err: [] });
    expect(out).toEqual([
      'sh ok',
      'cat ok',
      'bash ok',
      'curl ok',
      'python3 ok',
      'node ok',
      'curl',
      'ca ok',
      'uid 12345 home /tmp',
      'kept',
    ]);
  });

  it('runs Python 3 unbuffered and without writing bytecode on the read-only root', async () => {
    const { result, out } = await execute(
      'python',
      'import sys, json, ssl, sqlite3\nprint(sys.version_info[0], sys.flags.dont_write_bytecode, sys.stdout.write_through)',
    );
    expect(result).toEqual({ status: 'succeeded', exitCode: 0 });
    expect(out).toEqual(['3 1 True']);
  });

  it('runs Node.js 24', async () => {
    const { result, out } = await execute(
      'node',
      'console.log(process.versions.node.split(".")[0], typeof fetch)',
    );
    expect(result).toEqual({ status: 'succeeded', exitCode: 0 });
    expect(out).toEqual(['24 function']);
  });
});
