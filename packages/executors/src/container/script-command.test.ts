// Bring-your-own images that lack a program, against a real Docker engine: each test image is
// the CI script image with programs deleted (a container that removes them, committed), and
// is removed again afterwards.
import { existsSync } from 'node:fs';
import { SDK_DIR } from '@cronium/sdk';
import Dockerode from 'dockerode';
import type { ExecutionLogLine, ExecutionRequest } from '../executor.ts';
import { ContainerExecutor, CONTAINER_LABELS } from './container-executor.ts';
import { RUNNER_IMAGE } from './script-command.ts';

const docker = new Dockerode();
const MiB = 2 ** 20;
const BASE_IMAGE = 'debian:bookworm-slim';
const owner = `test-script-command-${process.pid}`;
const executor = new ContainerExecutor({
  docker,
  images: { bash: BASE_IMAGE, python: BASE_IMAGE, node: BASE_IMAGE },
  caps: {
    maxMemoryBytes: 1024 * MiB,
    maxNanoCpus: 2e9,
    maxPids: 512,
    maxTmpfsBytes: 256 * MiB,
    allowedNetworks: [],
    allowedReadOnlyBinds: [SDK_DIR, `${SDK_DIR}/node/cronium`],
  },
  limits: { memoryBytes: 128 * MiB, nanoCpus: 1e9, pids: 64, tmpfsBytes: 16 * MiB },
  user: '65534:65534',
  orchestratorId: owner,
  installationId: owner,
  killGraceMs: 500,
});

/** The SDK is mounted, as the orchestrator does; nothing listens at the URL. */
const runtime = { apiUrl: 'http://127.0.0.1:9', socketPath: null, token: () => 'token' };

let runId = 0;
async function execute(
  type: 'bash' | 'python' | 'node',
  image: string,
  script: string,
  extra: Partial<ExecutionRequest> = {},
) {
  const lines: ExecutionLogLine[] = [];
  const result = await executor.run(
    { runId: ++runId, attempt: 1, eventId: 1, type, script, http: null, env: {}, image, ...extra },
    { signal: new AbortController().signal, onLog: (line) => lines.push(line) },
  );
  return {
    result,
    out: lines.filter((l) => l.stream === 'stdout').map((l) => l.text),
    err: lines.filter((l) => l.stream === 'stderr').map((l) => l.text),
  };
}

const built: string[] = [];
/** The base image without the given files, tagged cronium-test/<name>:<pid>. */
async function imageWithout(name: string, paths: string[]): Promise<string> {
  const tag = `cronium-test/${name}:${process.pid}`;
  const container = await docker.createContainer({
    Image: BASE_IMAGE,
    Cmd: ['rm', '-f', ...paths],
    Labels: { [CONTAINER_LABELS.orchestrator]: owner },
    HostConfig: { NetworkMode: 'none' },
  });
  try {
    await container.start();
    expect(await container.wait()).toMatchObject({ StatusCode: 0 });
    await container.commit({ repo: `cronium-test/${name}`, tag: String(process.pid) });
    built.push(tag);
  } finally {
    await container.remove({ force: true });
  }
  return tag;
}

const missing = (image: string, program: string, neededBy: string) =>
  `the image ${image} has no ${program}, which ${neededBy}; use ${RUNNER_IMAGE} or install ${program}`;

const engineReachable = existsSync('/var/run/docker.sock');
const describeWithDocker = engineReachable || process.env.CI === 'true' ? describe : describe.skip;

describeWithDocker('a container image without what the run needs (real Docker)', () => {
  jest.setTimeout(60_000);
  const images: Record<string, string> = {};

  beforeAll(async () => {
    images.curl = await imageWithout('without-curl', ['/usr/bin/curl', '/bin/curl']);
    images.bash = await imageWithout('without-bash', ['/usr/bin/bash', '/bin/bash']);
    images.python3 = await imageWithout('without-python3', ['/usr/bin/python3', '/bin/python3']);
    images.node = await imageWithout('without-node', ['/usr/local/bin/node']);
    images.cat = await imageWithout('without-cat', ['/usr/bin/cat', '/bin/cat']);
    images.sh = await imageWithout('without-sh', ['/usr/bin/sh', '/bin/sh']);
  });

  afterAll(async () => {
    for (const tag of built) await docker.getImage(tag).remove({ force: true });
    for (const tag of built)
      await expect(docker.getImage(tag).inspect()).rejects.toMatchObject({ statusCode: 404 });
    const left = await docker.listContainers({
      all: true,
      filters: { label: [`${CONTAINER_LABELS.orchestrator}=${owner}`] },
    });
    expect(left).toEqual([]);
  });

  it('fails a Bash script that calls the SDK in an image without curl, naming curl', async () => {
    const { result, out, err } = await execute(
      'bash',
      images.curl!,
      'echo "before the SDK"\ncronium_get_input',
      { runtime },
    );
    const message = missing(images.curl!, 'curl', 'the Bash SDK needs');
    expect(result).toEqual({ status: 'failed', exitCode: 127, error: message });
    expect(out).toEqual([]);
    expect(err).toEqual([message]);
  });

  it('runs a Bash script that does not call the SDK in the same image', async () => {
    const { result, out } = await execute('bash', images.curl!, 'echo "no SDK needed"', {
      runtime,
    });
    expect(result).toEqual({ status: 'succeeded', exitCode: 0 });
    expect(out).toEqual(['no SDK needed']);
  });

  it.each([
    ['bash', 'bash', 'echo hi'],
    ['python', 'python3', 'print("hi")'],
    ['node', 'node', 'console.log("hi")'],
  ] as const)(
    'fails a %s script in an image without %s, naming it',
    async (type, program, script) => {
      const image = images[program]!;
      const { result, out, err } = await execute(type, image, script);
      const message = missing(image, program, `${type} events need`);
      expect(result).toEqual({ status: 'failed', exitCode: 127, error: message });
      expect(out).toEqual([]);
      expect(err).toEqual([message]);
    },
  );

  it('fails in an image without cat, after reading the whole script from stdin', async () => {
    const { result, err } = await execute(
      'python',
      images.cat!,
      `x = "${'a'.repeat(600_000)}"\nprint(len(x))`,
    );
    const message = missing(images.cat!, 'cat', 'Cronium needs to receive the script');
    expect(result).toEqual({ status: 'failed', exitCode: 127, error: message });
    expect(err).toEqual([message]);
  });

  it('fails in an image without sh, naming sh', async () => {
    const { result } = await execute('bash', images.sh!, 'echo hi');
    expect(result).toEqual({
      status: 'failed',
      exitCode: 127,
      error: missing(images.sh!, 'sh', 'Cronium needs to start a script'),
    });
  });

  it("leaves a script's own exit code 127 as it is", async () => {
    const { result, err } = await execute('bash', BASE_IMAGE, 'no-such-program-here');
    expect(result).toEqual({ status: 'failed', exitCode: 127, error: 'exited with code 127' });
    expect(err).toEqual([expect.stringMatching(/no-such-program-here: command not found$/)]);
  });
});
