import type { RawBuilder } from 'kysely';
import { err, isUuid, ok, type RequestContext, type Result } from '../core/index.ts';
import type { Tx } from '../db/index.ts';
import { type Filter, type ScimResult, userResourceSchemas } from '../scim/index.ts';
import type { DirectoryDeps } from './deps.ts';
import { groupNotFound, lockGroup } from './groups.ts';
import { deleteMembers, insertMembers, touchGroup } from './memberships.ts';
import { listExtensionSchemas } from './scim/extension-schemas.ts';
import { filterToSql } from './scim/filter-sql.ts';
import { lockUser, userNotFound } from './user-apply.ts';
import type { User } from './user-attributes.ts';
import { syncUsers } from './user-sync.ts';

/**
 * Single-person changes inside the caller's transaction, for lifecycle workflow tasks: the task's
 * result row commits with the change or not at all, so a retried task never acts twice.
 */

/** Enables or disables an account; already in that state is a success that changes nothing. */
export async function setAccountEnabled(
  tx: Tx,
  deps: DirectoryDeps,
  ctx: RequestContext,
  userId: string,
  enabled: boolean,
): Promise<Result<{ user: User; changed: boolean }>> {
  const before = isUuid(userId) ? await lockUser(tx, userId) : null;
  if (!before || before.deletedAt) return err(userNotFound(userId));
  if (before.accountEnabled === enabled) return ok({ user: before, changed: false });
  const [outcome] = await syncUsers(tx, deps, ctx, [{ before, input: { accountEnabled: enabled } }]);
  if (!outcome || outcome.kind === 'failed') return err(outcome?.error ?? userNotFound(userId));
  return ok({ user: outcome.user, changed: outcome.kind === 'updated' });
}

/** Adds the user to each group directly. Groups are locked in id order (two tasks cannot deadlock). */
export async function addUserToGroups(
  tx: Tx,
  deps: DirectoryDeps,
  ctx: RequestContext,
  userId: string,
  groupIds: readonly string[],
): Promise<Result<{ added: string[] }>> {
  const added: string[] = [];
  for (const groupId of [...new Set(groupIds)].sort()) {
    const group = await lockGroup(tx, groupId);
    if (!group || group.deletedAt) return err(groupNotFound(groupId));
    const result = await insertMembers(tx, deps, ctx, groupId, [{ type: 'user', id: userId }]);
    if (!result.ok) return result;
    if (result.value.added.length > 0) {
      await touchGroup(tx, deps, groupId);
      added.push(groupId);
    }
  }
  return ok({ added });
}

/**
 * Removes the user's direct memberships: of the listed groups, or of every group ('all'). Not being a
 * member is not a failure (a retry after success finds nothing to do).
 */
export async function removeUserFromGroups(
  tx: Tx,
  deps: DirectoryDeps,
  ctx: RequestContext,
  userId: string,
  which: readonly string[] | 'all',
): Promise<Result<{ removed: string[] }>> {
  if (!isUuid(userId)) return err(userNotFound(userId));
  let groupIds: string[];
  if (which === 'all') {
    const rows = await tx
      .selectFrom('group_members')
      .select('group_id')
      .where('member_user_id', '=', userId)
      .execute();
    groupIds = rows.map((r) => r.group_id);
  } else {
    const bad = which.find((id) => !isUuid(id));
    if (bad) return err(groupNotFound(bad));
    groupIds = [...new Set(which)];
  }
  const removed: string[] = [];
  for (const groupId of groupIds.sort()) {
    const group = await lockGroup(tx, groupId);
    if (!group) {
      if (which === 'all') continue;
      return err(groupNotFound(groupId));
    }
    if ((await deleteMembers(tx, deps, ctx, groupId, [userId])) > 0) {
      await touchGroup(tx, deps, groupId);
      removed.push(groupId);
    }
  }
  return ok({ removed });
}

/**
 * A SCIM filter over users as one SQL predicate on the `users` table's columns (unqualified: use it
 * in a query whose only table is `users`). Declared extension attributes resolve too.
 */
export async function userFilterPredicate(
  deps: DirectoryDeps,
  filter: Filter,
): Promise<ScimResult<RawBuilder<unknown>>> {
  const custom = await listExtensionSchemas(deps);
  return filterToSql(filter, { resource: 'User', schemas: userResourceSchemas(custom) });
}

/** Ids of the groups among `ids` that do not exist (or are deleted). */
export async function missingGroups(tx: Tx, ids: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(ids)];
  const valid = wanted.filter(isUuid);
  const found = valid.length
    ? await tx
        .selectFrom('groups')
        .select('id')
        .where('id', 'in', valid)
        .where('deleted_at', 'is', null)
        .execute()
    : [];
  const present = new Set(found.map((r) => r.id));
  return wanted.filter((id) => !present.has(id));
}
