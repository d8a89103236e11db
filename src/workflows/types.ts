import type { Activation } from '../activation/index.ts';
import type { Clock, Logger, SecretBox } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import type { Directory } from '../directory/index.ts';
import type { Jobs } from '../jobs/index.ts';
import type { Notifications } from '../notifications/index.ts';

export interface WorkflowSettings {
  /** Zone of people whose `timezone` is empty or unknown. */
  defaultTimezone: string;
  /** Runs one executor batch claims. */
  batchSize: number;
  /** Automatic retries of a task that failed in a retryable way. */
  taskRetryLimit: number;
  /** Runs of one batch executed at once (1 on the embedded store, which has one connection). */
  concurrency: number;
  /** Base of the executor's address for callback URLs (custom task extensions). */
  publicUrl: () => string;
}

export interface WorkflowsDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  jobs: Jobs;
  directory: Directory;
  mailer: Pick<Notifications, 'queue' | 'checkTemplate'>;
  activation: Pick<Activation, 'issueCodes'>;
  /** Seals custom task extension secrets at rest. */
  secrets: SecretBox;
  settings: WorkflowSettings;
  /** Outbound HTTP for custom task extensions (tests and benches pass their own). */
  fetch?: typeof fetch;
}

/** `completedWithErrors`: every task ran, and one that may fail without stopping the run (continueOnError) failed. */
export type RunStatus =
  | 'queued'
  | 'running'
  | 'waiting'
  | 'completed'
  | 'completedWithErrors'
  | 'failed'
  | 'cancelled';
export type TaskStatus = 'running' | 'waiting' | 'completed' | 'failed' | 'skipped';
export type TriggerKind =
  | 'timeBasedAttribute'
  | 'attributeChange'
  | 'membershipChange'
  | 'userInactivity'
  | 'onDemand';
