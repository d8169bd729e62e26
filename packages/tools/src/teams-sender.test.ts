import { sendToolAction } from './send-tool-action.ts';
import { RecordingServer } from './testing/recording-server.ts';
import { sampleContext, testEgress } from './testing/test-fixtures.ts';

describe('Teams', () => {
  const server = new RecordingServer((_request, res) => res.writeHead(202).end());
  let base: string;

  beforeAll(async () => {
    base = await server.listen();
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it('posts a Workflows message with one Adaptive Card attachment', async () => {
    const result = await sendToolAction({
      kind: 'teams',
      credential: {
        webhookUrl: `${base}/workflows/abc/triggers/manual/paths/invoke?sig=SECRETSIG`,
      },
      params: {
        title: '{{ event.name }} {{ run.status }}',
        text: 'Exit code {{ run.exitCode }}\n\n{{ logs | last }}',
      },
      context: sampleContext(),
      egress: testEgress(true),
    });
    expect(result).toEqual({
      ok: true,
      status: 202,
      detail: 'Teams accepted the message (HTTP 202)',
    });
    const [request] = server.requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/workflows/abc/triggers/manual/paths/invoke?sig=SECRETSIG');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request!.body)).toEqual({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              {
                type: 'TextBlock',
                text: 'nightly backup failed',
                weight: 'Bolder',
                size: 'Medium',
                wrap: true,
              },
              { type: 'TextBlock', text: 'Exit code 3\n\nerror: disk full', wrap: true },
            ],
          },
        },
      ],
    });
  });

  it('sends only the text block without a title, and hides the URL in errors', async () => {
    server.answerNext((r, res) => res.writeHead(400).end(`bad request to ${r.url}`));
    const result = await sendToolAction({
      kind: 'teams',
      credential: { webhookUrl: `${base}/workflows/abc/invoke?sig=SECRETSIG` },
      params: { text: 'plain' },
      context: sampleContext(),
      egress: testEgress(true),
    });
    const body = JSON.parse(server.requests[0]!.body);
    expect(body.attachments[0].content.body).toEqual([
      { type: 'TextBlock', text: 'plain', wrap: true },
    ]);
    expect(result).toMatchObject({ ok: false, retryable: false, status: 400 });
    expect(JSON.stringify(result)).not.toContain('SECRETSIG');
  });
});
