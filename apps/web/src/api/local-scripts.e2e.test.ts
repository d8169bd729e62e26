// Local scripts of an ordinary user, tried as an attacker would (the review's C1 scenario),
// through the public API, with ORCHESTRATOR_LOCAL=everyone. The tests run as root, so the
// orchestrator switches users: each step of the exploit must fail, seen from the script's
// output and from the host.
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminAndUser, startApiStack, type ApiStack } from './testing/api-stack.ts';

const DOCKER_SOCKET = '/var/run/docker.sock';
const CHECKOUT_SDK = join(__dirname, '..', '..', '..', '..', 'packages', 'sdk', 'files');
const VICTIM_SECRET = 'victim-secret-7d1c9a44e1';
const CANARY = 'secrets-json-canary-93b1';

/** Live processes (not zombies) whose real uid is `uid`. */
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

const sdkHash = () =>
  createHash('sha256')
    .update(
      ['bash/cronium.sh', 'python/cronium.py', 'node/cronium/index.js']
        .map((f) => readFileSync(join(CHECKOUT_SDK, f)))
        .join('\0'),
    )
    .digest('hex');

// auto: bubblewrap where it works (it does on the test machines); off: user switching alone.
describe.each(['auto', 'off'])(
  'local scripts of an ordinary user cannot reach Cronium, other owners or the host (sandbox %s)',
  (sandbox) => {
    let stack: ApiStack;
    let admin: string;
    let bob: string;
    const call: ApiStack['call'] = (...args) => stack.call(...args);

    beforeAll(async () => {
      stack = await startApiStack({
        engine: true,
        orchestratorEnv: { ORCHESTRATOR_LOCAL: 'everyone', ORCHESTRATOR_LOCAL_SANDBOX: sandbox },
      });
      ({ admin, user: bob } = await adminAndUser(stack));
      // The data directory as an install may leave it (traversable), with the services' secrets
      // file as embedded installs write it (0600).
      chmodSync(stack.dataDir, 0o755);
      writeFileSync(join(stack.dataDir, 'secrets.json'), JSON.stringify({ key: CANARY }), {
        mode: 0o600,
      });
    }, 180_000);
    afterAll(async () => {
      await stack?.stop();
    });

    async function logLines(auth: string, runId: number): Promise<string[]> {
      const logs = (await call('GET', `/api/v1/runs/${runId}/logs?after=0`, auth)).json;
      return logs.map((l: { text: string }) => l.text);
    }

    it('every step of the exploit fails', async () => {
      const sdkBefore = sdkHash();
      // Another owner's script runs meanwhile, with a secret in its environment.
      const victimEvent = (
        await call('POST', '/api/v1/events', admin, {
          name: 'victim',
          type: 'bash',
          targetKind: 'local',
          script: 'echo "ready $(id -u) $PWD"; sleep 30',
          secretEnv: { VICTIM_SECRET },
        })
      ).json;
      const victimRun = (await call('POST', `/api/v1/events/${victimEvent.id}/runs`, admin, {}))
        .json;
      let ready: string | undefined;
      for (let i = 0; i < 200 && !ready; i++) {
        ready = (await logLines(admin, victimRun.id)).find((l) => l.startsWith('ready '));
        if (!ready) await new Promise((r) => setTimeout(r, 50));
      }
      const [, victimUid, victimDir] = ready!.split(' ');
      const victimPids = processesOf(Number(victimUid));
      expect(victimPids.length).toBeGreaterThan(0);

      const script = `
      step() { if ( eval "$2" ) >/dev/null 2>&1; then echo "LEAK $1"; else echo "blocked $1"; fi; }
      echo "uid $(id -u) $(id -G)"
      step parent-environ 'grep -aq . /proc/$PPID/environ'
      step orchestrator-environ 'grep -aq . /proc/${stack.orchestratorPid}/environ'
      step service-secrets-in-proc 'cat /proc/[0-9]*/environ | tr "\\0" "\\n" | grep -Eq "^(CRONIUM_ENCRYPTION_KEY|CRONIUM_JWT_SECRET|DATABASE_URL)="'
      step secrets-json 'cat ${stack.dataDir}/secrets.json'
      step find-secrets-json 'find ${stack.dataDir} /tmp -name secrets.json -readable | grep -q .'
      step victim-environ 'for p in ${victimPids.join(' ')}; do grep -aq . /proc/$p/environ && exit 0; done; exit 1'
      step victim-secret-in-proc 'cat /proc/[0-9]*/environ | grep -aq ${VICTIM_SECRET}'
      step victim-workdir 'ls ${victimDir}'
      step victim-script 'cat ${victimDir}/script.sh'
      step docker-socket-access 'test -r ${DOCKER_SOCKET} -o -w ${DOCKER_SOCKET}'
      step docker-socket-connect 'python3 -c "import socket; s = socket.socket(socket.AF_UNIX); s.connect(\\"${DOCKER_SOCKET}\\")"'
      step sdk-bash-env 'echo "# x" >> "$BASH_ENV"'
      step sdk-python 'echo "# x" >> "$(readlink -f cronium.py)"'
      step sdk-node 'echo "// x" >> "$(readlink -f node_modules/cronium)/index.js"'
      step sdk-checkout 'echo "# x" >> ${CHECKOUT_SDK}/bash/cronium.sh'
      setsid sleep 301 </dev/null >/dev/null 2>&1 &
      setsid bash -c 'sleep 302' </dev/null >/dev/null 2>&1 &
      sleep 0.2
      echo end`;
      const event = await call('POST', '/api/v1/events', bob, {
        name: 'alice-style',
        type: 'bash',
        targetKind: 'local',
        script,
      });
      expect(event.status).toBe(201);
      const run = (await call('POST', `/api/v1/events/${event.json.id}/runs`, bob, {})).json;
      expect(await stack.finished(bob, run.id)).toMatchObject({ status: 'succeeded' });
      const lines = await logLines(bob, run.id);

      // Bob's own uid, not root, not the victim's; no supplementary groups.
      const [, uid, groups] = lines[0]!.split(' ');
      expect(Number(uid)).toBeGreaterThan(stack.uidBase);
      expect(uid).not.toBe(victimUid);
      expect(groups).toBe(uid);
      expect(lines.slice(1)).toEqual([
        'blocked parent-environ',
        'blocked orchestrator-environ',
        'blocked service-secrets-in-proc',
        'blocked secrets-json',
        'blocked find-secrets-json',
        'blocked victim-environ',
        'blocked victim-secret-in-proc',
        'blocked victim-workdir',
        'blocked victim-script',
        'blocked docker-socket-access',
        'blocked docker-socket-connect',
        'blocked sdk-bash-env',
        'blocked sdk-python',
        'blocked sdk-node',
        'blocked sdk-checkout',
        'end',
      ]);
      // From the host: the SDK files are unchanged, nothing of bob's uid survives the run
      // (setsid included), the victim ran on undisturbed.
      expect(sdkHash()).toBe(sdkBefore);
      for (let i = 0; i < 100 && processesOf(Number(uid)).length > 0; i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(processesOf(Number(uid))).toEqual([]);
      expect((await call('GET', `/api/v1/runs/${victimRun.id}`, admin)).json.status).toBe(
        'running',
      );
      await call('POST', `/api/v1/runs/${victimRun.id}/cancel`, admin, {});
      expect(await stack.finished(admin, victimRun.id)).toMatchObject({ status: 'cancelled' });
      expect(processesOf(Number(victimUid))).toEqual([]);
    }, 60_000);
  },
);
