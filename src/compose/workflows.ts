import type { Activation } from '../activation/index.ts';
import type { Notifications } from '../notifications/index.ts';
import { createWorkflows, EXECUTE_QUEUE, PASS_QUEUE, type Workflows } from '../workflows/index.ts';
import type { ModuleDeps } from './inbound.ts';

/** Lifecycle workflows with their job handlers: the scheduler pass (cron) and the executor. */
export function workflowsWithJobs(
  deps: ModuleDeps,
  notifications: Notifications,
  activation: Activation,
  publicUrl: () => string,
): Workflows {
  const { db, clock, directory, jobs, logger, secrets, config } = deps;
  const workflows = createWorkflows({
    db,
    clock,
    directory,
    jobs,
    logger: logger.child({ component: 'workflows' }),
    secrets,
    mailer: notifications,
    activation,
    settings: {
      defaultTimezone: config.defaultTimezone,
      batchSize: config.workflowsBatchSize,
      taskRetryLimit: config.workflowsTaskRetryLimit,
      // The embedded store has one connection: runs of a batch would only queue for it.
      concurrency: config.databaseUrl ? 4 : 1,
      publicUrl,
    },
  });
  jobs.register<Record<string, never>>(
    PASS_QUEUE,
    async () => {
      const pass = await workflows.pass();
      if (pass.runs + pass.recovered + pass.expiredCallbacks > 0)
        logger.info(pass, 'workflow scheduler pass');
    },
    { batchSize: 1, pollingIntervalSeconds: 2, retryLimit: 2, expireInSeconds: 900 },
  );
  // One executor job queued at a time ('short'): it drains every due run.
  jobs.register<Record<string, never>>(
    EXECUTE_QUEUE,
    async () => {
      await workflows.executeDue();
    },
    {
      policy: 'short',
      batchSize: 1,
      pollingIntervalSeconds: 0.5,
      retryLimit: 10,
      retryDelaySeconds: 2,
      expireInSeconds: 900,
    },
  );
  return workflows;
}
