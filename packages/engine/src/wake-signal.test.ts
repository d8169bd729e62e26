import { WakeSignal } from './wake-signal.ts';

describe('WakeSignal', () => {
  it('cuts a sleep short when woken', async () => {
    const signal = new WakeSignal();
    const started = Date.now();
    setTimeout(() => signal.wake(), 20);
    await signal.sleep(5_000);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('keeps a wake-up that came while nobody slept, once', async () => {
    const signal = new WakeSignal();
    signal.wake();
    signal.wake();
    const started = Date.now();
    await signal.sleep(5_000);
    expect(Date.now() - started).toBeLessThan(50);
    const second = Date.now();
    await signal.sleep(100);
    expect(Date.now() - second).toBeGreaterThanOrEqual(90);
  });
});
