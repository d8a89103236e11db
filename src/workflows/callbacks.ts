import { z } from 'zod';
import { err, failure, ok, type Result } from '../core/index.ts';
import type { WorkflowDefinition } from './definition.ts';
import { hashToken } from './extension-task.ts';
import { advance, type ClaimedRun, recordFailure } from './task-record.ts';
import type { WorkflowsDeps } from './types.ts';

export const callbackBodySchema = z.strictObject({
  status: z.enum(['completed', 'failed']),
  message: z.string().max(2000).optional(),
  /** Anything the endpoint wants kept with the task's result. */
  data: z.record(z.string(), z.unknown()).optional(),
});
export type CallbackBody = z.output<typeof callbackBodySchema>;

const invalidCallback = () =>
  failure('workflows.callback_invalid', 'this callback URL is unknown, already used or expired');

async function runAndTask(deps: WorkflowsDeps, runId: string, position: number) {
  const run = await deps.db
    .selectFrom('workflow_runs as r')
    .innerJoin('workflow_versions as v', (j) =>
      j.onRef('v.workflow_id', '=', 'r.workflow_id').onRef('v.version', '=', 'r.version'),
    )
    .select([
      'r.id',
      'r.workflow_id',
      'r.version',
      'r.user_id',
      'r.occurrence',
      'r.next_task',
      'v.definition',
    ])
    .where('r.id', '=', runId)
    .executeTakeFirst();
  if (!run) return null;
  const definition = run.definition as unknown as Omit<WorkflowDefinition, 'enabled'>;
  const task = definition.tasks[position];
  if (!task) return null;
  const claimed: ClaimedRun = {
    id: run.id,
    workflowId: run.workflow_id,
    version: run.version,
    userId: run.user_id,
    occurrence: run.occurrence,
    nextTask: run.next_task,
  };
  return { claimed, task, taskCount: definition.tasks.length };
}

/**
 * The endpoint of a launchAndWait extension reports back once: completed moves the run to its next
 * task, failed fails the task (and the run, unless the task may fail). The token works once.
 */
export async function resumeFromCallback(
  deps: WorkflowsDeps,
  token: string,
  body: CallbackBody,
): Promise<Result<{ runId: string }>> {
  const now = deps.clock.now();
  const cb = await deps.db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('workflow_callbacks')
      .selectAll()
      .where('token_hash', '=', hashToken(token))
      .forUpdate()
      .executeTakeFirst();
    if (!row || row.used_at || new Date(row.expires_at) <= now) return null;
    await tx
      .updateTable('workflow_callbacks')
      .set({ used_at: now })
      .where('token_hash', '=', row.token_hash)
      .execute();
    return row;
  });
  if (!cb) return err(invalidCallback());
  const found = await runAndTask(deps, cb.run_id, cb.position);
  if (!found) return err(invalidCallback());
  const { claimed, task, taskCount } = found;
  const states = ['waiting', 'running'];
  if (body.status === 'failed') {
    const outcome = await recordFailure(
      deps,
      claimed,
      cb.position,
      taskCount,
      task,
      failure('workflows.task_failed', body.message ?? 'the custom task extension reported a failure', {
        ...(body.data ? { data: body.data } : {}),
      }),
      false,
      states,
    );
    return outcome === 'lost' ? err(invalidCallback()) : ok({ runId: claimed.id });
  }
  const moved = await deps.db.transaction().execute(async (tx) => {
    const held = await tx
      .selectFrom('workflow_runs')
      .select(['status', 'next_task', 'error'])
      .where('id', '=', claimed.id)
      .forUpdate()
      .executeTakeFirst();
    if (!held || !states.includes(held.status) || held.next_task !== cb.position) return false;
    await advance(
      tx,
      deps,
      claimed,
      cb.position,
      taskCount,
      task.task,
      {
        status: 'completed',
        result: {
          callback: {
            status: body.status,
            ...(body.message ? { message: body.message } : {}),
            ...(body.data ? { data: body.data } : {}),
          },
        },
      },
      { requeue: true, runError: held.error },
    );
    return true;
  });
  return moved ? ok({ runId: claimed.id }) : err(invalidCallback());
}

/**
 * Waiting tasks whose callback did not come in time fail (the scheduler pass looks every minute). A
 * task whose call to the endpoint is still under way (a call may outlast a short callback timeout) is
 * left for a later pass: it will be waiting then, and must not wait for a callback nobody can send.
 */
export async function expireCallbacks(deps: WorkflowsDeps): Promise<number> {
  const now = deps.clock.now();
  const due = await deps.db
    .selectFrom('workflow_callbacks as c')
    .innerJoin('workflow_runs as r', 'r.id', 'c.run_id')
    .select(['c.token_hash', 'c.run_id', 'c.position'])
    .where('c.used_at', 'is', null)
    .where('c.expires_at', '<=', now)
    .where((eb) =>
      eb.not(eb.and([eb('r.status', '=', 'running'), eb('r.next_task', '=', eb.ref('c.position'))])),
    )
    .limit(1000)
    .execute();
  let expired = 0;
  for (const cb of due) {
    await deps.db
      .updateTable('workflow_callbacks')
      .set({ used_at: now })
      .where('token_hash', '=', cb.token_hash)
      .execute();
    const found = await runAndTask(deps, cb.run_id, cb.position);
    if (!found) continue;
    const outcome = await recordFailure(
      deps,
      found.claimed,
      cb.position,
      found.taskCount,
      found.task,
      failure('workflows.task_failed', 'the custom task extension did not call back in time'),
      false,
      ['waiting'],
    );
    if (outcome !== 'lost') expired++;
  }
  return expired;
}
