import { createHmac } from 'node:crypto';
import { sendToolAction } from './send-tool-action.ts';
import { RecordingServer } from './testing/recording-server.ts';
import { sampleContext, testEgress } from './testing/test-fixtures.ts';
import { verifyWebhookSignature } from './webhook-signature.ts';

describe('generic webhook', () => {
  const server = new RecordingServer((_request, res) => res.writeHead(200).end('thanks'));
  let base: string;
  const egress = testEgress(true);
  const context = sampleContext();
  const secret = 'whsec_0123456789abcdef';

  beforeAll(async () => {
    base = await server.listen();
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it('sends the run context as JSON by default, with the credential headers', async () => {
    const result = await sendToolAction({
      kind: 'webhook',
      credential: {
        url: `${base}/hooks/run?x=1`,
        method: 'PUT',
        headers: { 'X-Api-Key': 'k-123456789' },
      },
      params: {},
      context,
      egress,
    });
    expect(result).toEqual({ ok: true, status: 200, detail: 'the webhook answered HTTP 200' });
    const [request] = server.requests;
    expect(request!.method).toBe('PUT');
    expect(request!.url).toBe('/hooks/run?x=1');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['x-api-key']).toBe('k-123456789');
    expect(request!.headers['x-cronium-signature']).toBeUndefined();
    expect(JSON.parse(request!.body)).toEqual(context);
  });

  it('renders the body template with its content type', async () => {
    await sendToolAction({
      kind: 'webhook',
      credential: { url: `${base}/hooks`, method: 'PATCH' },
      params: {
        body: 'status={{ run.status | url_encode }}&note={{ output.note | url_encode }}',
        contentType: 'application/x-www-form-urlencoded',
      },
      context,
      egress,
    });
    const [request] = server.requests;
    expect(request!.method).toBe('PATCH');
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request!.body).toBe('status=failed&note=disk+%22almost%22+full');
  });

  it('signs "<timestamp>.<body>" with HMAC-SHA256 when the credential has a secret', async () => {
    const before = Math.floor(Date.now() / 1000);
    await sendToolAction({
      kind: 'webhook',
      credential: { url: `${base}/signed`, method: 'POST', signingSecret: secret },
      params: { body: '{"error": {{ run.error | json }}}' },
      context,
      egress,
    });
    const [request] = server.requests;
    const timestamp = request!.headers['x-cronium-timestamp'] as string;
    expect(Number(timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(timestamp)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    // Computed here independently of the package, as a receiver would.
    const expected = createHmac('sha256', secret)
      .update(`${timestamp}.${request!.body}`)
      .digest('hex');
    expect(request!.headers['x-cronium-signature']).toBe(`sha256=${expected}`);
    expect(request!.body).toBe('{"error": "exit code 3"}');
    const headers = { timestamp, signature: request!.headers['x-cronium-signature'] as string };
    expect(verifyWebhookSignature(secret, headers, request!.body)).toBe(true);
    // The raw bytes as an inbound webhook receives them verify the same.
    expect(verifyWebhookSignature(secret, headers, Buffer.from(request!.body))).toBe(true);
    expect(verifyWebhookSignature(secret, headers, `${request!.body} `)).toBe(false);
    expect(verifyWebhookSignature('another-secret-000', headers, request!.body)).toBe(false);
    expect(
      verifyWebhookSignature(secret, headers, request!.body, {
        now: (Number(timestamp) + 3600) * 1000,
      }),
    ).toBe(false);
  });

  it('does not repeat the secret or header values in an error', async () => {
    server.answerNext((r, res) =>
      res.writeHead(401).end(`bad key ${String(r.headers['x-api-key'])}`),
    );
    const result = await sendToolAction({
      kind: 'webhook',
      credential: { url: `${base}/hooks`, method: 'POST', headers: { 'x-api-key': 'k-SECRETKEY' } },
      params: {},
      context,
      egress,
    });
    expect(result).toEqual({
      ok: false,
      retryable: false,
      status: 401,
      error: 'the webhook answered HTTP 401: bad key [redacted]',
    });
  });
});
