import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { isFinalRunStatus } from '@cronium/contracts';
import { createEmptyTestDatabase } from '@cronium/db/testing';
import {
  freePort,
  spawnService,
  waitForStatus,
  type ServiceProcess,
} from '@cronium/service-kit/testing';

export const TEST_PASSWORD = 'correct horse battery';
const appsDir = join(__dirname, '..', '..', '..', '..');

export interface ApiAnswer {
  status: number;
  type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read any JSON shape
  json: any;
  text: string;
}

export interface OrchestratorProcess {
  kill(): Promise<void>;
  /** Starts one again, with these variables besides the stack's. */
  start(env?: Record<string, string>): Promise<void>;
}

export interface ApiStack {
  base: string;
  /** A request; `auth` is an API token (crn_...) or a session cookie (name=value). */
  call(method: string, path: string, auth?: string, body?: unknown): Promise<ApiAnswer>;
  /** Signs in with the test password; the session cookie to pass as `auth`. */
  signIn(email: string): Promise<string>;
  /** Polls a run until it ends. */
  finished(auth: string, runId: number): Promise<Record<string, unknown>>;
  /** Polls a workflow run until it is no longer running, or `timeoutMs` (60 s) passed. */
  workflowRunEnded(auth: string, id: number, timeoutMs?: number): Promise<ApiAnswer['json']>;
  /** The data directory the services share. */
  dataDir: string;
  /** The stack's own database (for what a test must set that the API does not). */
  databaseUrl: string;
  /** The orchestrator's pid (with `engine`). */
  orchestratorPid: number | undefined;
  /** Local scripts of the user with id N run as uid `uidBase + N` (with `engine`, as root). */
  uidBase: number;
  /** The orchestrator (with `engine`): killed (SIGKILL, as a crash) and started again. */
  orchestrator: OrchestratorProcess | undefined;
  /** The ws process (with `live`): stopped and started again, its open sockets drop. */
  live: LiveProcess | undefined;
  stop(): Promise<void>;
}

