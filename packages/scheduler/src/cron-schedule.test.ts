import { CronSchedule, InvalidScheduleError } from './cron-schedule.ts';

const iso = (d: Date) => d.toISOString();

describe('CronSchedule', () => {
  it('accepts 5 fields, 6 fields with seconds, and nicknames', () => {
    expect(
      iso(new CronSchedule('*/15 * * * *', 'UTC').nextAfter(new Date('2026-01-01T00:01:00Z'))!.at),
    ).toBe('2026-01-01T00:15:00.000Z');
    expect(
      iso(new CronSchedule('*/5 * * * * *', 'UTC').nextAfter(new Date('2026-01-01T00:00:01Z'))!.at),
    ).toBe('2026-01-01T00:00:05.000Z');
    expect(
      iso(new CronSchedule('@hourly', 'UTC').nextAfter(new Date('2026-01-01T00:10:00Z'))!.at),
    ).toBe('2026-01-01T01:00:00.000Z');
  });

  it('evaluates in the time zone', () => {
    const slot = new CronSchedule('0 9 * * *', 'Europe/Berlin').nextAfter(
      new Date('2026-07-01T00:00:00Z'),
    )!;
    expect(iso(slot.at)).toBe('2026-07-01T07:00:00.000Z');
  });

  it('lists each slot once between two instants', () => {
    const slots = new CronSchedule('* * * * *', 'UTC').slotsBetween(
      new Date('2026-01-01T00:00:00Z'),
      new Date('2026-01-01T00:10:00Z'),
      100,
    );
    expect(slots.map((s) => iso(s.at))).toHaveLength(10);
    expect(iso(slots[0]!.at)).toBe('2026-01-01T00:01:00.000Z');
    expect(iso(slots[9]!.at)).toBe('2026-01-01T00:10:00.000Z');
    expect(
      new CronSchedule('* * * * *', 'UTC').slotsBetween(
        new Date('2026-01-01T00:00:00Z'),
        new Date('2026-01-01T00:10:00Z'),
        3,
      ),
    ).toHaveLength(3);
  });

  describe.each([
    ['America/New_York', '2026-03-08', '2026-11-01', 'T07:00:00.000Z', 'T05:30:00.000Z'],
    ['Europe/Berlin', '2026-03-29', '2026-10-25', 'T01:00:00.000Z', 'T23:30:00.000Z'],
  ])('DST in %s', (zone, springDay, fallDay, springShifted, fallFirst) => {
    it('spring-forward: a 02:30 job runs exactly once that day, shifted and said so', () => {
      const schedule = new CronSchedule('30 2 * * *', zone);
      const day = new Date(`${springDay}T00:00:00Z`);
      const slots = schedule.slotsBetween(
        new Date(day.getTime() - 24 * 3600e3),
        new Date(day.getTime() + 24 * 3600e3),
        10,
      );
      const onDay = slots.filter((s) => s.dstShift);
      expect(onDay).toHaveLength(1);
      expect(iso(onDay[0]!.at)).toBe(`${springDay}${springShifted}`);
      expect(onDay[0]!.dstShift).toMatch(/02:30 does not exist .* ran at 03:00/);
      expect(slots).toHaveLength(2);
    });

    it('fall-back: a 01:30 job does not run twice', () => {
      const schedule = new CronSchedule('30 1 * * *', zone);
      const from = new Date(new Date(`${fallDay}T00:00:00Z`).getTime() - 36 * 3600e3);
      const slots = schedule.slotsBetween(from, new Date(from.getTime() + 48 * 3600e3), 10);
      const local = slots.map((s) => s.at.toLocaleDateString('en-CA', { timeZone: zone }));
      expect(new Set(local).size).toBe(local.length);
      expect(slots.some((s) => iso(s.at).endsWith(fallFirst))).toBe(true);
    });
  });

  it('rejects invalid expressions, never-firing ones and unknown time zones with clear messages', () => {
    expect(() => new CronSchedule('61 * * * *', 'UTC')).toThrow(
      /not a valid cron expression: Invalid value for minute: 61/,
    );
    expect(() => new CronSchedule('* * *', 'UTC')).toThrow(/must have 5 fields/);
    expect(() => new CronSchedule('0 0 30 2 *', 'UTC')).toThrow(/never fires/);
    let error: InvalidScheduleError | undefined;
    try {
      new CronSchedule('0 0 * * *', 'Mars/Olympus');
    } catch (e) {
      error = e as InvalidScheduleError;
    }
    expect(error).toBeInstanceOf(InvalidScheduleError);
    expect(error!.field).toBe('timezone');
    expect(error!.message).toMatch(/"Mars\/Olympus" is not an IANA time zone/);
  });
});
