import { createTestDatabase, type TestDatabase } from '@cronium/db/testing';
import { PostgresRunEventBus } from './postgres-run-event-bus.ts';
import { decodeRunEvent, encodeRunEvent, type RunEvent, type RunEventBus } from './run-event.ts';
import { startPrivateValkey, valkeyServerBinary, type PrivateValkey } from './testing/index.ts';
import { ValkeyRunEventBus } from './valkey-run-event-bus.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(20);
  }
}

describe('run event encoding', () => {
  it('round-trips and refuses foreign payloads', () => {
    const events: RunEvent[] = [
      { kind: 'log', runId: 12, ownerId: 3, lastSeq: 4567 },
      { kind: 'status', runId: 12, ownerId: 3, status: 'timed_out' },
    ];
    for (const e of events) expect(decodeRunEvent(encodeRunEvent(e))).toEqual(e);
    for (const junk of ['', 'x', 'l:1:2', 'l:a:2:3', 's:1:2:DROP TABLE', 'q:1:2:3'])
      expect(decodeRunEvent(junk)).toBeUndefined();
  });
});

const transports: [string, boolean][] = [
  ['Postgres LISTEN/NOTIFY', true],
  ['Valkey pub/sub', Boolean(valkeyServerBinary()) || process.env.CI === 'true'],
];

describe.each(transports)('run event bus over %s', (name, available) => {
  const maybe = available ? it : it.skip;
  let t: TestDatabase;
  let valkey: PrivateValkey | undefined;
  const buses: RunEventBus[] = [];
  const make = () => {
    const bus =
      name === 'Valkey pub/sub'
        ? new ValkeyRunEventBus({ url: valkey!.url })
        : new PostgresRunEventBus({ db: t.db, url: t.url });
    buses.push(bus);
    return bus;
  };

  beforeAll(async () => {
    t = await createTestDatabase({ poolMax: 3 });
    if (name === 'Valkey pub/sub' && available) valkey = await startPrivateValkey();
  });
  afterAll(async () => {
    for (const bus of buses) await bus.close();
    await valkey?.stop();
    await t.destroy();
  });

  maybe('delivers every published event to every subscriber, in order', async () => {
    const publisher = make();
    const seen: RunEvent[][] = [[], []];
    const subscribers = [make(), make()];
    subscribers[0]!.subscribe((e) => seen[0]!.push(e));
    subscribers[1]!.subscribe((e) => seen[1]!.push(e));
    for (const bus of [publisher, ...subscribers]) await bus.whenReady(5_000);
    await sleep(300); // LISTEN established
    const events: RunEvent[] = Array.from({ length: 200 }, (_, i) => ({
      kind: 'log',
      runId: 1,
      ownerId: 1,
      lastSeq: i + 1,
    }));
    for (let i = 0; i < events.length; i += 50) await publisher.publish(events.slice(i, i + 50));
    await until(() => seen.every((s) => s.length === events.length));
    expect(seen[0]).toEqual(events);
    expect(seen[1]).toEqual(events);
    expect(publisher.health()).toBe('ok');
  });

  if (name === 'Valkey pub/sub')
    maybe(
      'survives Valkey dying: publishing never throws, degraded, then back and told to re-read',
      async () => {
        const publisher = make();
        const subscriber = make();
        const seen: RunEvent[] = [];
        let reconnects = 0;
        subscriber.subscribe((e) => seen.push(e));
        subscriber.onReconnect(() => (reconnects += 1));
        await until(() => subscriber.health() === 'ok');
        await valkey!.kill();
        await until(() => publisher.health() === 'degraded' && subscriber.health() === 'degraded');
        await expect(
          publisher.publish([{ kind: 'status', runId: 2, ownerId: 1, status: 'running' }]),
        ).resolves.toBeUndefined();
        await valkey!.restart();
        await until(() => publisher.health() === 'ok' && subscriber.health() === 'ok', 15_000);
        await until(() => reconnects === 1);
        await sleep(200);
        await publisher.publish([{ kind: 'status', runId: 2, ownerId: 1, status: 'succeeded' }]);
        await until(() => seen.some((e) => e.kind === 'status' && e.status === 'succeeded'));
      },
      30_000,
    );
});
