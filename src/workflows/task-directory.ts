import type { RequestContext, Result } from '../core/index.ts';
import type { Tx } from '../db/index.ts';
import type { TaskDefinition } from './definition.ts';
import type { TaskOutcome } from './task-run.ts';
import type { GroupArguments } from './tasks.ts';
import type { WorkflowsDeps } from './types.ts';

/**
 * Built-in tasks that change the directory and need nothing but the person's id. The executor runs
 * each of them for a whole batch of runs in one transaction (one statement per kind of change, not
 * one per person); a single run is a batch of one.
 */
export const directoryTasks: ReadonlySet<string> = new Set([
  'enableUserAccount',
  'disableUserAccount',
  'deleteUserAccount',
  'addUserToGroups',
  'removeUserFromSelectedGroups',
  'removeUserFromAllGroups',
]);

function outcomes<T>(
  results: Map<string, Result<T>>,
  result: (value: T) => Record<string, unknown>,
): Map<string, TaskOutcome> {
  const out = new Map<string, TaskOutcome>();
  for (const [id, r] of results)
    out.set(id, r.ok ? { kind: 'completed', result: result(r.value) } : { kind: 'failed', error: r.error });
  return out;
}

/** Runs one directory task for each user (each at most once) inside `tx`; one outcome per user. */
export async function runDirectoryTask(
  deps: WorkflowsDeps,
  tx: Tx,
  ctx: RequestContext,
  task: TaskDefinition,
  userIds: readonly string[],
): Promise<Map<string, TaskOutcome>> {
  const batch = deps.directory.sync.batch;
  switch (task.task) {
    case 'enableUserAccount':
    case 'disableUserAccount': {
      const enable = task.task === 'enableUserAccount';
      return outcomes(await batch.setAccountsEnabled(tx, ctx, userIds, enable), (v) => ({
        changed: v.changed,
      }));
    }
    case 'deleteUserAccount':
      return outcomes(await batch.softDeleteUsers(tx, ctx, userIds), (v) => ({ deletedAt: v.deletedAt }));
    case 'addUserToGroups': {
      const { groupIds } = task.arguments as GroupArguments;
      const items = userIds.map((userId) => ({ userId, groupIds }));
      return outcomes(await batch.addUsersToGroups(tx, ctx, items), (v) => ({ added: v.added }));
    }
    case 'removeUserFromSelectedGroups':
    case 'removeUserFromAllGroups': {
      const which: readonly string[] | 'all' =
        task.task === 'removeUserFromAllGroups' ? 'all' : (task.arguments as GroupArguments).groupIds;
      const items = userIds.map((userId) => ({ userId, which }));
      return outcomes(await batch.removeUsersFromGroups(tx, ctx, items), (v) => ({ removed: v.removed }));
    }
    default:
      throw new Error(`${task.task} is not a directory task`);
  }
}
