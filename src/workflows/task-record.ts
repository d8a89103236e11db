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

interface TaskRow {
  runId: string;
  position: number;
  task: string;
  status: 'completed' | 'failed' | 'skipped' | 'waiting' | 'running';
  result?: Record<string, unknown> | null;
  error?: Failure | null;
  countAttempt: boolean;
}

/** Writes task results, any number in one statement (a batch's rows travel in one JSON parameter). */
/** `holdRun` for many runs at this task in one statement (id order, so two holders cannot deadlock). */
export async function holdRuns(tx: Tx, runIds: readonly string[], position: number) {
  if (runIds.length === 0) return new Map<string, { error: Record<string, unknown> | null }>();
  const rows = await tx
    .selectFrom('workflow_runs')
    .select(['id', 'status', 'next_task', 'error'])
    .where('id', '=', (eb) => eb.fn.any(eb.val([...runIds])))
    .orderBy('id')
    .forUpdate()
    .execute();
  return new Map(
    rows
      .filter((r) => r.status === 'running' && r.next_task === position)
      .map((r) => [r.id, { error: r.error as Record<string, unknown> | null }]),
  );
}

async function writeTasks(tx: Tx, deps: WorkflowsDeps, tasks: readonly TaskRow[]) {
  if (tasks.length === 0) return;
  const now = deps.clock.now();
  const rows = tasks.map((t) => ({
    run_id: t.runId,
    position: t.position,
    task: t.task,
    status: t.status,
    attempts: t.countAttempt ? 1 : 0,
    finished_at: t.status === 'waiting' || t.status === 'running' ? null : now,
    result: t.result ?? null,
    error: t.error ?? null,
  }));
  await sql`
    insert into workflow_task_results (run_id, position, task, status, attempts, started_at, finished_at, result, error)
    select v.run_id, v.position, v.task, v.status, v.attempts, ${now}::timestamptz, v.finished_at, v.result, v.error
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(run_id uuid, position integer, task text,
           status text, attempts integer, finished_at timestamptz, result jsonb, error jsonb)
    on conflict (run_id, position) do update
       set status = excluded.status, attempts = workflow_task_results.attempts + excluded.attempts,
           finished_at = excluded.finished_at, result = coalesce(excluded.result, workflow_task_results.result),
           error = excluded.error`.execute(tx);
}

async function writeTask(
  tx: Tx,
  deps: WorkflowsDeps,
  runId: string,
  position: number,
  task: string,
  status: TaskRow['status'],
  detail: { result?: Record<string, unknown> | null; error?: Failure | null; countAttempt: boolean },
) {
  await writeTasks(tx, deps, [{ runId, position, task, status, ...detail }]);
}

export interface Finished {
  run: ClaimedRun;
  position: number;
  taskCount: number;
  task: string;
  outcome: { status: 'completed' | 'skipped' | 'failed'; result?: Record<string, unknown>; error?: Failure };
  /** The run's `error` as read under lock: earlier continueOnError failures. */
  runError: Record<string, unknown> | null;
}

/** The run's state after a finished task: the next task, or the end of the run. */
function progress(f: Finished) {
  const last = f.position + 1 >= f.taskCount;
  // A continueOnError failure is remembered on the run so it ends as completedWithErrors.
  const prior = (f.runError?.failedTasks as unknown[] | undefined) ?? [];
  const failedTasks =
    f.outcome.status === 'failed'
      ? [...prior, { position: f.position, task: f.task, error: f.outcome.error }]
      : prior;
  const status = last
    ? failedTasks.length > 0
      ? ('completedWithErrors' as const)
      : ('completed' as const)
    : null;
  return { last, status, error: failedTasks.length > 0 ? { failedTasks } : null };
}

const resultRow = (f: Finished): TaskRow => ({
  runId: f.run.id,
  position: f.position,
  task: f.task,
  status: f.outcome.status,
  result: f.outcome.result ?? null,
  error: f.outcome.error ?? null,
  countAttempt: f.outcome.status !== 'skipped',
});

/**
 * `advance` for a batch of runs held by the caller, with two statements whatever the batch size. None
 * is requeued: the executor that holds them goes on with the next task itself.
 */
export async function advanceMany(
  tx: Tx,
  deps: WorkflowsDeps,
  finished: readonly Finished[],
): Promise<Map<string, 'next' | 'finished'>> {
  const out = new Map<string, 'next' | 'finished'>();
  if (finished.length === 0) return out;
  await writeTasks(tx, deps, finished.map(resultRow));
  const rows = finished.map((f) => {
    const p = progress(f);
    out.set(f.run.id, p.last ? 'finished' : 'next');
    return { id: f.run.id, next_task: f.position + 1, status: p.status, error: p.error };
  });
  await sql`
    update workflow_runs r
       set next_task = v.next_task, attempts = 0, error = v.error,
           status = coalesce(v.status, r.status),
           finished_at = case when v.status is null then r.finished_at else ${deps.clock.now()}::timestamptz end,
           claimed_until = case when v.status is null then r.claimed_until end
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(id uuid, next_task integer, status text, error jsonb)
     where r.id = v.id`.execute(tx);
  return out;
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
  outcome: Finished['outcome'],
  options: { requeue?: boolean; runError?: Record<string, unknown> | null } = {},
): Promise<'next' | 'finished'> {
  const finished: Finished = { run, position, taskCount, task, outcome, runError: options.runError ?? null };
  await writeTasks(tx, deps, [resultRow(finished)]);
  const p = progress(finished);
  const now = deps.clock.now();
  const error = p.error ? JSON.stringify(p.error) : null;
  if (p.status) {
    await tx
      .updateTable('workflow_runs')
      .set({
        next_task: position + 1,
        status: p.status,
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
