import type { Tx } from '../db/index.ts';

/** What a handler receives for one job. */
export interface JobContext<T> {
  id: string;
  name: string;
  data: T;
  /** 0 on the first attempt, 1 on the first retry, ... */
  retryCount: number;
}

export type JobHandler<T> = (job: JobContext<T>) => Promise<void>;

export type JobOutcome = 'completed' | 'retry' | 'failed';

export interface QueueOptions {
  /**
   * Jobs fetched per round trip (default 50). A batch's handlers run one after another, so the whole
   * batch must finish within `expireInSeconds`.
   */
  batchSize?: number;
  /** Wait between fetches when the queue had fewer than a full batch (default 1; pg-boss minimum 0.5). */
  pollingIntervalSeconds?: number;
  /** Concurrent fetch loops for this queue in this process (default 1). PGlite runs them in turn. */
  workers?: number;
  /** Retries after the first attempt (default 5). */
  retryLimit?: number;
  /** Whole seconds before the first retry (default 1). */
  retryDelaySeconds?: number;
  /** Double the delay on each retry, with jitter (default true). */
  retryBackoff?: boolean;
  /**
   * Seconds a fetched job may stay active before pg-boss's maintenance fails it for retry (default 900).
   * A job still running then may run twice: handlers must be idempotent.
   */
  expireInSeconds?: number;
  /**
   * pg-boss queue policy (default 'standard'). `singletonKey` only deduplicates under 'short' (one
   * queued job per key), 'singleton' (one active per key) or 'stately' (one queued and one active).
   */
  policy?: 'standard' | 'short' | 'singleton' | 'stately';
}

export interface SendOptions {
  /**
   * Enqueue inside this transaction: the job exists only if the transaction commits. Always pass it
   * when sending from inside a transaction: without it the job commits on its own, and on PGlite (one
   * connection, held by the transaction) the send waits for the transaction forever.
   */
  tx?: Tx;
  startAfterSeconds?: number;
  /** Deduplication key; see `QueueOptions.policy`. */
  singletonKey?: string;
}

export interface StopOptions {
  /**
   * Default true: stop fetching, let the jobs already fetched finish and record their outcomes, then
   * stop pg-boss. False: fail in-flight jobs for retry at once. The database stays open either way.
   */
  graceful?: boolean;
  /** How long a graceful stop waits for in-flight jobs (default 30 000). */
  timeoutMs?: number;
}

export interface QueueStats {
  queued: number;
  active: number;
  failed: number;
  completed: number;
}

export interface Jobs {
  /** Adds a queue and its handler. Call before `start()`. */
  register<T>(name: string, handler: JobHandler<T>, options?: QueueOptions): void;
  /** Enqueues one job; resolves to its id, or null when `singletonKey` deduplicated it. */
  send<T>(name: string, data: T, options?: SendOptions): Promise<string | null>;
  sendMany<T>(name: string, items: T[], options?: { tx?: Tx }): Promise<void>;
  /** Sends `data` to the queue `name` on a cron schedule, evaluated in UTC. One schedule per queue. */
  schedule(name: string, cron: string, data?: object): Promise<void>;
  /** Installs or migrates the schema, creates the registered queues and, with `work`, runs workers. */
  start(options: { work: boolean }): Promise<void>;
  stop(options?: StopOptions): Promise<void>;
  /** Job counts per registered queue. Completed and failed jobs are archived after 12 hours. */
  stats(): Promise<Record<string, QueueStats>>;
}
