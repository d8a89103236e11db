import { randomUUID } from 'node:crypto';
import { connectorDefinitions } from '../connectors/index.ts';
import {
  APPLY_QUEUE,
  createOutbound,
  EXPORT_QUEUE,
  type Outbound,
  PLAN_QUEUE,
  RECONCILE_QUEUE,
  TICK_QUEUE,
} from '../outbound/index.ts';
import type { ModuleDeps } from './inbound.ts';

/** The outbound engine with its connectors and job handlers (export, plan, apply, reconcile, tick). */
export function outboundWithJobs(deps: ModuleDeps): Outbound {
  const { db, clock, directory, jobs, logger, secrets, config } = deps;
  const outbound = createOutbound({
    db,
    clock,
    directory,
    jobs,
    logger: logger.child({ component: 'outbound' }),
    secrets,
    // Connectors sit above the engine (they implement its contract): the registry is handed in.
    connectors: connectorDefinitions,
    processId: `${process.pid}-${randomUUID()}`,
    limits: {
      batchSize: config.outboundBatchSize,
      retryBaseSeconds: config.outboundRetryBaseSeconds,
      retryMaxSeconds: config.outboundRetryMaxSeconds,
      quarantineRetrySeconds: config.outboundQuarantineRetrySeconds,
      leaseSeconds: config.outboundLeaseSeconds,
    },
  });
  // One export job per app queued at a time ('short'): the exporter drains everything due.
  jobs.register<{ appId: string }>(EXPORT_QUEUE, (job) => outbound.exportApp(job.data.appId), {
    policy: 'short',
    batchSize: 4,
    pollingIntervalSeconds: 0.5,
    retryLimit: 20,
    retryDelaySeconds: 2,
    expireInSeconds: 900,
  });
  for (const [queue, handler] of [
    [PLAN_QUEUE, outbound.computePlan],
    [APPLY_QUEUE, outbound.executePlan],
    [RECONCILE_QUEUE, outbound.reconcile],
  ] as const)
    jobs.register<{ cycleId: string }>(queue, (job) => handler(job.data.cycleId), {
      batchSize: 1,
      pollingIntervalSeconds: 1,
      retryLimit: 5,
      retryDelaySeconds: 5,
      expireInSeconds: 3600,
    });
  jobs.register<Record<string, never>>(TICK_QUEUE, () => outbound.tick(), {
    batchSize: 1,
    pollingIntervalSeconds: 2,
    retryLimit: 0,
  });

  return outbound;
}
