import { failure } from '../core/index.ts';
import type { WorkflowDefinition } from './definition.ts';
import type { Subject } from './subject.ts';
import { type ClaimedRun, recordFailure } from './task-record.ts';
import type { WorkflowsDeps } from './types.ts';

/** What executing a run needs besides the run: its workflow version, the people, who acts. */

export interface Version {
  name: string;
  definition: Omit<WorkflowDefinition, 'enabled'>;
}

export type Versions = (workflowId: string, version: number) => Promise<Version | null>;

/** Versions never change once written, so each is read once per process. */
export function versionCache(deps: WorkflowsDeps): Versions {
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

/** The live people among `userIds`, with their live managers when asked: two reads whatever the count. */
export async function subjectsOf(
  deps: WorkflowsDeps,
  userIds: readonly string[],
  withManager: boolean,
): Promise<Map<string, Subject>> {
  const users = await deps.directory.usersByIds([...new Set(userIds)]);
  const managerIds = withManager
    ? [...new Set([...users.values()].flatMap((u) => (u.managerId && !u.deletedAt ? [u.managerId] : [])))]
    : [];
  const managers = managerIds.length > 0 ? await deps.directory.usersByIds(managerIds) : new Map();
  const out = new Map<string, Subject>();
  for (const [id, user] of users) {
    if (user.deletedAt) continue;
    const manager = user.managerId ? (managers.get(user.managerId) ?? null) : null;
    out.set(id, { user, manager: manager && !manager.deletedAt ? manager : null });
  }
  return out;
}

export const userGone = (userId: string) =>
  failure('directory.user_not_found', `user ${userId} no longer exists`, { id: userId });

/** The run's person is gone: the task and the run fail for good (nothing later in it can work). */
export const failGone = (
  deps: WorkflowsDeps,
  run: ClaimedRun,
  position: number,
  taskCount: number,
  task: string,
) =>
  recordFailure(
    deps,
    run,
    position,
    taskCount,
    { task, continueOnError: false },
    userGone(run.userId),
    false,
  );

export const actorOf = (run: ClaimedRun, version: Version) =>
  ({ type: 'system', id: run.workflowId, name: `workflow: ${version.name}` }) as const;

/** Every change a run makes carries its id, so the audit log of a person shows which run acted. */
export const correlationOf = (run: ClaimedRun) => `workflow-run-${run.id}`;
