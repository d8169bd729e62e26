// End to end: the production image (docker/Dockerfile) as a user runs it, following the one
// `docker run` line of docs/deployment.md with host networking (these machines have no bridge
// network): an empty volume, the host's Docker socket, the two secrets. Run by
// `npm run test:image` (which builds the image first), not by the regular suite.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { promisify } from 'node:util';
import { isFinalRunStatus } from '@cronium/contracts';
import { freePort, waitForStatus } from '@cronium/service-kit/testing';

const run = promisify(execFile);
const image = process.env.CRONIUM_IMAGE ?? 'cronium:latest';
const suffix = randomBytes(4).toString('hex');
const name = `cronium-image-test-${suffix}`;
const volume = `cronium-image-test-${suffix}`;

async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run('docker', args, { maxBuffer: 64 * 2 ** 20 });
  return stdout.trim();
}

interface Run {
  id: number;
  status: string;
  attempt: number;
  maxAttempts: number;
  output: unknown;
  error: string | null;
  exitCode: number | null;
}

describe('the Cronium image', () => {
  jest.setTimeout(300_000);
  const ports: Record<string, number> = {};
  const setupToken = randomBytes(24).toString('hex');
  let api: string;
  let token: string;
  const events: Record<string, number> = {};

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${api}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async function waitForRun(id: number, timeoutMs = 120_000): Promise<Run> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await request<Run>('GET', `/runs/${id}`);
      if (isFinalRunStatus(found.status)) return found;
      if (Date.now() > deadline) throw new Error(`run ${id} still ${found.status}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async function logOf(id: number): Promise<string[]> {
    const lines = await request<{ text: string }[]>('GET', `/runs/${id}/logs?after=0`);
    return lines.map((line) => line.text);
  }

  /** Fails with the run's log when it did not succeed. */
  async function expectSucceeded(done: Run): Promise<void> {
    if (done.status !== 'succeeded' || done.error !== null)
      throw new Error(
        `run ${done.id} ${done.status}: ${done.error}\n${(await logOf(done.id)).join('\n')}`,
      );
  }

  async function ready(timeoutMs: number): Promise<void> {
    await waitForStatus(`${api.replace('/api/v1', '')}/ready`, 200, { timeoutMs });
  }

  async function containerLog(): Promise<string> {
    const { stdout, stderr } = await run('docker', ['logs', name], { maxBuffer: 64 * 2 ** 20 });
    return stdout + stderr;
  }

  beforeAll(async () => {
    for (const variable of [
      'WEB_PORT',
      'RUNTIME_API_PORT',
      'WS_PORT',
      'ORCHESTRATOR_PORT',
      'CRONIUM_EMBEDDED_PG_PORT',
    ])
      ports[variable] = await freePort();
    api = `http://127.0.0.1:${ports.WEB_PORT}/api/v1`;
    const socketGroup = String(statSync('/var/run/docker.sock').gid);
    await docker('volume', 'create', volume);
    // The documented line, plus host networking and free ports (this machine's constraint),
    // and a short health interval so the test need not wait 30 s for the first check.
    await docker(
      'run',
      '--detach',
      '--name',
      name,
      '--network',
      'host',
      '--stop-timeout',
      '40',
      '--health-interval',
      '2s',
      '--volume',
      `${volume}:/data`,
      '--volume',
      '/var/run/docker.sock:/var/run/docker.sock',
      '--group-add',
      socketGroup,
      '--env',
      `CRONIUM_ENCRYPTION_KEY=${randomBytes(32).toString('hex')}`,
      '--env',
      `CRONIUM_JWT_SECRET=${randomBytes(48).toString('base64')}`,
      '--env',
      `CRONIUM_SETUP_TOKEN=${setupToken}`,
      ...Object.entries(ports).flatMap(([variable, port]) => ['--env', `${variable}=${port}`]),
      image,
    );
  });

  afterAll(async () => {
    if (process.env.CRONIUM_IMAGE_TEST_KEEP) return;
    await docker('rm', '--force', '--volumes', name).catch(() => undefined);
    await docker('volume', 'rm', volume).catch(() => undefined);
  });

  it('is ready and healthy on an empty volume, as a non-root user under tini', async () => {
    try {
      await ready(180_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${await containerLog()}`, { cause: error });
    }
    const deadline = Date.now() + 60_000;
    let health = '';
    while (Date.now() < deadline) {
      health = await docker('inspect', '--format', '{{.State.Health.Status}}', name);
      if (health === 'healthy') break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(health).toBe('healthy');
    // A page, rendered by Next.js in the image (its pruned runtime is enough).
    const page = await fetch(`http://127.0.0.1:${ports.WEB_PORT}/signin`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('connected, schema up to date');
    expect(await docker('exec', name, 'id', '-u')).toBe('10001');
    expect(await docker('exec', name, 'cat', '/proc/1/comm')).toBe('tini');
  });

  it('creates the first admin through the API, with the setup token, and an API token', async () => {
    const refused = await fetch(`${api}/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@example.com', password: 'a long passphrase' }),
    });
    expect(refused.status).toBe(403);
    await request('POST', '/setup', {
      email: 'admin@example.com',
      password: 'a long passphrase',
      setupToken,
    });
    const session = await request<{ token: string }>('POST', '/sessions', {
      email: 'admin@example.com',
      password: 'a long passphrase',
    });
    token = session.token;
    const created = await request<{ token: string }>('POST', '/tokens', {
      name: 'image test',
      scopes: [
        'events:read',
        'events:write',
        'events:execute',
        'runs:read',
        'runs:write',
        'variables:read',
      ],
    });
    token = created.token;
    expect(token).toMatch(/^crn_/);
  });

  const scripts = {
    bash: 'echo "bash $(cronium_get_input)"\ncronium_set_variable from_bash "$BASH_VERSION"\ncronium_set_output \'"bash ok"\'',
    python:
      'import cronium, sys\nprint("python", cronium.get_input(), sys.version_info[0])\ncronium.set_variable("from_python", "yes")\ncronium.set_output("python ok")',
    node: "const cronium = require('cronium');\n(async () => {\n  console.log('node', JSON.stringify(await cronium.getInput()), process.versions.node);\n  await cronium.setVariable('from_node', 'yes');\n  await cronium.setOutput('node ok');\n})();",
  };

  it.each(Object.keys(scripts) as (keyof typeof scripts)[])(
    'runs a %s event locally, using the SDK',
    async (type) => {
      const event = await request<{ id: number }>('POST', '/events', {
        name: `local ${type}`,
        type,
        targetKind: 'local',
        script: scripts[type],
      });
      events[type] = event.id;
      const queued = await request<Run>('POST', `/events/${event.id}/runs`, { input: 42 });
      const done = await waitForRun(queued.id);
      await expectSucceeded(done);
      expect(done.output).toBe(`${type} ok`);
      expect((await logOf(queued.id)).join('\n')).toContain(`${type} 42`);
      const variable = await request<{ value: string }>('GET', `/variables/from_${type}`);
      expect(variable.value.length).toBeGreaterThan(0);
    },
  );

  it('runs a Bash event in a sibling container through the mounted Docker socket, using the SDK', async () => {
    const event = await request<{ id: number }>('POST', '/events', {
      name: 'container bash',
      type: 'bash',
      targetKind: 'container',
      script: 'echo "in a container as $(id -u)"\ncronium_set_output "$(cronium_get_input)"',
    });
    events.container = event.id;
    const queued = await request<Run>('POST', `/events/${event.id}/runs`, {
      input: { from: 'container' },
    });
    const done = await waitForRun(queued.id);
    await expectSucceeded(done);
    expect(done.output).toEqual({ from: 'container' });
    expect((await logOf(queued.id)).join('\n')).toMatch(/in a container as \d+/);
  });

  it("follows a run's live log through the published port", async () => {
    const event = await request<{ id: number }>('POST', '/events', {
      name: 'live',
      type: 'bash',
      targetKind: 'local',
      script: 'for i in 1 2 3; do echo "line $i"; sleep 0.3; done',
    });
    const socket = new WebSocket(`ws://127.0.0.1:${ports.WEB_PORT}/v1/live`, {
      headers: { authorization: `Bearer ${token}` },
    } as unknown as string[]);
    const frames: { type: string; text?: string; status?: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new Error('the live-log WebSocket did not open'));
    });
    const queued = await request<Run>('POST', `/events/${event.id}/runs`, {});
    const finished = new Promise<void>((resolve) => {
      socket.onmessage = (message) => {
        const frame = JSON.parse(String(message.data)) as (typeof frames)[number];
        frames.push(frame);
        if (frame.type === 'status' && frame.status && isFinalRunStatus(frame.status)) resolve();
      };
    });
    socket.send(JSON.stringify({ type: 'subscribe', runId: queued.id, afterSeq: 0 }));
    await finished;
    socket.close();
    expect(frames.filter((f) => f.type === 'log').map((f) => f.text)).toEqual([
      'line 1',
      'line 2',
      'line 3',
    ]);
    expect(frames.at(-1)).toMatchObject({ type: 'status', status: 'succeeded' });
  });

  it('finishes a run that is going when docker stop comes, and keeps everything across the restart', async () => {
    const event = await request<{ id: number }>('POST', '/events', {
      name: 'slow',
      type: 'bash',
      targetKind: 'local',
      script: 'echo start; sleep 3; echo end',
    });
    const queued = await request<Run>('POST', `/events/${event.id}/runs`, {});
    const deadline = Date.now() + 60_000;
    while ((await request<Run>('GET', `/runs/${queued.id}`)).status === 'queued') {
      if (Date.now() > deadline) throw new Error('the run never started');
      await new Promise((r) => setTimeout(r, 100));
    }
    // No --time: the container's own stop timeout (--stop-timeout 40) applies.
    await docker('stop', name);
    expect(await docker('inspect', '--format', '{{.State.ExitCode}}', name)).toBe('0');
    await docker('start', name);
    await ready(120_000);

    const done = await waitForRun(queued.id);
    await expectSucceeded(done);
    const lines = await logOf(queued.id);
    expect(lines).toContain('start');
    expect(lines).toContain('end');
    // Everything made before the restart is still there: events, runs, variables, the token.
    const list = await request<{ events: { id: number }[] }>('GET', '/events');
    expect(list.events.map((e) => e.id)).toEqual(
      expect.arrayContaining([...Object.values(events), event.id]),
    );
    const variable = await request<{ value: string }>('GET', '/variables/from_python');
    expect(variable.value).toBe('yes');
    // And it still runs scripts, locally and in containers.
    for (const id of [events.bash, events.container]) {
      const again = await request<Run>('POST', `/events/${id}/runs`, { input: 7 });
      await expectSucceeded(await waitForRun(again.id));
    }
  });
  it('hands a run that outlasts the stop grace back to the queue, and runs it again after the restart', async () => {
    const event = await request<{ id: number }>('POST', '/events', {
      name: 'outlasts the grace',
      type: 'bash',
      targetKind: 'local',
      script:
        'echo "attempt $CRONIUM_RUN_ATTEMPT"\nif [ "$CRONIUM_RUN_ATTEMPT" = 1 ]; then sleep 300; fi\necho finished',
    });
    const queued = await request<Run>('POST', `/events/${event.id}/runs`, {});
    const deadline = Date.now() + 60_000;
    while (!(await logOf(queued.id)).includes('attempt 1')) {
      if (Date.now() > deadline) throw new Error('the first attempt never started');
      await new Promise((r) => setTimeout(r, 100));
    }
    // The orchestrator waits ORCHESTRATOR_SHUTDOWN_GRACE_MS (15 s), stops the script and hands
    // the run back, all within the container's stop timeout: Docker never has to kill it.
    await docker('stop', name);
    expect(await docker('inspect', '--format', '{{.State.ExitCode}}', name)).toBe('0');
    await docker('start', name);
    await ready(120_000);

    const done = await waitForRun(queued.id);
    await expectSucceeded(done);
    expect(done).toMatchObject({ attempt: 2, maxAttempts: 1 });
    const lines = await logOf(queued.id);
    expect(lines).toEqual(expect.arrayContaining(['attempt 1', 'attempt 2', 'finished']));
  });
});
