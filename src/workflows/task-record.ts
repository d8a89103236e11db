import { sql } from 'kysely';
import type { Failure } from '../core/index.ts';
import type { Tx } from '../db/index.ts';
import { kickExecutor } from './queues.ts';
import type { WorkflowsDeps } from './types.ts';

export interface ClaimedRun {
  id: string;
  workflowId: string;
  version: number;
  userId: string;
  occurrence: string;
  nextTask: number;
}

/**
 * Locks the run and checks it is still ours at this task: running (or, for a callback, waiting) with
 * this task next. Anything else means another worker or a callback moved it on: do nothing.
 */
export async function holdRun(
  tx: Tx,
  runId: string,
  position: number,
  states: readonly string[] = ['running'],
) {
  const row = await tx
    .selectFrom('workflow_runs')
    .select(['status', 'next_task', 'error', 'attempts'])
    .where('id', '=', runId)
    .forUpdate()
    .executeTakeFirst();
  return row && states.includes(row.status) && row.next_task === position ? row : null;
}

async function writeTask(
  tx: Tx,
  deps: WorkflowsDeps,
  runId: string,
  position: number,
  task: string,
  status: 'completed' | 'failed' | 'skipped' | 'waiting' | 'running',
  detail: { result?: Record<string, unknown> | null; error?: Failure | null; countAttempt: boolean },
) {
  const now = deps.clock.now();
  const finished = status === 'waiting' || status === 'running' ? null : now;
  const result = detail.result ? JSON.stringify(detail.result) : null;
  const error = detail.error ? JSON.stringify(detail.error) : null;
  const attempt = detail.countAttempt ? 1 : 0;
  await sql`
    insert into workflow_task_results (run_id, position, task, status, attempts, started_at, finished_at, result, error)
    values (${runId}, ${position}, ${task}, ${status}, ${attempt}, ${now}, ${finished}, ${result}::jsonb, ${error}::jsonb)
    on conflict (run_id, position) do update
       set status = excluded.status, attempts = workflow_task_results.attempts + ${attempt},
           finished_at = excluded.finished_at, result = coalesce(excluded.result, workflow_task_results.result),
           error = excluded.error`.execute(tx);
}

/**
 * Records a task that finished (completed, skipped, or failed with continueOnError) and moves the run
 * to the next task, or finishes it after the last one.
 */
export async function advance(
  tx: Tx,
  deps: WorkflowsDeps,
  run: ClaimedRun,
  position: number,
  taskCount: number,
  task: string,
  outcome: { status: 'completed' | 'skipped' | 'failed'; result?: Record<string, unknown>; error?: Failure },
  options: { requeue?: boolean; runError?: Record<string, unknown> | null } = {},
): Promise<'next' | 'finished'> {
  await writeTask(tx, deps, run.id, position, task, outcome.status, {
    result: outcome.result ?? null,
    error: outcome.error ?? null,
    countAttempt: outcome.status !== 'skipped',
  });
  const now = deps.clock.now();
  const last = position + 1 >= taskCount;
  // A continueOnError failure is remembered on the run so it ends as completedWithErrors.
  const priorErrors = (options.runError?.failedTasks as unknown[] | undefined) ?? [];
  const failedTasks =
    outcome.status === 'failed' ? [...priorErrors, { position, task, error: outcome.error }] : priorErrors;
  const error = failedTasks.length > 0 ? JSON.stringify({ failedTasks }) : null;
  if (last) {
    await tx
      .updateTable('workflow_runs')
      .set({
        next_task: position + 1,
        status: failedTasks.length > 0 ? 'completedWithErrors' : 'completed',
        finished_at: now,
        claimed_until: null,
        attempts: 0,
        error,
      })
      .where('id', '=', run.id)
      .execute();
    return 'finished';
  }
  await tx
    .updateTable('workflow_runs')
    .set({
      next_task: position + 1,
      attempts: 0,
      error,
      ...(options.requeue ? { status: 'queued', due_at: now, claimed_until: null } : {}),
    })
    .where('id', '=', run.id)
    .execute();
  if (options.requeue) await kickExecutor(deps, tx);
  return 'next';
}

/** Backoff of a task's automatic retries: 30 s, 1 min, 2 min... at most an hour. */
const retryDelaySeconds = (attempt: number) => Math.min(3600, 30 * 2 ** Math.max(0, attempt - 1));

/**
 * Records a failed attempt. Retryable and under the limit: the run waits and tries the task again.
 * Otherwise the task failed for good: the run goes on (continueOnError) or fails. The run's `attempts`
 * counts the current task's failed attempts; a retry by hand starts it again, with every automatic retry.
 */
export async function recordFailure(
  deps: WorkflowsDeps,
  run: ClaimedRun,
  position: number,
  taskCount: number,
  task: { task: string; continueOnError: boolean },
  error: Failure,
  retryable: boolean,
  states: readonly string[] = ['running'],
): Promise<'retry' | 'next' | 'finished' | 'failed' | 'lost'> {
  return deps.db.transaction().execute(async (tx) => {
    const held = await holdRun(tx, run.id, position, states);
    if (!held) return 'lost';
    const attempts = held.attempts + 1;
    if (retryable && attempts <= deps.settings.taskRetryLimit) {
      await writeTask(tx, deps, run.id, position, task.task, 'failed', { error, countAttempt: true });
      const delay = retryDelaySeconds(attempts);
      await tx
        .updateTable('workflow_runs')
        .set({
          status: 'queued',
          due_at: new Date(deps.clock.now().getTime() + delay * 1000),
          claimed_until: null,
          attempts,
        })
        .where('id', '=', run.id)
        .execute();
      await kickExecutor(deps, tx, delay);
      return 'retry';
    }
    if (task.continueOnError)
      return advance(
        tx,
        deps,
        run,
        position,
        taskCount,
        task.task,
        { status: 'failed', error },
        {
          requeue: states.includes('waiting'),
          runError: held.error,
        },
      );
    await writeTask(tx, deps, run.id, position, task.task, 'failed', { error, countAttempt: true });
    await tx
      .updateTable('workflow_runs')
      .set({
        status: 'failed',
        finished_at: deps.clock.now(),
        claimed_until: null,
        attempts,
        error: JSON.stringify({ position, task: task.task, ...error }),
      })
      .where('id', '=', run.id)
      .execute();
    return 'failed';
  });
}

export { writeTask };
