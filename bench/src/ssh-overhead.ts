// A Cronium SSH run of `true` over a pooled connection (SFTP upload of script and
// environment into a fresh directory, launcher in its own session, exit status, cleanup)
// against a fresh `ssh host true` with OpenSSH's client, on a private sshd on loopback.
// Target: at most 0.5x. Needs root and the test login (bash .ci/provision-sshd.sh).
// Usage: node bench/src/ssh-overhead.ts   (BENCH_RUNS)
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkedLookup, EgressPolicy } from '@cronium/egress';
import { SshConnectionPool, SshExecutor, type SshServer } from '@cronium/executors';
import { privateSshdAvailable, startPrivateSshd } from '@cronium/executors/testing';
import { rawSamples, summarize, writeResults } from './results.ts';

if (!privateSshdAvailable()) {
  throw new Error(
    'needs root, /usr/sbin/sshd and the cronium-ssh login: bash .ci/provision-sshd.sh',
  );
}
const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const sshd = await startPrivateSshd();
const scratch = mkdtempSync(join(tmpdir(), 'cronium-bench-ssh-'));
const knownHosts = join(scratch, 'known_hosts');
const hostPub = execFileSync(
  'ssh-keyscan',
  ['-t', 'ed25519', '-p', String(sshd.port), '127.0.0.1'],
  {
    stdio: ['ignore', 'pipe', 'ignore'],
  },
).toString();
writeFileSync(knownHosts, hostPub);

const server: SshServer = {
  id: 1,
  name: 'bench',
  host: sshd.host,
  port: sshd.port,
  username: sshd.username,
  auth: { method: 'private_key', privateKey: sshd.privateKey },
  hostKeyFingerprint: sshd.hostKeyFingerprint,
  maxConnections: 1,
};
const pool = new SshConnectionPool();
// The sshd is on loopback: the bench runs as an admin's events would.
const egress = checkedLookup(new EgressPolicy({ allow: [], allowMetadata: [] }), { admin: true });
const executor = new SshExecutor({ pool, egress: async () => egress });

function fresh(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      'ssh',
      [
        '-i',
        sshd.privateKeyPath,
        '-p',
        String(sshd.port),
        '-o',
        'BatchMode=yes',
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        `UserKnownHostsFile=${knownHosts}`,
        '-o',
        'ControlMaster=no',
        '-o',
        'ControlPath=none',
        `${sshd.username}@127.0.0.1`,
        'true',
      ],
      { stdio: 'ignore' },
    );
    child.on('exit', (code) =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(`ssh exited ${code}`)),
    );
  });
}

async function cronium(i: number): Promise<number> {
  const started = performance.now();
  const result = await executor.run(
    {
      runId: i,
      attempt: 1,
      eventId: 1,
      type: 'bash',
      script: 'true',
      http: null,
      env: { CRONIUM_RUN_ID: String(i) },
      servers: [server],
    },
    { signal: new AbortController().signal, onLog: () => undefined },
  );
  if (result.status !== 'succeeded') throw new Error(JSON.stringify(result));
  return performance.now() - started;
}

try {
  for (let i = 0; i < 3; i++) {
    await fresh();
    await cronium(i);
  }
  const freshTimes: number[] = [];
  const pooledTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    freshTimes.push(await fresh());
    pooledTimes.push(await cronium(100 + i));
  }
  const f = summarize(freshTimes);
  const p = summarize(pooledTimes);
  writeResults(
    'ssh-overhead',
    {
      runs: RUNS,
      freshSshTrueMs: f,
      croniumPooledSshRunMs: p,
      ratioMean: Math.round((p.mean / f.mean) * 100) / 100,
      ratioP50: Math.round((p.p50 / f.p50) * 100) / 100,
      target: 'ratio <= 0.5',
    },
    { freshSshTrue: rawSamples(freshTimes), croniumPooledSshRun: rawSamples(pooledTimes) },
  );
} finally {
  await pool.close();
  await sshd.stop();
  rmSync(scratch, { recursive: true, force: true });
}
