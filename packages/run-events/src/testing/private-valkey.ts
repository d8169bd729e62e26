import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** True when a Valkey or Redis server binary is on PATH. */
export function valkeyServerBinary(): string | undefined {
  for (const name of ['valkey-server', 'redis-server'])
    if (spawnSync('sh', ['-c', `command -v ${name}`]).status === 0) return name;
  return undefined;
}

export interface PrivateValkey {
  url: string;
  port: number;
  /** SIGKILLs the server (as a crash would). */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A Valkey/Redis server of the test's own on a free loopback port, keeping nothing on disk,
 * so a test can kill it without touching anyone else's.
 */
export async function startPrivateValkey(): Promise<PrivateValkey> {
  const binary = valkeyServerBinary();
  if (!binary) throw new Error('no valkey-server or redis-server on PATH');
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        if (/Ready to accept connections/i.test(out)) resolve();
      };
      child!.stdout!.on('data', onData);
      child!.once('exit', (code) => reject(new Error(`${binary} exited ${code}: ${out}`)));
    });
  };
  const kill = async (signal: NodeJS.Signals) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill(signal);
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: () => kill('SIGKILL'),
    restart: start,
    stop: () => kill('SIGTERM'),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
