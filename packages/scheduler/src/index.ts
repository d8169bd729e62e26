export { CronSchedule, InvalidScheduleError, type ScheduleSlot } from './cron-schedule.ts';
export {
  runSchedulePass,
  nextScheduleDue,
  resumeOwnerSchedules,
  OWNER_DISABLED_REASON,
  type SchedulePassOptions,
  type SchedulePassResult,
  type EnqueuedRun,
} from './schedule-pass.ts';
