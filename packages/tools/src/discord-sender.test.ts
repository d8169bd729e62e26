import { sendToolAction } from './send-tool-action.ts';
import { RecordingServer } from './testing/recording-server.ts';
import { sampleContext, testEgress } from './testing/test-fixtures.ts';

describe('Discord', () => {
  const server = new RecordingServer((_request, res) => res.writeHead(204).end());
  let base: string;
  const egress = testEgress(true);

  beforeAll(async () => {
    base = await server.listen();
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it('posts {content, username} and takes the 204', async () => {
    const result = await sendToolAction({
      kind: 'discord',
      credential: { webhookUrl: `${base}/api/webhooks/123/tokenSECRET` },
      params: {
        content: '{{ event.name }}: {{ run.status }} after {{ run.durationMs }} ms',
        username: 'Cronium {{ variables.team }}',
      },
      context: sampleContext(),
      egress,
    });
    expect(result).toEqual({
      ok: true,
      status: 204,
      detail: 'Discord accepted the message (HTTP 204)',
    });
    const [request] = server.requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/api/webhooks/123/tokenSECRET');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request!.body)).toEqual({
      allowed_mentions: { parse: [] },
      content: 'nightly backup: failed after 1534 ms',
      username: 'Cronium ops',
    });
  });

  it('leaves username out when the params have none', async () => {
    await sendToolAction({
      kind: 'discord',
      credential: { webhookUrl: `${base}/api/webhooks/123/tokenSECRET` },
      params: { content: 'hello' },
      context: sampleContext(),
      egress,
    });
    expect(JSON.parse(server.requests[0]!.body)).toEqual({
      content: 'hello',
      allowed_mentions: { parse: [] },
    });
  });

  it('refuses content that renders longer than Discord takes, before sending', async () => {
    const result = await sendToolAction({
      kind: 'discord',
      credential: { webhookUrl: `${base}/api/webhooks/123/tokenSECRET` },
      params: { content: '{% for i in (1..300) %}0123456789{% endfor %}' },
      context: sampleContext(),
      egress,
    });
    expect(result).toEqual({
      ok: false,
      retryable: false,
      error: 'the rendered content has 3000 characters; Discord takes 1 to 2000',
    });
    expect(server.connections).toBe(0);
  });
});
