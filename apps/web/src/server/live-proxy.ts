import type { IncomingMessage, Server } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '@cronium/logger';
import { PROBLEM_CONTENT_TYPE, problemBody, statusForCode } from '@cronium/service-kit/errors';

/** The live-log WebSocket path, the same on the web port as on the ws process. */
export const LIVE_PATH = '/v1/live';

const CONNECT_TIMEOUT_MS = 5_000;

export interface LiveProxy {
  /** Open forwarded connections. */
  size(): number;
  /** Cuts every forwarded connection (the web process is stopping). */
  close(): void;
}

/**
 * Serves live logs on the web port: a WebSocket upgrade for `/v1/live` is passed, bytes as
 * they are, to the ws process, so a browser needs one origin and one published port. The ws
 * process still does everything else: the origin check, authentication (the session cookie
 * and the Authorization header travel unchanged), limits and frames. Upgrades for other paths
 * are left to other listeners (Next.js's development reload); with none, they are refused.
 */
export function forwardLiveLogs(
  server: Server,
  target: { host: string; port: number },
  logger: Logger,
): LiveProxy {
  const open = new Set<Duplex>();
  const onUpgrade = (request: IncomingMessage, client: Duplex, head: Buffer) => {
    const path = (request.url ?? '').split('?', 1)[0];
    if (path !== LIVE_PATH) {
      if (server.listenerCount('upgrade') === 1)
        refuse(client, 'NOT_FOUND', 'no WebSocket at this path');
      return;
    }
    const upstream = connect({ host: target.host, port: target.port });
    open.add(client);
    const timer = setTimeout(
      () => upstream.destroy(new Error('connect timed out')),
      CONNECT_TIMEOUT_MS,
    );
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      clearTimeout(timer);
      upstream.setNoDelay(true);
      upstream.write(requestHead(request));
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    const finish = () => {
      clearTimeout(timer);
      open.delete(client);
      upstream.destroy();
      client.destroy();
    };
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (!connected) {
        logger.warn(
          { target: `${target.host}:${target.port}`, code: error.code ?? error.message },
          'live logs: the ws process does not answer',
        );
        refuse(client, 'NOT_READY', 'the live-log service is not reachable; try again shortly');
      }
      finish();
    });
    upstream.on('close', finish);
    client.on('error', finish);
    client.on('close', finish);
  };
  server.on('upgrade', onUpgrade);
  return {
    size: () => open.size,
    close() {
      server.off('upgrade', onUpgrade);
      for (const socket of open) socket.destroy();
      open.clear();
    },
  };
}

/** The request line and headers as the client sent them (names keep their case and order). */
function requestHead(request: IncomingMessage): string {
  const lines = [`${request.method ?? 'GET'} ${request.url ?? '/'} HTTP/1.1`];
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) lines.push(`${raw[i]}: ${raw[i + 1]}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** An RFC 9457 problem as a plain HTTP response on a socket that was never upgraded. */
function refuse(client: Duplex, code: 'NOT_FOUND' | 'NOT_READY', detail: string): void {
  if (!client.writable) {
    client.destroy();
    return;
  }
  const status = statusForCode(code);
  const problem = problemBody(status, code, detail, LIVE_PATH);
  const body = JSON.stringify(problem);
  client.once('finish', () => client.destroy());
  client.end(
    `HTTP/1.1 ${status} ${problem.title}\r\n` +
      `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
