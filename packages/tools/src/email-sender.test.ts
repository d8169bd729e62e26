import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { sendToolAction } from './send-tool-action.ts';
import type { EmailCredential } from './tool-credentials.ts';
import type { EmailParams } from './tool-params.ts';
import { sampleContext, testEgress } from './testing/test-fixtures.ts';

interface Received {
  mail: ParsedMail;
  secure: boolean;
  user: string | undefined;
  rcpt: string[];
}

/** A real SMTP server on loopback that keeps what arrives and counts connections. */
class TestSmtpServer {
  readonly received: Received[] = [];
  connections = 0;
  /** Set to make the next message get a temporary failure. */
  failNextWith451 = false;
  readonly server: SMTPServer;
  port = 0;

  constructor(options: SMTPServerOptions) {
    this.server = new SMTPServer({
      logger: false,
      // No reverse DNS query for the client's address: nothing leaves the machine.
      disableReverseLookup: true,
      ...options,
      onConnect: (_session, callback) => {
        this.connections += 1;
        callback();
      },
      onAuth: (auth, _session, callback) => {
        if (auth.username === 'cronium' && auth.password === 'correct horse')
          return callback(null, { user: auth.username });
        return callback(new Error('Invalid username or password'));
      },
      onMailFrom: (_address, _session, callback) => {
        if (!this.failNextWith451) return callback();
        this.failNextWith451 = false;
        callback(Object.assign(new Error('Greylisted, try again later'), { responseCode: 451 }));
      },
      onRcptTo: (address, _session, callback) => {
        if (address.address !== 'refuse@example.com') return callback();
        callback(Object.assign(new Error('No such user'), { responseCode: 550 }));
      },
      onData: (stream, session, callback) => {
        simpleParser(stream).then(
          (mail) => {
            this.received.push({
              mail,
              secure: session.secure,
              user: session.user as string | undefined,
              rcpt: session.envelope.rcptTo.map((r) => r.address),
            });
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
    this.server.on('error', () => {});
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.server.address() as { port: number }).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('email over SMTP', () => {
  let dir: string;
  let key: string;
  let cert: string;
  let plain: TestSmtpServer;
  let starttls: TestSmtpServer;
  let implicit: TestSmtpServer;
  const egress = testEgress(true);
  const context = sampleContext();

  beforeAll(async () => {
    // A self-signed certificate for this run only, for 127.0.0.1 and localhost.
    dir = mkdtempSync(join(tmpdir(), 'cronium-tools-smtp-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    key = readFileSync(join(dir, 'key.pem'), 'utf8');
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    plain = new TestSmtpServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authOptional: true,
    });
    starttls = new TestSmtpServer({ key, cert, authOptional: true });
    implicit = new TestSmtpServer({ secure: true, key, cert, authOptional: true });
    await Promise.all([plain.listen(), starttls.listen(), implicit.listen()]);
  });

  afterAll(async () => {
    await Promise.all([plain?.close(), starttls?.close(), implicit?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const params: EmailParams = {
    to: ['Ops <ops@example.com>', '{{ variables.team }}-lead@example.com'],
    cc: ['audit@example.com'],
    bcc: ['archive@example.com'],
    subject: '[{{ run.status }}] {{ event.name }} #{{ run.id }}',
    text: 'Run {{ run.id }} {{ run.status }}: {{ run.error }}\n{{ logs | join: "\n" }}',
    html: '<p>Run <b>{{ run.id }}</b> said {{ output.note }}</p>',
  };
  const credential = (
    server: TestSmtpServer,
    tls: EmailCredential['tls'],
    extra: Partial<EmailCredential> = {},
  ): EmailCredential => ({
    host: '127.0.0.1',
    port: server.port,
    tls,
    from: 'Cronium <cronium@example.com>',
    ...extra,
  });
  const send = (
    cred: EmailCredential,
    extra: { trust?: boolean; params?: EmailParams; egress?: typeof egress } = {},
  ) =>
    sendToolAction({
      kind: 'email',
      credential: cred,
      params: extra.params ?? params,
      context,
      egress: extra.egress ?? egress,
      timeoutMs: 10_000,
      ...(extra.trust === false ? {} : { trustedCa: cert }),
    });

  it('delivers headers, text and html in plaintext with tls "none"', async () => {
    const result = await send(
      credential(plain, 'none', { username: 'cronium', password: 'correct horse' }),
    );
    expect(result).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/^127\.0\.0\.1 accepted the message for 4 recipients: 250 /),
    });
    const got = plain.received.at(-1)!;
    expect(got.secure).toBe(false);
    expect(got.user).toBe('cronium');
    expect(got.mail.from?.text).toBe('"Cronium" <cronium@example.com>');
    expect(got.mail.from?.value).toEqual([{ address: 'cronium@example.com', name: 'Cronium' }]);
    expect((got.mail.to as { value: unknown }).value).toEqual([
      { address: 'ops@example.com', name: 'Ops' },
      { address: 'ops-lead@example.com', name: '' },
    ]);
    expect((got.mail.cc as { value: unknown }).value).toEqual([
      { address: 'audit@example.com', name: '' },
    ]);
    expect(got.mail.bcc).toBeUndefined();
    expect(got.rcpt).toEqual([
      'ops@example.com',
      'ops-lead@example.com',
      'audit@example.com',
      'archive@example.com',
    ]);
    expect(got.mail.subject).toBe('[failed] nightly backup #4242');
    expect(got.mail.text).toBe(
      'Run 4242 failed: exit code 3\nstarting\ncopying 12 files\nerror: disk full',
    );
    // Values in the html body are escaped.
    expect(got.mail.html).toBe('<p>Run <b>4242</b> said disk &#34;almost&#34; full</p>');
  });

  it('does not upgrade with tls "none" even when the server offers STARTTLS', async () => {
    expect(await send(credential(starttls, 'none'))).toMatchObject({ ok: true });
    expect(starttls.received.at(-1)!.secure).toBe(false);
  });

  it('upgrades with STARTTLS and authenticates over it with tls "starttls"', async () => {
    const result = await send(
      credential(starttls, 'starttls', { username: 'cronium', password: 'correct horse' }),
    );
    expect(result).toMatchObject({ ok: true });
    const got = starttls.received.at(-1)!;
    expect(got.secure).toBe(true);
    expect(got.user).toBe('cronium');
    expect(got.mail.subject).toBe('[failed] nightly backup #4242');
  });

  it('refuses to go on in plaintext when "starttls" meets a server without STARTTLS', async () => {
    const before = plain.received.length;
    const result = await send(
      credential(plain, 'starttls', { username: 'cronium', password: 'correct horse' }),
    );
    expect(result).toMatchObject({
      ok: false,
      retryable: false,
      error: expect.stringContaining('(to STARTTLS)'),
    });
    expect(plain.received.length).toBe(before);
  });

  it('speaks TLS from the first byte with tls "implicit"', async () => {
    const result = await send(
      credential(implicit, 'implicit', { username: 'cronium', password: 'correct horse' }),
    );
    expect(result).toMatchObject({ ok: true });
    const got = implicit.received.at(-1)!;
    expect(got.secure).toBe(true);
    expect(got.mail.text).toContain('error: disk full');
  });

  it('verifies the certificate: an untrusted one is a clear, non-retryable error', async () => {
    for (const [server, tls] of [
      [starttls, 'starttls'],
      [implicit, 'implicit'],
    ] as const) {
      const result = await send(credential(server, tls), { trust: false });
      expect(result).toEqual({
        ok: false,
        retryable: false,
        error: expect.stringMatching(
          /^SMTP TLS failed, the server's certificate is not trusted: .*self-signed/i,
        ),
      });
    }
  });

  it('wrong credentials are a clear, non-retryable error without the password', async () => {
    const result = await send(
      credential(starttls, 'starttls', { username: 'cronium', password: 'wrong battery' }),
    );
    expect(result).toEqual({
      ok: false,
      retryable: false,
      status: 535,
      error: expect.stringMatching(
        /^SMTP authentication failed: 535 .*Invalid username or password/,
      ),
    });
    expect(JSON.stringify(result)).not.toContain('wrong battery');
  });

  it('a 451 answer is retryable', async () => {
    implicit.failNextWith451 = true;
    const result = await send(credential(implicit, 'implicit'));
    expect(result).toEqual({
      ok: false,
      retryable: true,
      status: 451,
      error: expect.stringMatching(
        /^SMTP server answered 451 .*Greylisted.* \(to MAIL\) \(temporary\)$/,
      ),
    });
  });

  it('reports recipients the server refused while the others got the message', async () => {
    const result = await send(credential(plain, 'none'), {
      params: { ...params, to: ['ops@example.com', 'refuse@example.com'], cc: [], bcc: [] },
    });
    expect(result).toEqual({
      ok: true,
      detail: expect.stringMatching(
        /^127\.0\.0\.1 accepted the message for 1 recipient: 250 .*; refused: refuse@example\.com$/,
      ),
    });
    expect(plain.received.at(-1)!.rcpt).toEqual(['ops@example.com']);
  });

  it('a connection refused is retryable', async () => {
    const result = await send({ ...credential(plain, 'none'), port: 1 });
    expect(result).toMatchObject({
      ok: false,
      retryable: true,
      error: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('connects only where the egress policy allows: refused, no connection reaches the server', async () => {
    const refusals: string[] = [];
    const before = { plain: plain.connections, implicit: implicit.connections };
    for (const [server, tls, host] of [
      [plain, 'none', '127.0.0.1'],
      [implicit, 'implicit', 'localhost'],
    ] as const) {
      const result = await send(
        { ...credential(server, tls), host },
        { egress: testEgress(false, refusals) },
      );
      expect(result).toEqual({
        ok: false,
        retryable: false,
        error: expect.stringMatching(
          new RegExp(`^destination not allowed: ${host} \\(127\\.0\\.0\\.1, loopback`),
        ),
      });
    }
    expect(refusals).toHaveLength(2);
    expect(plain.connections).toBe(before.plain);
    expect(implicit.connections).toBe(before.implicit);
  });

  it('checks the certificate against the host name it connected by', async () => {
    // "localhost" resolves (through the policy) to 127.0.0.1; the certificate names localhost.
    const result = await send({ ...credential(implicit, 'implicit'), host: 'localhost' });
    expect(result).toMatchObject({ ok: true });
  });

  it('a recipient template that renders to no address fails before connecting', async () => {
    const before = plain.connections;
    const result = await send(credential(plain, 'none'), {
      params: { ...params, to: ['{{ variables.nobody }}'] },
    });
    expect(result).toEqual({
      ok: false,
      retryable: false,
      error: 'no recipient: every "to" template rendered empty',
    });
    expect(plain.connections).toBe(before);
  });
});
