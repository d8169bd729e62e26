import type { Client } from 'ssh2';
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

/**
 * The "Test connection" operation: checks reachability, the pinned host key, the credentials,
 * and which interpreters exist, and says what is wrong in words. It opens its own connection
 * (never the pool's) and closes it.
 */
export async function testSshConnection(
  server: SshServer,
  options: { timeoutMs?: number } = {},
): Promise<SshConnectionReport> {
  const report: SshConnectionReport = {
    ok: false,
    reachable: false,
    hostKey: { presented: null, pinned: server.hostKeyFingerprint, matches: false },
    authenticated: false,
    runtimeApiForwarding: false,
    interpreters: { bash: null, python3: null, node: null },
    connectMs: null,
    error: null,
  };
  try {
    const scanned = await scanHostKey(server, options);
    report.reachable = true;
    report.hostKey.presented = scanned.fingerprint;
    report.hostKey.matches = scanned.fingerprint === server.hostKeyFingerprint;
  } catch (error) {
    report.error = (error as Error).message;
    return report;
  }
  const began = performance.now();
  let client: Client;
  try {
    client = await connectSsh(server, options);
  } catch (error) {
    report.error = (error as Error).message;
    return report;
  }
  report.connectMs = Math.round(performance.now() - began);
  report.authenticated = true;
  try {
    const output = await new Promise<string>((resolve, reject) => {
      client.exec(`exec sh -c '${PROBE.replaceAll("'", `'\\''`)}'`, (error, channel) => {
        if (error) return reject(error);
        let text = '';
        channel.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        channel.stderr.on('data', () => {});
        channel.once('close', () => resolve(text));
      });
    });
    for (const line of output.split('\n')) {
      const match = /^(bash|python3|node)=(.*)$/.exec(line.trim());
      if (match) report.interpreters[match[1] as 'bash'] = match[2]!.trim() || null;
    }
    report.runtimeApiForwarding = await new Promise<boolean>((resolve) =>
      client.forwardIn('127.0.0.1', 0, (error, port) => {
        if (error) return resolve(false);
        client.unforwardIn('127.0.0.1', port, () => resolve(true));
      }),
    );
    report.ok = true;
  } catch (error) {
    report.error = `connected, but running a command failed: ${(error as Error).message}`;
  } finally {
    client.end();
  }
  return report;
}
