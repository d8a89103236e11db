import { setTimeout as sleep } from 'node:timers/promises';
import type PgBoss from 'pg-boss';
import type { Logger } from '../core/index.ts';
import { errorMessage, isRetryable } from './errors.ts';
import type { JobHandler, JobOutcome } from './types.ts';

export interface WorkerDeps {
  boss: PgBoss;
  name: string;
  handler: JobHandler<unknown>;
  batchSize: number;
  pollingIntervalSeconds: number;
  logger: Logger;
  /** Fails one active job so that it is not retried. */
  failWithoutRetry: (id: string, output: { message: string }) => Promise<void>;
  onJobFinished?: ((name: string, outcome: JobOutcome, durationMs: number) => void) | undefined;
}

/**
 * One fetch loop for one queue. We drive pg-boss's `fetch`/`complete`/`fail` ourselves rather than
 * use its `work()`, because `work()`:
 * - gives the whole batch one outcome (one failing job would retry the others);
 * - waits a full polling interval after every batch, even a full one (its throughput is polling-bound);
 * - fires `complete`/`fail` without awaiting them (a database error becomes an unhandled rejection);
 * - on stop, only polls its own in-flight list every 500 ms.
 * Here each job gets its own outcome, a full batch is followed by an immediate fetch, every write is
 * awaited and logged, and `stop()` resolves exactly when the batch in hand is done.
 */
export class QueueWorker {
  readonly #deps: WorkerDeps;
  #stopping = false;
  #abandoned = false;
  #pause: AbortController | undefined;
  #loop: Promise<void> | undefined;
  /** Fetched (hence active in pg-boss) jobs whose handler has not finished. */
  readonly #running = new Set<string>();
  /** Jobs whose handler succeeded, completed in one statement at the end of the batch. */
  #succeeded: Array<{ id: string; durationMs: number }> = [];

  constructor(deps: WorkerDeps) {
    this.#deps = deps;
  }

  start(): void {
    this.#loop = this.#run();
  }

  /** Stops fetching. Resolves once the batch in hand has finished (the drain). */
  stop(): Promise<void> {
    this.#stopping = true;
    this.#pause?.abort();
    return this.#loop ?? Promise.resolve();
  }

  /**
   * After a drain gave up (or for a non-graceful stop): records what already succeeded and fails the
   * rest for retry, so no job stays active until pg-boss's expiry. A handler still running is left to
   * finish on its own; its result is ignored.
   */
  async abandon(): Promise<void> {
    this.#abandoned = true;
    await this.#flushCompleted();
    const ids = [...this.#running];
    this.#running.clear();
    if (ids.length === 0) return;
    const { boss, name, logger } = this.#deps;
    try {
      // One call per job: pg-boss's typings only take a failure payload with a single id.
      for (const id of ids) await boss.fail(name, id, { message: 'worker stopped before the job finished' });
      logger.warn({ queue: name, jobIds: ids }, `jobs ${name}: stopped before finishing, failed for retry`);
    } catch (error) {
      logger.error(
        { queue: name, jobIds: ids, err: error },
        `jobs ${name}: could not release unfinished jobs`,
      );
    }
  }

  async #run(): Promise<void> {
    const { batchSize, pollingIntervalSeconds, logger, name } = this.#deps;
    while (!this.#stopping) {
      let fetched = 0;
      try {
        const jobs = await this.#deps.boss.fetch<unknown>(name, { batchSize, includeMetadata: true });
        fetched = jobs.length;
        if (fetched > 0) await this.#runBatch(jobs);
      } catch (error) {
        // Keep the loop alive: a dead loop would silently stop this queue.
        logger.error({ queue: name, err: error }, `jobs ${name}: worker error`);
      }
      // A full batch suggests more are waiting: fetch again at once.
      if (!this.#stopping && fetched < batchSize) await this.#sleep(pollingIntervalSeconds * 1000);
    }
  }

  async #runBatch(fetched: PgBoss.JobWithMetadata<unknown>[]): Promise<void> {
    // pg-boss's fetch returns a batch in no particular order (UPDATE ... RETURNING); restore the
    // queue's order so that jobs run roughly first in, first out. Ordering is best effort only:
    // retries and concurrent workers reorder jobs anyway.
    const jobs = [...fetched].sort(
      (a, b) => b.priority - a.priority || a.createdOn.getTime() - b.createdOn.getTime(),
    );
    for (const job of jobs) this.#running.add(job.id);
    // One job at a time: handlers share the database (a single connection on PGlite) and jobs are
    // meant to carry their own batches.
    for (const job of jobs) {
      if (this.#abandoned) return;
      const started = performance.now();
      let failure: { error: unknown } | undefined;
      try {
        await this.#deps.handler({ id: job.id, name: job.name, data: job.data, retryCount: job.retryCount });
      } catch (error) {
        failure = { error };
      }
      const durationMs = performance.now() - started;
      // Not running any more means abandon() already failed it for retry.
      if (!this.#running.delete(job.id)) return;
      if (failure) await this.#fail(job, failure.error, durationMs);
      else this.#succeeded.push({ id: job.id, durationMs });
    }
    await this.#flushCompleted();
  }

  async #fail(job: PgBoss.JobWithMetadata<unknown>, error: unknown, durationMs: number): Promise<void> {
    const { boss, name, logger } = this.#deps;
    const retryable = isRetryable(error);
    const outcome: JobOutcome = retryable && job.retryCount < job.retryLimit ? 'retry' : 'failed';
    const message = errorMessage(error);
    try {
      if (retryable) await boss.fail(name, job.id, { message });
      else await this.#deps.failWithoutRetry(job.id, { message });
    } catch (dbError) {
      // The job stays active; pg-boss's maintenance expires it later and it is retried.
      logger.error({ queue: name, jobId: job.id, err: dbError }, `jobs ${name}: could not record a failure`);
      return;
    }
    const fields = {
      queue: name,
      jobId: job.id,
      retryCount: job.retryCount,
      retry: outcome === 'retry',
      err: error,
    };
    if (outcome === 'retry') logger.warn(fields, `job ${name} failed, will retry: ${message}`);
    else logger.error(fields, `job ${name} failed, no retry: ${message}`);
    this.#report(outcome, durationMs);
  }

  async #flushCompleted(): Promise<void> {
    const done = this.#succeeded;
    this.#succeeded = [];
    if (done.length === 0) return;
    const { boss, name, logger } = this.#deps;
    try {
      await boss.complete(
        name,
        done.map((d) => d.id),
      );
    } catch (error) {
      // They stay active until pg-boss expires them, then run again (handlers are idempotent).
      logger.error({ queue: name, err: error }, `jobs ${name}: could not mark ${done.length} jobs completed`);
      return;
    }
    for (const d of done) this.#report('completed', d.durationMs);
  }

  #report(outcome: JobOutcome, durationMs: number): void {
    try {
      this.#deps.onJobFinished?.(this.#deps.name, outcome, durationMs);
    } catch (error) {
      this.#deps.logger.error({ err: error }, 'onJobFinished threw');
    }
  }

  async #sleep(ms: number): Promise<void> {
    const controller = new AbortController();
    this.#pause = controller;
    try {
      await sleep(ms, undefined, { signal: controller.signal });
    } catch {
      // Aborted by stop().
    } finally {
      this.#pause = undefined;
    }
  }
}
