// An event's or a workflow's cron schedule, as its row stores it and as the API shows it: both
// tables have the same schedule columns, read by the same scheduler.
import type { MisfirePolicy } from '@cronium/contracts';

/** A schedule as the API takes it (null or absent: none). */
export type ScheduleInput =
  | {
      cron: string;
      timezone?: string;
      misfirePolicy?: MisfirePolicy;
    }
  | null
  | undefined;

/** The columns of a schedule given; a changed schedule is evaluated again from now. */
export function scheduleColumns(schedule: ScheduleInput) {
  return {
    schedule_cron: schedule?.cron ?? null,
    schedule_timezone: schedule?.timezone ?? 'UTC',
    ...(schedule?.misfirePolicy ? { misfire_policy: schedule.misfirePolicy } : {}),
    schedule_next_at: null,
    schedule_cursor: null,
  };
}

/** The schedule a row stores, as the API shows it (null: none). */
export function scheduleView<Policy>(row: {
  schedule_cron: string | null;
  schedule_timezone: string;
  misfire_policy: Policy;
}) {
  return row.schedule_cron
    ? {
        cron: row.schedule_cron,
        timezone: row.schedule_timezone,
        misfirePolicy: row.misfire_policy,
      }
    : null;
}
