import { coalescePublishes } from './coalesced-publish.ts';
import type { RunEvent, RunEventBus } from './run-event.ts';

/** A bus that records what reaches the transport, publish by publish. */
function recordingBus() {
  const published: RunEvent[][] = [];
  const bus: RunEventBus = {
    publish: async (events) => void published.push(events),
    subscribe: () => () => undefined,
    health: () => 'ok',
    whenReady: async () => undefined,
    onReconnect: () => undefined,
    close: async () => undefined,
  };
  return { bus, published };
}

const status = (runId: number): RunEvent => ({
  kind: 'status',
  runId,
  ownerId: 1,
  status: 'succeeded',
});

describe('coalescePublishes', () => {
  it('sends what one turn of the event loop published as one publish, in order', async () => {
    const { bus, published } = recordingBus();
    const coalesced = coalescePublishes(bus);
    const done = [1, 2, 3].map((id) => coalesced.publish([status(id)]));
    await Promise.all(done);
    expect(published).toEqual([[status(1), status(2), status(3)]]);
    await coalesced.publish([status(4)]);
    expect(published).toEqual([[status(1), status(2), status(3)], [status(4)]]);
  });

  it('sends what is still queued before it closes', async () => {
    const { bus, published } = recordingBus();
    const coalesced = coalescePublishes(bus);
    void coalesced.publish([status(7)]);
    await coalesced.close();
    expect(published).toEqual([[status(7)]]);
  });
});
