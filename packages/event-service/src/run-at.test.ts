import { AppError } from '@cronium/service-kit/errors';
import { checkRunAt } from './run-at.ts';

describe('checkRunAt', () => {
  const now = new Date('2026-12-06T12:00:00Z');

  it('means now when none is given or the time is now or a little past', () => {
    expect(checkRunAt(undefined, now)).toBeUndefined();
    expect(checkRunAt('2026-12-06T12:00:00Z', now)).toBeUndefined();
    expect(checkRunAt('2026-12-06T11:56:00Z', now)).toBeUndefined();
  });

  it('keeps a later time, with its offset', () => {
    expect(checkRunAt('2026-12-06T13:30:00+01:00', now)?.toISOString()).toBe(
      '2026-12-06T12:30:00.000Z',
    );
    expect(checkRunAt('2027-12-06T12:00:00Z', now)?.toISOString()).toBe('2027-12-06T12:00:00.000Z');
  });

  it.each([
    ['2028-01-01T00:00:00Z', 'more than a year ahead'],
    ['2026-12-06T11:54:00Z', 'more than 5 minutes in the past'],
    ['2026-13-40T99:00:00Z', 'not a date and time (RFC 3339)'],
  ])('refuses %s: %s (422, pointing at /body/runAt)', (runAt, message) => {
    let error: unknown;
    try {
      checkRunAt(runAt, now);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'UNPROCESSABLE',
      status: 422,
      errors: [{ pointer: '/body/runAt', message }],
    });
  });
});
