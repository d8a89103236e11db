import type { Failure, RequestContext } from '../core/index.ts';
import type { Tx } from '../db/index.ts';
import type { TaskDefinition } from './definition.ts';
import { actorOf, correlationOf, failGone, subjectsOf, type Version } from './run-context.ts';
import type { Subject } from './subject.ts';
import { directoryTasks, runDirectoryTask } from './task-directory.ts';
import { advanceMany, type ClaimedRun, type Finished, holdRuns, recordFailure } from './task-record.ts';
import { runMailTasks, type TaskOutcome } from './task-run.ts';
import type { WorkflowsDeps } from './types.ts';

/** Executes one task for a group of runs in one transaction (see `executeGroup`). */
export function createGroupExecutor(deps: WorkflowsDeps, executeRun: (run: ClaimedRun) => Promise<void>) {
  /** The task's outcome for each run of a group (by run id), inside the group's transaction. */
  async function groupOutcomes(
    tx: Tx,
    ctx: RequestContext,
    task: TaskDefinition,
    runs: readonly ClaimedRun[],
    subjects: Map<string, Subject> | null,
  ): Promise<Map<string, TaskOutcome>> {
    if (!subjects) {
      const byUser = await runDirectoryTask(
        deps,
        tx,
        ctx,
        task,
        runs.map((r) => r.userId),
      );
      return new Map(
        runs.flatMap((r) => (byUser.has(r.userId) ? [[r.id, byUser.get(r.userId) as TaskOutcome]] : [])),
      );
    }
    return runMailTasks(
      deps,
      tx,
      ctx,
      task,
      runs.map((r) => ({
        runId: r.id,
        occurrence: r.occurrence,
        subject: subjects.get(r.userId) as Subject,
      })),
    );
  }

  /**
   * One built-in task (or a disabled task) for many runs of one workflow version at the same
   * position, in one transaction: hold the runs, the task's effect for all their people (directory
   * changes, or e-mails and activation codes queued with one insert), the task
   * results and the runs' progress. Each person's outcome is their own (a failure is found before
   * anything is written for them) and is recorded after the commit as a failure of that run alone.
   * Should the transaction itself fail, nothing of it was committed and each run executes again on
   * its own. Returns the runs that go on to their next task.
   */
  async function executeGroup(
    version: Version,
    position: number,
    group: ClaimedRun[],
  ): Promise<ClaimedRun[]> {
    const tasks = version.definition.tasks;
    const task = tasks[position] as TaskDefinition;
    const first = group[0] as ClaimedRun;
    // Mail tasks need the people and their managers as they are now; directory tasks check under lock.
    const mail = task.enabled && !directoryTasks.has(task.task);
    const subjects = mail
      ? await subjectsOf(
          deps,
          group.map((r) => r.userId),
          true,
        )
      : null;
    const runs: ClaimedRun[] = [];
    for (const run of group) {
      if (!subjects || subjects.has(run.userId)) runs.push(run);
      else await failGone(deps, run, position, tasks.length, task.task);
    }
    if (runs.length === 0) return [];
    const ctx: RequestContext = {
      actor: actorOf(first, version),
      correlationId: `workflow-${first.workflowId}-v${first.version}-task-${position}`,
      correlationIds: new Map(runs.map((r) => [r.userId, correlationOf(r)])),
    };
    let done: { steps: Map<string, 'next' | 'finished'>; failed: { run: ClaimedRun; error: Failure }[] };
    try {
      done = await deps.db.transaction().execute(async (tx) => {
        const held = await holdRuns(
          tx,
          runs.map((r) => r.id),
          position,
        );
        const mine = runs.filter((r) => held.has(r.id));
        const outcomes = task.enabled ? await groupOutcomes(tx, ctx, task, mine, subjects) : null;
        const finished: Finished[] = [];
        const failed: { run: ClaimedRun; error: Failure }[] = [];
        for (const run of mine) {
          const outcome: TaskOutcome | undefined = outcomes?.get(run.id);
          if (outcomes && !outcome) throw new Error(`${task.task} gave no outcome for run ${run.id}`);
          if (outcome?.kind === 'failed') {
            failed.push({ run, error: outcome.error });
            continue;
          }
          finished.push({
            run,
            position,
            taskCount: tasks.length,
            task: task.task,
            outcome: outcome ? { status: 'completed', result: outcome.result } : { status: 'skipped' },
            runError: held.get(run.id)?.error ?? null,
          });
        }
        return { steps: await advanceMany(tx, deps, finished), failed };
      });
    } catch (error) {
      deps.logger.warn(
        { err: error, workflowId: first.workflowId, position, runs: runs.length },
        'a batch of workflow tasks rolled back; its runs execute one by one',
      );
      for (const run of runs) await executeRun({ ...run, nextTask: position });
      return [];
    }
    const next = runs.filter((r) => done.steps.get(r.id) === 'next');
    for (const { run, error } of done.failed) {
      // The person is gone: nothing later in the run can work either (as when executeRun finds no one).
      const gone = error.code === 'directory.user_not_found';
      const step = await recordFailure(
        deps,
        run,
        position,
        tasks.length,
        { task: task.task, continueOnError: gone ? false : task.continueOnError },
        error,
        error.retryable === true,
      );
      if (step === 'next') next.push(run);
    }
    return next.map((r) => ({ ...r, nextTask: position + 1 }));
  }

  return executeGroup;
}
