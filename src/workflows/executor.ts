import { type Failure, failure, type RequestContext } from '../core/index.ts';
import type { TaskDefinition, WorkflowDefinition } from './definition.ts';
import { runExtensionTask } from './extension-task.ts';
import { kickExecutor } from './queues.ts';
import type { Subject } from './subject.ts';
import { advance, type ClaimedRun, holdRun, recordFailure } from './task-record.ts';
import { runBuiltInTask, type TaskOutcome } from './task-run.ts';
import type { WorkflowsDeps } from './types.ts';

/** How long a claimed run is this worker's; a crashed worker's runs are taken back after it. */
export const CLAIM_MS = 5 * 60_000;

interface Version {
  name: string;
  definition: Omit<WorkflowDefinition, 'enabled'>;
}

/** Thrown out of a task's transaction to roll its effect back while keeping the failure. */
class TaskRolledBack extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

/** Built-in tasks that act on the person alone: no read of their manager before them. */
const personOnly = new Set<string>([
  'enableUserAccount',
  'disableUserAccount',
  'deleteUserAccount',
  'addUserToGroups',
  'removeUserFromSelectedGroups',
  'removeUserFromAllGroups',
]);

/** Versions never change once written, so each is read once per process. */
function versionCache(deps: WorkflowsDeps) {
  const cache = new Map<string, Promise<Version | null>>();
  return (workflowId: string, version: number) => {
    const key = `${workflowId}:${version}`;
    let found = cache.get(key);
    if (!found) {
      found = deps.db
        .selectFrom('workflow_versions as v')
        .innerJoin('workflows as w', 'w.id', 'v.workflow_id')
        .select(['w.name', 'v.definition'])
        .where('v.workflow_id', '=', workflowId)
        .where('v.version', '=', version)
        .executeTakeFirst()
        .then((r) =>
          r ? { name: r.name, definition: r.definition as unknown as Version['definition'] } : null,
        );
      cache.set(key, found);
    }
    return found;
  };
}

export function createExecutor(deps: WorkflowsDeps) {
  const versions = versionCache(deps);

  async function claim(limit: number): Promise<ClaimedRun[]> {
    const now = deps.clock.now();
    const rows = await deps.db
      .updateTable('workflow_runs')
      .set((eb) => ({
        status: 'running',
        claimed_until: new Date(now.getTime() + CLAIM_MS),
        started_at: eb.fn.coalesce('started_at', eb.val(now)),
      }))
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('workflow_runs')
          .select('id')
          .where('status', '=', 'queued')
          .where('due_at', '<=', now)
          // Then by id: a pass queues each workflow's runs together with one due_at, and random ids mix
          // the workflows in a batch, so concurrent runs seldom wait for the same group's row lock.
          .orderBy('due_at')
          .orderBy('id')
          .limit(limit)
          .forUpdate()
          .skipLocked(),
      )
      .returning(['id', 'workflow_id', 'version', 'user_id', 'occurrence', 'next_task'])
      .execute();
    return rows.map((r) => ({
      id: r.id,
      workflowId: r.workflow_id,
      version: r.version,
      userId: r.user_id,
      occurrence: r.occurrence,
      nextTask: r.next_task,
    }));
  }

  async function subjectOf(userId: string, withManager: boolean): Promise<Subject | null> {
    const user = (await deps.directory.usersByIds([userId])).get(userId);
    if (!user || user.deletedAt) return null;
    const manager =
      withManager && user.managerId
        ? ((await deps.directory.usersByIds([user.managerId])).get(user.managerId) ?? null)
        : null;
    return { user, manager: manager && !manager.deletedAt ? manager : null };
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
    const ctx: RequestContext = {
      actor: { type: 'system', id: run.workflowId, name: `workflow: ${version.name}` },
      correlationId: `workflow-run-${run.id}`,
    };
    for (let position = run.nextTask; position < tasks.length; position++) {
      const task = tasks[position] as TaskDefinition;
      // Read again before each task: an earlier one (enable, move) may have changed the person.
      const subject = await subjectOf(run.userId, !personOnly.has(task.task));
      if (!subject) {
        await recordFailure(
          deps,
          run,
          position,
          tasks.length,
          { task: task.task, continueOnError: false },
          failure('directory.user_not_found', `user ${run.userId} no longer exists`, { id: run.userId }),
          false,
        );
        return;
      }
      const step =
        task.task === 'runCustomTaskExtension' && task.enabled
          ? await runExtensionTask(deps, { run, position, task, taskCount: tasks.length, subject, version })
          : await builtIn(run, position, task, tasks.length, subject, ctx);
      if (step === 'stop') return;
    }
  }

  /** Executes every due run, a batch at a time; then wakes itself for the next retry that is due later. */
  async function executeDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const claimed = await claim(deps.settings.batchSize);
      if (claimed.length === 0) break;
      let next = 0;
      const worker = async () => {
        while (next < claimed.length) {
          const run = claimed[next++] as ClaimedRun;
          await executeRun(run);
        }
      };
      await Promise.all(Array.from({ length: Math.min(deps.settings.concurrency, claimed.length) }, worker));
      total += claimed.length;
      // Let HTTP requests in between batches (the embedded store has a single connection).
      await new Promise((resolve) => setImmediate(resolve));
    }
    const later = await deps.db
      .selectFrom('workflow_runs')
      .select((eb) => eb.fn.min('due_at').as('due'))
      .where('status', '=', 'queued')
      .executeTakeFirst();
    if (later?.due) {
      const delay = (new Date(later.due).getTime() - deps.clock.now().getTime()) / 1000;
      await kickExecutor(deps, undefined, Math.max(1, delay));
    }
    return total;
  }

  /** Runs left `running` by a worker that died are queued again (their current task had not committed). */
  async function recoverAbandoned(): Promise<number> {
    const now = deps.clock.now();
    const rows = await deps.db
      .updateTable('workflow_runs')
      .set({ status: 'queued', due_at: now, claimed_until: null })
      .where('status', '=', 'running')
      .where('claimed_until', '<', now)
      .returning('id')
      .execute();
    if (rows.length > 0) await kickExecutor(deps);
    return rows.length;
  }

  return { executeDue, recoverAbandoned };
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
