import { Cron } from 'croner';

export class InvalidScheduleError extends Error {
  readonly field: 'cron' | 'timezone';
  constructor(field: 'cron' | 'timezone', message: string) {
    super(message);
    this.name = 'InvalidScheduleError';
    this.field = field;
  }
}

export interface ScheduleSlot {
  /** The instant the slot is due. */
  at: Date;
  /**
   * Set when the wall-clock time the expression names does not exist on that day (a
   * spring-forward gap): the slot runs once, at the first valid instant after it.
   */
  dstShift?: string;
}

const NICKNAMES = new Set([
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
]);
/** How far ahead a schedule must fire at least once; beyond this it is "never firing". */
const HORIZON_MS = 5 * 366 * 24 * 3600 * 1000;

function isValidTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

function wallClock(date: Date, timezone: string): { hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(date);
  return {
    hour: Number(parts.find((p) => p.type === 'hour')?.value),
    minute: Number(parts.find((p) => p.type === 'minute')?.value),
  };
}

/**
 * A cron expression (5 or 6 fields, or an @nickname) evaluated in an IANA time zone, with
 * croner doing the calendar and DST arithmetic. Fall-back: a fixed wall time fires once
 * (the first occurrence). Spring-forward: a wall time inside the gap fires once, at the
 * first valid instant after it, and the slot says so.
 */
export class CronSchedule {
  readonly expression: string;
  readonly timezone: string;
  readonly #cron: Cron;
  readonly #fixedHourMinute: { hour: number; minute: number } | undefined;

  constructor(expression: string, timezone: string) {
    const trimmed = expression.trim();
    const fields = trimmed.split(/\s+/);
    if (!NICKNAMES.has(trimmed.toLowerCase()) && (fields.length < 5 || fields.length > 6)) {
      throw new InvalidScheduleError(
        'cron',
        `"${expression}" must have 5 fields (minute hour day month weekday), 6 with seconds first, or be an @nickname`,
      );
    }
    if (!isValidTimeZone(timezone)) {
      throw new InvalidScheduleError(
        'timezone',
        `"${timezone}" is not an IANA time zone (for example Europe/Berlin or UTC)`,
      );
    }
    try {
      this.#cron = new Cron(trimmed, {
        timezone,
        paused: true,
        mode: fields.length === 6 ? '6-part' : 'auto',
      });
    } catch (error) {
      throw new InvalidScheduleError(
        'cron',
        `"${expression}" is not a valid cron expression: ${(error as Error).message.replace(/^CronPattern: /, '')}`,
      );
    }
    const first = this.#cron.nextRun(new Date());
    if (!first || first.getTime() - Date.now() > HORIZON_MS) {
      throw new InvalidScheduleError(
        'cron',
        `"${expression}" never fires (no date matches it within five years)`,
      );
    }
    this.expression = trimmed;
    this.timezone = timezone;
    // Expressions naming one fixed minute and hour (e.g. "30 2 * * *") are the ones a DST gap can move.
    const [secondOrMinute, minuteOrHour, hourField] =
      fields.length === 6 ? fields.slice(1) : fields;
    const minute = fields.length === 6 ? minuteOrHour : secondOrMinute;
    const hour = fields.length === 6 ? hourField : minuteOrHour;
    this.#fixedHourMinute =
      minute && hour && /^\d+$/.test(minute) && /^\d+$/.test(hour)
        ? { hour: Number(hour), minute: Number(minute) }
        : undefined;
  }

  /** The first slot strictly after `after`, or undefined when the schedule has ended. */
  nextAfter(after: Date): ScheduleSlot | undefined {
    const at = this.#cron.nextRun(after);
    if (!at) return undefined;
    return { at, ...this.#dstShift(at) };
  }

  /** Slots in (from, to], oldest first, at most `limit` of them. */
  slotsBetween(from: Date, to: Date, limit: number): ScheduleSlot[] {
    const slots: ScheduleSlot[] = [];
    let cursor = from;
    while (slots.length < limit) {
      const next = this.nextAfter(cursor);
      if (!next || next.at.getTime() > to.getTime()) break;
      slots.push(next);
      cursor = next.at;
    }
    return slots;
  }

  #dstShift(at: Date): { dstShift?: string } {
    if (!this.#fixedHourMinute) return {};
    const actual = wallClock(at, this.timezone);
    const wanted = this.#fixedHourMinute;
    if (actual.hour === wanted.hour && actual.minute === wanted.minute) return {};
    const pad = (n: number) => String(n).padStart(2, '0');
    return {
      dstShift: `${pad(wanted.hour)}:${pad(wanted.minute)} does not exist on that day in ${this.timezone} (DST gap); ran at ${pad(actual.hour)}:${pad(actual.minute)}`,
    };
  }
}
