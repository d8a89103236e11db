import type { Config } from '../config/index.ts';
import type { Clock, Logger, SecretBox } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import type { Directory } from '../directory/index.ts';
import {
  createInbound,
  DRAIN_QUEUE,
  type Inbound,
  LEAVERS_QUEUE,
  PRUNE_QUEUE,
  PULL_TICK_QUEUE,
} from '../inbound/index.ts';
import type { Jobs } from '../jobs/index.ts';

export interface ModuleDeps {
  db: Db;
  clock: Clock;
  directory: Directory;
  jobs: Jobs;
  logger: Logger;
  secrets: SecretBox;
  config: Config;
}

/** The inbound module and its job handlers (drain, scheduled pulls, leave dates, log retention). */
export function inboundWithJobs(deps: ModuleDeps): Inbound {
  const { db, clock, directory, jobs, logger, secrets, config } = deps;
  const inbound = createInbound({
    db,
    clock,
    directory,
    jobs,
    logger: logger.child({ component: 'inbound' }),
    secrets,
    defaultTimezone: config.defaultTimezone,
    limits: {
      bulkMaxOperations: config.inboundBulkMaxOperations,
      maxPayloadBytes: config.inboundMaxPayloadBytes,
      batchSize: config.inboundBatchSize,
    },
  });
  // One drain job per source in the queue at a time ('short'): a drainer empties everything pending,
  // so a burst of uploads costs one queued job, not thousands.
  jobs.register<{ sourceId: string }>(DRAIN_QUEUE, (job) => inbound.drain(job.data.sourceId), {
    policy: 'short',
    batchSize: 4,
    pollingIntervalSeconds: 0.5,
    retryLimit: 20,
    retryDelaySeconds: 1,
  });
  jobs.register<Record<string, never>>(PULL_TICK_QUEUE, () => inbound.pullTick(), {
    batchSize: 1,
    pollingIntervalSeconds: 2,
    retryLimit: 0,
    expireInSeconds: 3600,
  });

  jobs.register<Record<string, never>>(
    LEAVERS_QUEUE,
    async () => {
      const disabled = await inbound.disableDueLeavers();
      if (disabled > 0) logger.info({ disabled }, 'disabled people whose leave date has passed');
    },
    { batchSize: 1, pollingIntervalSeconds: 2, retryLimit: 3 },
  );

  jobs.register<Record<string, never>>(
    PRUNE_QUEUE,
    async () => {
      const pruned = await inbound.pruneRuns(config.inboundLogRetentionDays);
      if (pruned > 0) logger.info({ runs: pruned }, 'pruned inbound runs past their retention');
    },
    { batchSize: 1, pollingIntervalSeconds: 2, retryLimit: 3 },
  );

  return inbound;
}
