import type { Tx } from '../db/index.ts';
import type { WorkflowsDeps } from './types.ts';

export const PASS_QUEUE = 'workflows.pass';
export const EXECUTE_QUEUE = 'workflows.execute';

/**
 * Wakes the executor. Immediate and delayed wake-ups use different singleton keys: under pg-boss's
 * `short` policy one queued job per key is kept, and a wake-up for a retry in an hour must not
 * swallow one for now (the lesson of the outbound exporter).
 */
export async function kickExecutor(deps: WorkflowsDeps, tx?: Tx, delaySeconds = 0): Promise<void> {
  if (delaySeconds <= 0) {
    await deps.jobs.send(EXECUTE_QUEUE, {}, { ...(tx ? { tx } : {}), singletonKey: 'now' });
    return;
  }
  const at = Math.ceil((deps.clock.now().getTime() + delaySeconds * 1000) / 60_000);
  await deps.jobs.send(
    EXECUTE_QUEUE,
    {},
    { ...(tx ? { tx } : {}), singletonKey: `at-${at}`, startAfterSeconds: Math.ceil(delaySeconds) },
  );
}
