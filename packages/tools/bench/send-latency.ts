// Latency of one tool action to a local sink, per kind: render the templates, check the
// destination with the egress policy, connect (a new connection per action, as in
// production), send, read the answer. Loopback only. Run: `node bench/send-latency.ts [count]`.
import { loadavg, cpus } from 'node:os';
import { SMTPServer } from 'smtp-server';
import { sendToolAction, type SendToolActionOptions } from '../src/index.ts';
import { RecordingServer } from '../src/testing/recording-server.ts';
import { sampleContext, testEgress } from '../src/testing/test-fixtures.ts';

const COUNT = Number(process.argv[2] ?? 200);
const context = sampleContext();
const egress = testEgress(true);

const http = new RecordingServer((request, res) => {
  if (request.url.startsWith('/api/'))
    res.writeHead(200).end(JSON.stringify({ ok: true, channel: 'C1', ts: '1.2' }));
  else res.writeHead(request.url.startsWith('/discord') ? 204 : 200).end('ok');
});
const base = await http.listen();
const smtp = new SMTPServer({
  logger: false,
  // No reverse DNS query for the client's address: nothing leaves the machine.
  disableReverseLookup: true,
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  onData(stream, _session, callback) {
    stream.on('data', () => {});
    stream.on('end', () => callback());
  },
});
await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
const smtpPort = (smtp.server.address() as { port: number }).port;

type Action = Omit<SendToolActionOptions, 'context' | 'egress'>;
const actions: Record<string, Action> = {
  email: {
    kind: 'email',
    credential: { host: '127.0.0.1', port: smtpPort, tls: 'none', from: 'cronium@example.com' },
    params: {
      to: ['ops@example.com'],
      subject: '[{{ run.status }}] {{ event.name }}',
      text: '{{ logs | join: "\n" }}',
    },
  },
  'slack (webhook)': {
    kind: 'slack',
    credential: { webhookUrl: `${base}/services/T/B/X` },
    params: { text: '*{{ event.name }}* {{ run.status }}' },
  },
  'slack (bot)': {
    kind: 'slack',
    credential: { botToken: 'xoxb-1-2-abcdef', channel: '#ops' },
    params: { text: '*{{ event.name }}* {{ run.status }}' },
    slackApiUrl: `${base}/api`,
  },
  discord: {
    kind: 'discord',
    credential: { webhookUrl: `${base}/discord/1/tok` },
    params: { content: '{{ event.name }} {{ run.status }}' },
  },
  teams: {
    kind: 'teams',
    credential: { webhookUrl: `${base}/teams/invoke?sig=x` },
    params: { title: '{{ event.name }}', text: '{{ run.status }}' },
  },
  webhook: {
    kind: 'webhook',
    credential: { url: `${base}/hook`, method: 'POST', signingSecret: '0123456789abcdef' },
    params: {},
  },
};

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

console.log(
  `${COUNT} sends per kind, one at a time; ${cpus().length} cores, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
for (const [name, action] of Object.entries(actions)) {
  const options = { ...action, context, egress } as SendToolActionOptions;
  for (let i = 0; i < 10; i += 1) await sendToolAction(options); // warm up
  const times: number[] = [];
  for (let i = 0; i < COUNT; i += 1) {
    const started = performance.now();
    const result = await sendToolAction(options);
    times.push(performance.now() - started);
    if (!result.ok) throw new Error(`${name}: ${result.error}`);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${name.padEnd(16)} p50 ${percentile(times, 50).toFixed(2)} ms  p99 ${percentile(times, 99).toFixed(2)} ms`,
  );
}
console.log(
  `load after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
await http.close();
await new Promise<void>((resolve) => smtp.close(() => resolve()));
