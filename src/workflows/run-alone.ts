import { type Failure, failure, type RequestContext } from '../core/index.ts';
import type { TaskDefinition } from './definition.ts';
import { runExtensionTask } from './extension-task.ts';
import { actorOf, correlationOf, failGone, subjectsOf, type Versions } from './run-context.ts';
import type { Subject } from './subject.ts';
import { directoryTasks } from './task-directory.ts';
import { advance, type ClaimedRun, holdRun, recordFailure } from './task-record.ts';
import { runBuiltInTask, type TaskOutcome } from './task-run.ts';
import type { WorkflowsDeps } from './types.ts';

/** Thrown out of a task's transaction to roll its effect back while keeping the failure. */
class TaskRolledBack extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

/**
 * Executes one run from its next task to its end, one transaction per task: custom task extensions
 * (an HTTP call), and every run of a group whose shared transaction failed.
 */
export function createRunExecutor(deps: WorkflowsDeps, versions: Versions) {
  async function subjectOf(userId: string, withManager: boolean): Promise<Subject | null> {
    return (await subjectsOf(deps, [userId], withManager)).get(userId) ?? null;
  }

  /** One built-in task: effect, result and the run's progress in one transaction. */
  async function builtIn(
    run: ClaimedRun,
    position: number,
    task: TaskDefinition,
    taskCount: number,
    subject: Subject,
    ctx: RequestContext,
  ): Promise<'next' | 'stop'> {
    try {
      const step = await deps.db.transaction().execute(async (tx) => {
        const held = await holdRun(tx, run.id, position);
        if (!held) return 'lost' as const;
        const outcome: TaskOutcome | null = task.enabled
          ? await runBuiltInTask(deps, tx, ctx, task, { runId: run.id, occurrence: run.occurrence, subject })
          : null;
        if (outcome?.kind === 'failed') throw new TaskRolledBack(outcome.error);
        return advance(
          tx,
          deps,
          run,
          position,
          taskCount,
          task.task,
          {
            status: outcome ? 'completed' : 'skipped',
            ...(outcome ? { result: outcome.result } : {}),
          },
          { runError: held.error },
        );
      });
      return step === 'next' ? 'next' : 'stop';
    } catch (error) {
      const known = error instanceof TaskRolledBack ? error.failure : null;
      const cause = known ?? outage(error);
      const retryable = known ? known.retryable === true : true;
      const next = await recordFailure(deps, run, position, taskCount, task, cause, retryable);
      return next === 'next' ? 'next' : 'stop';
    }
  }

  async function executeRun(run: ClaimedRun): Promise<void> {
    const version = await versions(run.workflowId, run.version);
    if (!version) return;
    const tasks = version.definition.tasks;
    const ctx: RequestContext = { actor: actorOf(run, version), correlationId: correlationOf(run) };
    for (let position = run.nextTask; position < tasks.length; position++) {
      const task = tasks[position] as TaskDefinition;
      // Read again before each task: an earlier one (enable, move) may have changed the person.
      const subject = await subjectOf(run.userId, !directoryTasks.has(task.task));
      if (!subject) {
        await failGone(deps, run, position, tasks.length, task.task);
        return;
      }
      const step =
        task.task === 'runCustomTaskExtension' && task.enabled
          ? await runExtensionTask(deps, { run, position, task, taskCount: tasks.length, subject, version })
          : await builtIn(run, position, task, tasks.length, subject, ctx);
      if (step === 'stop') return;
    }
  }

  return executeRun;
}

function outage(error: unknown): Failure {
  return {
    ...failure(
      'workflows.task_failed',
      `the task could not run: ${error instanceof Error ? error.message : String(error)}`,
    ),
    retryable: true,
  };
}
