import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionLogLine, ExecutionRequest } from './executor.ts';
import { HelperProcessLauncher } from './launch/index.ts';
import { LocalExecutor } from './local-executor.ts';
import { LocalIsolation, canSwitchUsers } from './local-isolation.ts';

const UID_BASE = 1_900_100_000;
const PATH = '/usr/local/bin:/usr/bin:/bin';

const request = (
  ownerId: number,
  type: 'bash' | 'python' | 'node',
  script: string,
  env: Record<string, string> = {},
): ExecutionRequest => ({
  runId: 7,
  attempt: 1,
  eventId: 3,
  ownerId,
  http: null,
  type,
  script,
  env: { PATH, ...env },
  runtime: { apiUrl: 'http://127.0.0.1:9', socketPath: null, token: () => 'run-token-x' },
});

/** Live processes (not zombies waiting to be reaped) whose real uid is `uid`. */
function processesOf(uid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        return new RegExp(`^Uid:\\s+${uid}\\s`, 'm').test(status) && !/^State:\s+Z/m.test(status);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function execute(executor: LocalExecutor, req: ExecutionRequest) {
  const lines: ExecutionLogLine[] = [];
  const result = await executor.run(req, {
    signal: new AbortController().signal,
    onLog: (l) => lines.push(l),
  });
  return { result, out: lines.map((l) => l.text) };
}

describe('HelperProcessLauncher', () => {
  it("starts its helper without this process's environment (no CRONIUM_*, no DATABASE_URL)", async () => {
    process.env.CRONIUM_ENCRYPTION_KEY_FOR_TEST = 'must-not-leak';
    process.env.DATABASE_URL ??= 'postgres://secret@127.0.0.1/x';
    const launcher = new HelperProcessLauncher();
    const executor = new LocalExecutor({ launcher });
    try {
      const { out } = await execute(
        executor,
        request(
          1,
          'bash',
          'echo "$PPID"; tr "\\0" "\\n" < /proc/$PPID/environ | grep -c . || true',
        ),
      );
      const helperPid = Number(out[0]);
      expect(helperPid).toBeGreaterThan(1);
      // Read from outside too, while the helper still runs.
      const environ = readFileSync(`/proc/${helperPid}/environ`, 'utf8');
      expect(environ).not.toMatch(/CRONIUM_|DATABASE_URL/);
      // Only what Node.js sets for the IPC channel.
      const names = environ
        .split('\0')
        .filter(Boolean)
        .map((v) => v.split('=')[0]);
      expect(names.filter((n) => !n!.startsWith('NODE_CHANNEL_'))).toEqual([]);
    } finally {
      delete process.env.CRONIUM_ENCRYPTION_KEY_FOR_TEST;
      await launcher.close();
    }
  });
});

const root = canSwitchUsers();
const modes: ('none' | 'bubblewrap')[] = ['none', 'bubblewrap'];

(root ? describe.each(modes) : describe.skip.each(modes))(
  'LocalExecutor with isolation (sandbox: %s)',
  (mode) => {
    let isolation: LocalIsolation;
    let workRoot: string;
    const launcher = new HelperProcessLauncher();
    let executor: LocalExecutor;

    beforeAll(async () => {
      workRoot = mkdtempSync(join(tmpdir(), 'cronium-iso-'));
      execFileSync('chmod', ['1777', workRoot]);
      isolation = await LocalIsolation.prepare({
        workRoot,
        uidBase: UID_BASE,
        sandbox: mode === 'none' ? 'off' : 'auto',
      });
      executor = new LocalExecutor({ launcher, isolation, killGraceMs: 300 });
    });
    afterAll(async () => {
      await launcher.close();
      await isolation?.close();
      rmSync(workRoot, { recursive: true, force: true });
    });

    it('is the sandbox asked for (bubblewrap is installed on the test machines)', () => {
      // A failed probe would say why here (and the orchestrator would log it).
      expect({ sandbox: isolation.sandbox, problem: isolation.sandboxProblem }).toEqual({
        sandbox: mode,
        problem: undefined,
      });
    });

    it('runs each language as the owner uid, with no supplementary groups, in a 0700 directory of its own', async () => {
      const { result, out } = await execute(
        executor,
        request(
          4,
          'bash',
          'id -u; id -g; id -G; stat -c "%u %a" "$PWD"; cronium_set_output ok >/dev/null 2>&1; echo done',
        ),
      );
      expect(result.status).toBe('succeeded');
      const uid = String(UID_BASE + 4);
      expect(out).toEqual([uid, uid, uid, `${uid} 700`, 'done']);
      for (const [type, script] of [
        ['python', 'import os, cronium\nprint(os.getuid())'],
        ['node', 'require("cronium"); console.log(process.getuid())'],
      ] as const) {
        const ran = await execute(executor, request(4, type, script));
        expect(ran).toMatchObject({ result: { status: 'succeeded' }, out: [uid] });
      }
    });

    it('cannot read the environment of this process or its helper, nor write the SDK files', async () => {
      const { out } = await execute(
        executor,
        request(
          5,
          'bash',
          `cat /proc/${process.pid}/environ >/dev/null 2>&1 && echo read-orchestrator
           cat /proc/$PPID/environ >/dev/null 2>&1 && echo read-parent
           echo x 2>/dev/null >> "${isolation.sdkDir}/bash/cronium.sh" && echo wrote-sdk
           echo x 2>/dev/null >> "$(readlink -f node_modules/cronium)/index.js" && echo wrote-sdk-link
           touch "${isolation.sdkDir}/new" 2>/dev/null && echo wrote-sdk-dir
           echo end`,
        ),
      );
      expect(out).toEqual(['end']);
      expect(readFileSync(join(isolation.sdkDir, 'bash', 'cronium.sh'), 'utf8')).not.toMatch(
        /x\n$/,
      );
    });

    it("keeps owners apart: one cannot read another's running script, its environment or directory", async () => {
      const secret = 'secret-of-owner-six';
      let announce: (text: string) => void = () => undefined;
      const announced = new Promise<string>((resolve) => (announce = resolve));
      const victim = executor.run(
        request(6, 'bash', 'echo "$$ $PWD"; sleep 3', { SECRET_VALUE: secret }),
        { signal: new AbortController().signal, onLog: (l) => announce(l.text) },
      );
      const [, victimDir] = (await announced).split(' ');
      // The victim's host pid: the process of its uid running `sleep 3`.
      const victimPids = processesOf(UID_BASE + 6);
      expect(victimPids.length).toBeGreaterThan(0);
      const { out } = await execute(
        executor,
        request(
          7,
          'bash',
          `for p in ${victimPids.join(' ')}; do cat /proc/$p/environ 2>/dev/null; done
           grep -rl ${secret} /proc/[0-9]*/environ 2>/dev/null
           ls "${victimDir}" 2>/dev/null && echo listed
           cat "${victimDir}/script.sh" 2>/dev/null && echo read-script
           echo end`,
        ),
      );
      expect(out.join('\n')).not.toContain(secret);
      expect(out).toEqual(['end']);
      expect((await victim).status).toBe('succeeded');
    });

    it('leaves no process of the owner behind, not even one that left the group (setsid)', async () => {
      const uid = UID_BASE + 8;
      const { result } = await execute(
        executor,
        request(
          8,
          'bash',
          "setsid bash -c 'exec sleep 300' </dev/null >/dev/null 2>&1 & sleep 0.2; exit 0",
        ),
      );
      expect(result.status).toBe('succeeded');
      for (let i = 0; i < 50 && processesOf(uid).length > 0; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(processesOf(uid)).toEqual([]);
    });

    it('removes the directory it made, also what the script made inside it', async () => {
      const { out } = await execute(
        executor,
        request(9, 'bash', 'mkdir -p a/b; touch a/b/c; chmod 000 a; echo "$PWD"'),
      );
      expect(existsSync(out[0]!)).toBe(false);
    });

    it('keeps the runtime copy read-only to scripts', () => {
      expect(statSync(isolation.sdkDir).uid).toBe(process.getuid!());
      expect(statSync(isolation.sdkDir).mode & 0o777).toBe(0o755);
    });

    it("removes runtime copies of processes that are gone, never a live one's", async () => {
      const gone = join(workRoot, 'cronium-local-2147483646-abc');
      mkdirSync(join(gone, 'sdk'), { recursive: true });
      const again = await LocalIsolation.prepare({ workRoot, uidBase: UID_BASE, sandbox: 'off' });
      try {
        expect(existsSync(gone)).toBe(false);
        expect(existsSync(isolation.sdkDir)).toBe(true);
      } finally {
        await again.close();
      }
    });
  },
);
