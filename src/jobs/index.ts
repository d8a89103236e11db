export { installJobSchema } from './boss.ts';
export { isRetryable, NonRetryableError } from './errors.ts';
export { createJobs, type JobsDeps } from './jobs.ts';
export type {
  JobContext,
  JobHandler,
  JobOutcome,
  Jobs,
  QueueOptions,
  QueueStats,
  SendOptions,
  StopOptions,
} from './types.ts';
