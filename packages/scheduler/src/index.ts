export { CronSchedule, InvalidScheduleError, type ScheduleSlot } from './cron-schedule.ts';
export {
  runSchedulePass,
  nextScheduleDue,
  type SchedulePassOptions,
  type SchedulePassResult,
  type EnqueuedRun,
} from './schedule-pass.ts';
