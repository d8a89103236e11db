import { type Failure, failure, type RequestContext } from '../core/index.ts';
import type { TaskDefinition, WorkflowDefinition } from './definition.ts';
import { runExtensionTask } from './extension-task.ts';
import { kickExecutor } from './queues.ts';
import type { Subject } from './subject.ts';
import { directoryTasks, runDirectoryTask } from './task-directory.ts';
import {
  advance,
  advanceMany,
  type ClaimedRun,
  type Finished,
  holdRun,
  holdRuns,
  recordFailure,
} from './task-record.ts';
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
          // Then by workflow: a batch holds few workflows with many runs each, and each workflow's runs at
          // the same task execute together (executeBatch).
          .orderBy('due_at')
          .orderBy('workflow_id')
          .orderBy('version')
          .orderBy('next_task')
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
    const ctx: RequestContext = { actor: actorOf(run, version), correlationId: correlationOf(run) };
    for (let position = run.nextTask; position < tasks.length; position++) {
      const task = tasks[position] as TaskDefinition;
      // Read again before each task: an earlier one (enable, move) may have changed the person.
      const subject = await subjectOf(run.userId, !directoryTasks.has(task.task));
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

  /**
   * One directory task (or a disabled task) for many runs of one workflow version at the same
   * position, in one transaction: hold the runs, the directory change for all their people, the task
   * results and the runs' progress. Each person's outcome is their own (a failure is found before
   * anything is written for them) and is recorded after the commit as a failure of that run alone.
   * Should the transaction itself fail, nothing of it was committed and each run executes again on
   * its own. Returns the runs that go on to their next task.
   */
  async function executeGroup(version: Version, position: number, runs: ClaimedRun[]): Promise<ClaimedRun[]> {
    const tasks = version.definition.tasks;
    const task = tasks[position] as TaskDefinition;
    const first = runs[0] as ClaimedRun;
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
        const outcomes = task.enabled
          ? await runDirectoryTask(
              deps,
              tx,
              ctx,
              task,
              mine.map((r) => r.userId),
            )
          : null;
        const finished: Finished[] = [];
        const failed: { run: ClaimedRun; error: Failure }[] = [];
        for (const run of mine) {
          const outcome: TaskOutcome | undefined = outcomes?.get(run.userId);
          if (outcomes && !outcome) throw new Error(`${task.task} gave no outcome for ${run.userId}`);
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

  /**
   * A claimed batch, in rounds: runs whose next task is a directory task (or disabled) are grouped by
   * workflow version and position and execute as a group; any other run executes on its own to its
   * end. A group's runs that go on form the next round. One person appears once per group (two
   * occurrences of one workflow for one person wait for the next round, in claim order).
   */
  async function executeBatch(claimed: ClaimedRun[]): Promise<void> {
    let round = claimed;
    while (round.length > 0) {
      const jobs: (() => Promise<ClaimedRun[]>)[] = [];
      const groups = new Map<
        string,
        { version: Version; position: number; runs: ClaimedRun[]; people: Set<string> }
      >();
      const later: ClaimedRun[] = [];
      for (const run of round) {
        const version = await versions(run.workflowId, run.version);
        const task = version?.definition.tasks[run.nextTask];
        if (!version || !task) continue;
        if (task.enabled && !directoryTasks.has(task.task)) {
          jobs.push(async () => {
            await executeRun(run);
            return [];
          });
          continue;
        }
        const key = `${run.workflowId}:${run.version}:${run.nextTask}`;
        const group = groups.get(key) ?? { version, position: run.nextTask, runs: [], people: new Set() };
        groups.set(key, group);
        if (group.people.has(run.userId)) {
          later.push(run);
          continue;
        }
        group.people.add(run.userId);
        group.runs.push(run);
      }
      for (const g of groups.values()) jobs.push(() => executeGroup(g.version, g.position, g.runs));
      const next: ClaimedRun[] = [];
      let taken = 0;
      const worker = async () => {
        while (taken < jobs.length) {
          const job = jobs[taken++] as () => Promise<ClaimedRun[]>;
          next.push(...(await job()));
        }
      };
      await Promise.all(Array.from({ length: Math.min(deps.settings.concurrency, jobs.length) }, worker));
      round = [...next, ...later];
    }
  }

  /** Executes every due run, a batch at a time; then wakes itself for the next retry that is due later. */
  async function executeDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const claimed = await claim(deps.settings.batchSize);
      if (claimed.length === 0) break;
      await executeBatch(claimed);
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

const actorOf = (run: ClaimedRun, version: Version) =>
  ({ type: 'system', id: run.workflowId, name: `workflow: ${version.name}` }) as const;

/** Every change a run makes carries its id, so the audit log of a person shows which run acted. */
const correlationOf = (run: ClaimedRun) => `workflow-run-${run.id}`;

function outage(error: unknown): Failure {
  return {
    ...failure(
      'workflows.task_failed',
      `the task could not run: ${error instanceof Error ? error.message : String(error)}`,
    ),
    retryable: true,
  };
}
