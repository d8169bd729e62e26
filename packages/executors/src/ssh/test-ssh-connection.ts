import type { Client } from 'ssh2';
import type { DestinationCheck } from '@cronium/egress';
import { connectSsh, scanHostKey } from './ssh-connect.ts';
import type { SshServer } from './ssh-server.ts';

export interface SshConnectionReport {
  /** Reachable, the pinned key presented, authenticated, and a shell answered. */
  ok: boolean;
  reachable: boolean;
  hostKey: { presented: string | null; pinned: string | null; matches: boolean };
  authenticated: boolean;
  /** Whether the server allows the reverse port forward scripts reach the runtime API by. */
  runtimeApiForwarding: boolean;
  /**
   * Whether the server offers the SFTP subsystem. Runs upload their files over SFTP when it
   * does and through the shell (`cat > file`) when it does not, so either way is fine.
   */
  sftp: boolean;
  /** The version each interpreter reports, or null when it is not installed. */
  interpreters: { bash: string | null; python3: string | null; node: string | null };
  /** Connection set-up time (TCP, key exchange, authentication). */
  connectMs: number | null;
  error: string | null;
}

const PROBE = [
  'for i in bash python3 node; do',
  '  if command -v "$i" >/dev/null 2>&1; then',
  '    case "$i" in bash) v=$(bash -c \'echo $BASH_VERSION\');; *) v=$("$i" --version 2>&1 | head -n 1);; esac',
  '    echo "$i=$v"',
  '  else echo "$i="; fi',
  'done',
].join('\n');

/** Most probe output read; a server printing more (a ForceCommand, a chatty login) is cut off. */
export const PROBE_OUTPUT_LIMIT = 4096;

class ProbeDeadline extends Error {}

/**
 * The "Test connection" operation: checks reachability, the pinned host key, the credentials,
 * forwarding, SFTP and which interpreters exist, and says what is wrong in words. It opens its
 * own connection (never the pool's) and closes it. The whole test has one deadline
 * (`timeoutMs`, covering the scan, the connection, the probe command, the forward and the
 * SFTP check), and reads at most PROBE_OUTPUT_LIMIT bytes of the probe's output, so a server
 * that never answers or never stops talking costs a bounded time and memory.
 */
export async function testSshConnection(
  server: SshServer,
  options: { destination: DestinationCheck; timeoutMs?: number },
): Promise<SshConnectionReport> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  const remaining = () => Math.max(1, deadline - Date.now());
  const report: SshConnectionReport = {
    ok: false,
    reachable: false,
    hostKey: { presented: null, pinned: server.hostKeyFingerprint, matches: false },
    authenticated: false,
    runtimeApiForwarding: false,
    sftp: false,
    interpreters: { bash: null, python3: null, node: null },
    connectMs: null,
    error: null,
  };
  const aborter = new AbortController();
  /** `work`, or ProbeDeadline once the test's time is up. */
  const bounded = <T>(work: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        aborter.abort();
        reject(new ProbeDeadline());
      }, remaining());
      work.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error as Error);
        },
      );
    });
  const late = (step: string) => `no answer ${step} within ${timeoutMs} ms`;
  try {
    const scanned = await bounded(
      scanHostKey(server, { destination: options.destination, timeoutMs: remaining() }),
    );
    report.reachable = true;
    report.hostKey.presented = scanned.fingerprint;
    report.hostKey.matches = scanned.fingerprint === server.hostKeyFingerprint;
  } catch (error) {
    report.error =
      error instanceof ProbeDeadline ? late('to the host key scan') : (error as Error).message;
    return report;
  }
  const began = performance.now();
  let client: Client;
  try {
    client = await bounded(
      connectSsh(server, {
        destination: options.destination,
        timeoutMs: remaining(),
        signal: aborter.signal,
      }),
    );
  } catch (error) {
    report.error =
      error instanceof ProbeDeadline ? late('while connecting') : (error as Error).message;
    return report;
  }
  report.connectMs = Math.round(performance.now() - began);
  report.authenticated = true;
  let step = 'to the probe command';
  try {
    const output = await bounded(probe(client));
    if (output.cut) {
      report.error = `the server printed more than ${PROBE_OUTPUT_LIMIT} bytes for a short probe command: a ForceCommand or a login script that writes output would break runs too`;
      return report;
    }
    for (const line of output.text.split('\n')) {
      const match = /^(bash|python3|node)=(.*)$/.exec(line.trim());
      if (match) report.interpreters[match[1] as 'bash'] = match[2]!.trim() || null;
    }
    step = 'to the port forward request';
    report.runtimeApiForwarding = await bounded(
      new Promise<boolean>((resolve) =>
        client.forwardIn('127.0.0.1', 0, (error, port) => {
          if (error) return resolve(false);
          client.unforwardIn('127.0.0.1', port, () => resolve(true));
        }),
      ),
    );
    step = 'to the SFTP request';
    report.sftp = await bounded(
      new Promise<boolean>((resolve) =>
        client.sftp((error, sftp) => {
          if (error) return resolve(false);
          sftp.end();
          resolve(true);
        }),
      ),
    );
    report.ok = true;
  } catch (error) {
    report.error =
      error instanceof ProbeDeadline
        ? `connected, but ${late(step)}`
        : `connected, but running a command failed: ${(error as Error).message}`;
  } finally {
    // end() would wait for the server; a server that does not answer is simply dropped.
    client.destroy();
  }
  return report;
}

/** Runs the probe; keeps at most PROBE_OUTPUT_LIMIT bytes and stops reading past them. */
function probe(client: Client): Promise<{ text: string; cut: boolean }> {
  return new Promise((resolve, reject) => {
    client.exec(`exec sh -c '${PROBE.replaceAll("'", `'\\''`)}'`, (error, channel) => {
      if (error) return reject(error);
      const chunks: Buffer[] = [];
      let bytes = 0;
      let done = false;
      const finish = (cut: boolean) => {
        if (done) return;
        done = true;
        resolve({ text: Buffer.concat(chunks).toString('utf8'), cut });
      };
      channel.on('data', (chunk: Buffer) => {
        if (done) return;
        const room = PROBE_OUTPUT_LIMIT - bytes;
        chunks.push(chunk.subarray(0, room));
        bytes += Math.min(room, chunk.length);
        if (chunk.length > room) {
          finish(true);
          channel.destroy();
        }
      });
      channel.stderr.on('data', () => {});
      channel.once('close', () => finish(false));
    });
  });
}