export interface LiveProcess {
  /**
   * Ends the ws process: `SIGKILL` as a crash (connections cut without a close frame),
   * `SIGTERM` as a restart (it closes its sockets itself). The web port then refuses live
   * upgrades until `start`.
   */
  stop(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** Starts it again on the same port and waits until it is ready. */
  start(): Promise<void>;
}

/**
 * A running web process on a fresh database, for end-to-end tests of the public API; with
 * `engine`, also a runtime API and an orchestrator (local executor, no containers), so runs
 * really run.
 */
export async function startApiStack(
  options: {
    engine?: boolean;
    orchestratorEnv?: Record<string, string>;
    webEnv?: Record<string, string>;
    /** Also the ws process, reached through the web port's `/v1/live` (live logs). */
    live?: boolean;
  } = {},
): Promise<ApiStack> {
  const database = await createEmptyTestDatabase();
  const procs: ServiceProcess[] = [];
  const stop = async () => {
    for (const p of procs.reverse()) await p.stop(10_000);
    await database.drop();
  };
  // A uid range of this stack's, so parallel test files never share a script uid.
  const uidBase = 1_900_000_000 + Math.floor(Math.random() * 90_000) * 1_000;
  let orchestratorPid: number | undefined;
  try {
    const env = {
      DATABASE_URL: database.url,
      CRONIUM_DATA_DIR: mkdtempSync(join(tmpdir(), 'cronium-api-')),
      CRONIUM_ENCRYPTION_KEY: 'ab'.repeat(32),
      CRONIUM_JWT_SECRET: 'j'.repeat(40),
      LOG_LEVEL: 'warn',
    };
    const start = async (
      main: string,
      portVariable: string,
      extra: Record<string, string>,
      port?: number,
    ) => {
      port ??= await freePort();
      const proc = spawnService(join(appsDir, main), {
        ...env,
        ...extra,
        [portVariable]: String(port),
      });
      procs.push(proc);
      if (main.startsWith('orchestrator')) orchestratorPid = proc.child.pid;
      const url = `http://127.0.0.1:${port}`;
      await waitForStatus(`${url}/ready`, 200, { process: proc, timeoutMs: 60_000 });
      return url;
    };
    const webPort = await freePort();
    const wsPort = await freePort();
    const startLive = () =>
      start('ws/src/main.ts', 'WS_PORT', { WEB_PORT: String(webPort) }, wsPort);
    let live: LiveProcess | undefined;
    if (options.live) {
      await startLive();
      let ws = procs.at(-1)!;
      live = {
        async stop(signal) {
          const at = procs.indexOf(ws);
          if (at < 0) return; // already stopped
          procs.splice(at, 1);
          if (signal === 'SIGKILL') {
            ws.child.kill('SIGKILL');
            await ws.exited;
          } else await ws.stop(10_000);
        },
        async start() {
          await startLive();
          ws = procs.at(-1)!;
        },
      };
    }
    const base = await start(
      'web/src/main.ts',
      'WEB_PORT',
      { WS_PORT: String(wsPort), ...options.webEnv },
      webPort,
    );
    let orchestrator: OrchestratorProcess | undefined;
    if (options.engine) {
      const runtimeApi = await start('runtime-api/src/main.ts', 'RUNTIME_API_PORT', {
        RUNTIME_API_SOCKET: 'off',
      });
      const startOrchestrator = (extra: Record<string, string> = {}) =>
        start('orchestrator/src/main.ts', 'ORCHESTRATOR_PORT', {
          ORCHESTRATOR_CONTAINERS: 'off',
          RUNTIME_API_URL: runtimeApi,
          RUNTIME_API_SOCKET: 'off',
          ORCHESTRATOR_POLL_MS: '200',
          ORCHESTRATOR_LOCAL_UID_BASE: String(uidBase),
          ...options.orchestratorEnv,
          ...extra,
        });
      await startOrchestrator();
      let current = procs.at(-1)!;
      orchestrator = {
        async kill() {
          const at = procs.indexOf(current);
          if (at < 0) return;
          procs.splice(at, 1);
          current.child.kill('SIGKILL');
          await current.exited;
        },
        async start(extra) {
          await startOrchestrator(extra);
          current = procs.at(-1)!;
        },
      };
    }
    const call: ApiStack['call'] = async (method, path, auth, body) => {
      const response = await fetch(base + path, {
        method,
        headers: {
          ...(auth
            ? auth.startsWith('crn_')
              ? { authorization: `Bearer ${auth}` }
              : { cookie: auth }
            : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return {
        status: response.status,
        type: response.headers.get('content-type') ?? '',
        json: text ? JSON.parse(text) : undefined,
        text,
      };
    };
    const signIn = async (email: string) => {
      const response = await fetch(`${base}/api/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password: TEST_PASSWORD }),
      });
      return response.headers.get('set-cookie')!.split(';')[0]!;
    };
    const finished = async (auth: string, runId: number) => {
      for (let i = 0; i < 400; i++) {
        const run = (await call('GET', `/api/v1/runs/${runId}`, auth)).json;
        if (isFinalRunStatus(run.status)) return run;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`run ${runId} did not finish`);
    };
    const workflowRunEnded = async (auth: string, id: number, timeoutMs = 60_000) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const run = (await call('GET', `/api/v1/workflow-runs/${id}`, auth)).json;
        if (run.status !== 'running' || Date.now() > until) return run;
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    return {
      base,
      call,
      signIn,
      finished,
      workflowRunEnded,
      dataDir: env.CRONIUM_DATA_DIR,
      databaseUrl: database.url,
      orchestratorPid,
      orchestrator,
      uidBase,
      live,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Sets up the first admin and a second, ordinary user; their session cookies. */
export async function adminAndUser(stack: ApiStack): Promise<{ admin: string; user: string }> {
  await stack.call('POST', '/api/v1/setup', undefined, {
    email: 'admin@example.com',
    password: TEST_PASSWORD,
  });
  const admin = await stack.signIn('admin@example.com');
  const invitation = (
    await stack.call('POST', '/api/v1/invitations', admin, {
      email: 'bob@example.com',
      role: 'user',
    })
  ).json;
  await stack.call('POST', '/api/v1/invitations/accept', undefined, {
    token: invitation.invitationToken,
    password: TEST_PASSWORD,
  });
  return { admin, user: await stack.signIn('bob@example.com') };
}

/**
 * The property the tests over the routes hold: every method on each of `paths`, with any of
 * `bodies` (raw, valid JSON or not), gets a well-formed answer. `DELETE keep` is never sent:
 * it would remove what the other paths are about and end the property early.
 */
export async function expectWellFormedAnswers(
  stack: ApiStack,
  auth: string,
  options: { paths: string[]; bodies: fc.Arbitrary<string>; keep: string; numRuns: number },
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT'),
      fc.constantFrom(...options.paths),
      options.bodies,
      async (method, path, raw) => {
        if (method === 'DELETE' && path === options.keep) return;
        await expectWellFormedAnswer(stack, auth, method, path, raw);
      },
    ),
    { numRuns: options.numRuns },
  );
}

/**
 * Sends a raw body (valid JSON or not) and checks the answer is never a server error, and
 * that every error is problem+json.
 */
async function expectWellFormedAnswer(
  stack: ApiStack,
  auth: string,
  method: string,
  path: string,
  raw: string,
): Promise<void> {
  const response = await fetch(stack.base + path, {
    method,
    headers: { cookie: auth, 'content-type': 'application/json' },
    ...(method === 'GET' ? {} : { body: raw }),
  });
  expect(response.status).toBeLessThan(500);
  if (response.status >= 400)
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  await response.arrayBuffer();
}
