import { decodeRunEvent, encodeRunEvent } from './run-event.ts';
import { statusEvents } from './status-events.ts';

describe('statusEvents', () => {
  it('gives each run its own status and owner, or the status they all reached', () => {
    expect(
      statusEvents([
        { runId: 1, ownerId: 7, status: 'queued' },
        { runId: 2, ownerId: 8, status: 'failed' },
      ]),
    ).toEqual([
      { kind: 'status', runId: 1, ownerId: 7, status: 'queued' },
      { kind: 'status', runId: 2, ownerId: 8, status: 'failed' },
    ]);
    const running = statusEvents([{ runId: 3, ownerId: 9 }], 'running');
    expect(running).toEqual([{ kind: 'status', runId: 3, ownerId: 9, status: 'running' }]);
    expect(decodeRunEvent(encodeRunEvent(running[0]!))).toEqual(running[0]);
  });
});
