import { createServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { createLogger } from '@cronium/logger';
import { forwardLiveLogs, type LiveProxy } from './live-proxy.ts';

const logger = createLogger({ service: 'web', level: 'silent' });

function listen(server: Server | TcpServer): Promise<number> {
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      done(typeof address === 'object' && address ? address.port : 0);
    }),
  );
}

/** Sends raw bytes to the web port and collects what comes back until the server closes. */
function exchange(port: number, request: string, then?: string): Promise<string> {
  return new Promise((done, fail) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString();
      if (then && received.includes('101 Switching Protocols') && !received.includes('echo:')) {
        socket.write(then);
      }
      if (received.includes(`echo:${then}`)) socket.end();
    });
    socket.on('error', fail);
    socket.on('close', () => done(received));
    socket.write(request);
  });
}

const UPGRADE = (path: string) =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\nOrigin: http://localhost:3000\r\n` +
  'Cookie: cronium_session=abc\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n';

describe('live logs on the web port', () => {
  let web: Server;
  let upstream: TcpServer;
  let proxy: LiveProxy;
  let webPort: number;
  let heads: string[];

  beforeEach(async () => {
    heads = [];
    // The ws process's side: answers the upgrade, then echoes every byte it is sent.
    upstream = createTcpServer((socket) => {
      let head = '';
      let upgraded = false;
      socket.on('data', (chunk: Buffer) => {
        if (upgraded) {
          socket.write(`echo:${chunk.toString()}`);
          return;
        }
        head += chunk.toString();
        if (head.includes('\r\n\r\n')) {
          upgraded = true;
          heads.push(head);
          socket.write(
            'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
          );
        }
      });
    });
    const upstreamPort = await listen(upstream);
    web = createServer((_request, response) => response.end('page'));
    proxy = forwardLiveLogs(web, { host: '127.0.0.1', port: upstreamPort }, logger);
    webPort = await listen(web);
  });

  afterEach(async () => {
    proxy.close();
    await new Promise((done) => web.close(done));
    await new Promise((done) => upstream.close(done));
  });

  it('passes the upgrade with its headers and then bytes both ways to the ws process', async () => {
    const received = await exchange(webPort, UPGRADE('/v1/live?x=1'), 'hello');
    expect(received).toContain('HTTP/1.1 101 Switching Protocols');
    expect(received).toContain('echo:hello');
    expect(heads).toHaveLength(1);
    expect(heads[0]).toMatch(/^GET \/v1\/live\?x=1 HTTP\/1\.1\r\n/);
    // Authentication and the origin check happen in the ws process: what they read arrives.
    expect(heads[0]).toContain('Cookie: cronium_session=abc\r\n');
    expect(heads[0]).toContain('Origin: http://localhost:3000\r\n');
  });

  it('refuses an upgrade for another path with a problem, without reaching the ws process', async () => {
    const received = await exchange(webPort, UPGRADE('/v1/other'));
    expect(received).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(received).toContain('Content-Type: application/problem+json');
    expect(JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4))).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
    });
    expect(heads).toHaveLength(0);
  });

  it('answers 503 with a problem when the ws process is down, and keeps serving pages', async () => {
    await new Promise((done) => upstream.close(done));
    const received = await exchange(webPort, UPGRADE('/v1/live'));
    expect(received).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/);
    expect(received).toContain('the live-log service is not reachable');
    expect(await (await fetch(`http://127.0.0.1:${webPort}/`)).text()).toBe('page');
    upstream = createTcpServer();
    await listen(upstream);
  });

  it('cuts forwarded connections when the web process stops', async () => {
    const socket = connect(webPort, '127.0.0.1');
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    socket.write(UPGRADE('/v1/live'));
    await new Promise<void>((done) => socket.once('data', () => done()));
    expect(proxy.size()).toBe(1);
    proxy.close();
    await closed;
    expect(proxy.size()).toBe(0);
  });
});
