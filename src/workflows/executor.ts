import { kickExecutor } from './queues.ts';
import { createRunExecutor } from './run-alone.ts';
import { type Version, versionCache } from './run-context.ts';
import { createGroupExecutor } from './run-group.ts';
import { directoryTasks } from './task-directory.ts';
import type { ClaimedRun } from './task-record.ts';
import type { WorkflowsDeps } from './types.ts';

/** How long a claimed run is this worker's; a crashed worker's runs are taken back after it. */
export const CLAIM_MS = 5 * 60_000;

export function createExecutor(deps: WorkflowsDeps) {
  const versions = versionCache(deps);
  const executeRun = createRunExecutor(deps, versions);
  const executeGroup = createGroupExecutor(deps, executeRun);

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

  /**
   * A claimed batch, in rounds: runs whose next task is a built-in task (or disabled) are grouped by
   * workflow version and position and execute as a group; a run at a custom task extension (an HTTP
   * call, outside any transaction) executes on its own to its end. A group's runs that go on form the next round. One person appears once per group (two
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
        if (task.enabled && task.task === 'runCustomTaskExtension') {
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
      for (const g of groups.values()) {
        // A mail group takes no shared lock, so its runs split across the workers (rendering and
        // queueing overlap); a directory group stays whole, or its parts would queue on the same groups.
        const task = g.version.definition.tasks[g.position];
        const mail = task?.enabled === true && !directoryTasks.has(task.task);
        const size = mail
          ? Math.max(25, Math.ceil(g.runs.length / deps.settings.concurrency))
          : g.runs.length;
        for (let i = 0; i < g.runs.length; i += size) {
          const part = g.runs.slice(i, i + size);
          jobs.push(() => executeGroup(g.version, g.position, part));
        }
      }
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
