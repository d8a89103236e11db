import { setTimeout as sleep } from 'node:timers/promises';
import { CompiledQuery } from 'kysely';
import type PgBoss from 'pg-boss';
import type { Logger } from '../core/index.ts';
import type { Database, Tx } from '../db/index.ts';
import { createBoss, JOB_SCHEMA } from './boss.ts';
import { readStats } from './stats.ts';
import { txExecutor } from './tx-executor.ts';
import type { JobHandler, JobOutcome, Jobs, QueueOptions, SendOptions, StopOptions } from './types.ts';
import { QueueWorker } from './worker.ts';

export interface JobsDeps {
  database: Database;
  logger: Logger;
  /** Called once per job after its outcome is stored (metrics). */
  onJobFinished?: (name: string, outcome: JobOutcome, durationMs: number) => void;
}

/**
 * Defaults. pg-boss's own (batch 1, 2 s polling) give a couple of jobs per second. Retries: 5, the
 * first after 1-2 s, each delay doubling with jitter (31-62 s from first failure to last attempt).
 */
const QUEUE_DEFAULTS: Required<QueueOptions> = {
  batchSize: 50,
  pollingIntervalSeconds: 1,
  workers: 1,
  retryLimit: 5,
  retryDelaySeconds: 1,
  retryBackoff: true,
  expireInSeconds: 15 * 60,
  policy: 'standard',
};

interface Queue {
  handler: JobHandler<unknown>;
  options: Required<QueueOptions>;
}

type State =
  | { kind: 'new' }
  | { kind: 'started'; boss: PgBoss; workers: QueueWorker[] }
  | { kind: 'stopped' };

export function createJobs(deps: JobsDeps): Jobs {
  const { database, logger } = deps;
  const queues = new Map<string, Queue>();
  let state: State = { kind: 'new' };
  let stopping: Promise<void> | undefined;

  function bossFor(name: string): PgBoss {
    if (state.kind !== 'started')
      throw new Error(`jobs: cannot use queue ${name}: the job queue is ${state.kind}`);
    if (!queues.has(name)) throw new Error(`jobs: no queue named ${name} is registered`);
    return state.boss;
  }

  async function failWithoutRetry(boss: PgBoss, name: string, id: string, output: { message: string }) {
    await database.db.transaction().execute(async (tx) => {
      // pg-boss has no "fail without retry": its fail() retries while retry_count < retry_limit.
      // Lowering this job's retry_limit to its retry_count (columns of pg-boss 10's job table) makes
      // the same fail() final. Both run in one transaction. If a pg-boss upgrade changes this, the
      // NonRetryableError test (state 'failed' after one attempt) fails.
      await tx.executeQuery(
        CompiledQuery.raw(
          `update ${JOB_SCHEMA}.job set retry_limit = retry_count where name = $1 and id = $2 and state = 'active'`,
          [name, id],
        ),
      );
      await boss.fail(name, id, output, { db: txExecutor(tx) });
    });
  }

  async function stopStarted(boss: PgBoss, workers: QueueWorker[], options: StopOptions): Promise<void> {
    const { graceful = true, timeoutMs = 30_000 } = options;
    const drained = Promise.all(workers.map((w) => w.stop()));
    if (graceful) {
      const timer = new AbortController();
      const finished = await Promise.race([
        drained.then(() => true),
        sleep(timeoutMs, false, { signal: timer.signal }).catch(() => false),
      ]);
      timer.abort();
      if (!finished)
        logger.warn({ timeoutMs }, 'jobs: in-flight jobs did not finish in time; failing them for retry');
    }
    // A no-op for a worker that drained.
    await Promise.all(workers.map((w) => w.abandon()));
    await boss.stop({ graceful: false, close: false });
  }

  return {
    register<T>(name: string, handler: JobHandler<T>, options: QueueOptions = {}) {
      if (state.kind !== 'new') throw new Error(`jobs: register ${name} before start()`);
      if (queues.has(name)) throw new Error(`jobs: queue ${name} is already registered`);
      // The handler only ever receives data sent to its own queue, as T.
      queues.set(name, {
        handler: handler as JobHandler<unknown>,
        options: { ...QUEUE_DEFAULTS, ...options },
      });
    },

    async send<T>(name: string, data: T, options: SendOptions = {}) {
      const boss = bossFor(name);
      const sendOptions: PgBoss.SendOptions = {};
      if (options.startAfterSeconds !== undefined) sendOptions.startAfter = options.startAfterSeconds;
      if (options.singletonKey !== undefined) sendOptions.singletonKey = options.singletonKey;
      if (options.tx) sendOptions.db = txExecutor(options.tx);
      return boss.send(name, jsonParameter(data), sendOptions);
    },

    async sendMany<T>(name: string, items: T[], options: { tx?: Tx } = {}) {
      const boss = bossFor(name);
      if (items.length === 0) return;
      // insert() serialises the whole array itself, so the data goes in as plain values.
      const rows = items.map((data) => ({ name, data: data as object }));
      await boss.insert(rows, options.tx ? { db: txExecutor(options.tx) } : {});
    },

    async schedule(name: string, cron: string, data?: object) {
      await bossFor(name).schedule(name, cron, jsonParameter(data), { tz: 'UTC' });
    },

    async start({ work }) {
      if (state.kind !== 'new') throw new Error('jobs: start() may be called once');
      const boss = createBoss(database, { work });
      // pg-boss reports background failures (maintenance, cron) as events; an unheard 'error' would throw.
      boss.on('error', (error) => logger.error({ err: error }, 'jobs: pg-boss error'));
      await boss.start();
      for (const [name, { options }] of queues) {
        const settings: PgBoss.Queue = {
          name,
          policy: options.policy,
          retryLimit: options.retryLimit,
          retryDelay: options.retryDelaySeconds,
          retryBackoff: options.retryBackoff,
          expireInSeconds: options.expireInSeconds,
        };
        await boss.createQueue(name, settings);
        // createQueue leaves an existing queue as it was; apply changed settings too.
        await boss.updateQueue(name, settings);
      }
      const workers: QueueWorker[] = [];
      if (work) {
        for (const [name, { handler, options }] of queues) {
          for (let i = 0; i < options.workers; i++) {
            workers.push(
              new QueueWorker({
                boss,
                name,
                handler,
                batchSize: options.batchSize,
                pollingIntervalSeconds: options.pollingIntervalSeconds,
                logger,
                failWithoutRetry: (id, output) => failWithoutRetry(boss, name, id, output),
                onJobFinished: deps.onJobFinished,
              }),
            );
          }
        }
      }
      state = { kind: 'started', boss, workers };
      for (const worker of workers) worker.start();
    },

    stop(options: StopOptions = {}) {
      if (stopping) return stopping;
      if (state.kind !== 'started') {
        state = { kind: 'stopped' };
        return Promise.resolve();
      }
      const { boss, workers } = state;
      state = { kind: 'stopped' };
      stopping = stopStarted(boss, workers, options);
      return stopping;
    },

    stats() {
      return readStats(database, [...queues.keys()]);
    },
  };
}

/**
 * Job data as JSON text. node-postgres would send a top-level array as a PostgreSQL array literal and
 * a string unquoted, both invalid for pg-boss's `$n::jsonb`; text passes through both engines as is.
 * pg-boss types the payload as an object, hence the cast.
 */
function jsonParameter(data: unknown): object {
  return JSON.stringify(data) as unknown as object;
}
