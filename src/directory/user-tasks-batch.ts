import { err, isUuid, ok, type RequestContext, type Result } from '../core/index.ts';
import type { Tx } from '../db/index.ts';
import type { DirectoryDeps } from './deps.ts';
import { groupNotFound, lockGroup } from './groups.ts';
import { deleteMembers, insertMembers, touchGroup } from './memberships.ts';
import { userNotFound } from './user-apply.ts';
import { lockUsersById, syncUsers } from './user-sync.ts';
import { softDeleteUser } from './users.ts';

/**
 * The workflow tasks of `user-tasks.ts` for many people at once, inside the caller's transaction: a
 * lifecycle workflow executes one task for a whole batch of runs in one transaction. Each person gets
 * their own result; a person's failure is found before anything is written for them, so the others'
 * changes commit and the failed person's nothing. Unexpected errors throw (the caller rolls the whole
 * batch back). Each group is locked once per batch, in id order, so two batches cannot deadlock on
 * groups. `ctx.correlationIds` gives each person's audit rows and events their own correlation id.
 */

export type PerUser<T> = Map<string, Result<T>>;

/** Live users among `ids`, for key share: they cannot be deleted or purged before the batch commits. */
async function liveUsers(tx: Tx, ids: readonly string[]): Promise<Set<string>> {
  const wanted = [...new Set(ids)].filter(isUuid);
  if (wanted.length === 0) return new Set();
  const rows = await tx
    .selectFrom('users')
    .select('id')
    .where('id', '=', (eb) => eb.fn.any(eb.val(wanted)))
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .forKeyShare()
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Enables or disables each account; already in that state is a success that changes nothing. */
export async function setAccountsEnabled(
  tx: Tx,
  deps: DirectoryDeps,
  ctx: RequestContext,
  userIds: readonly string[],
  enabled: boolean,
): Promise<PerUser<{ changed: boolean }>> {
  const out: PerUser<{ changed: boolean }> = new Map();
  const locked = await lockUsersById(tx, userIds.filter(isUuid));
  const items = [];
  for (const id of new Set(userIds)) {
    const before = locked.get(id);
    if (!before || before.deletedAt) out.set(id, err(userNotFound(id)));
    else if (before.accountEnabled === enabled) out.set(id, ok({ changed: false }));
    else items.push({ before, input: { accountEnabled: enabled } });
  }
  const outcomes = await syncUsers(tx, deps, ctx, items);
  items.forEach((item, n) => {
    const outcome = outcomes[n];
    const id = item.before.id;
    if (!outcome || outcome.kind === 'failed') out.set(id, err(outcome?.error ?? userNotFound(id)));
    else out.set(id, ok({ changed: outcome.kind === 'updated' }));
  });
  return out;
}

/** Soft-deletes each user. A user not found fails before anything is written for them. */
export async function softDeleteUsers(
  tx: Tx,
  deps: DirectoryDeps,
  ctx: RequestContext,
  userIds: readonly string[],
): Promise<PerUser<{ deletedAt: string | null }>> {
  const out: PerUser<{ deletedAt: string | null }> = new Map();
  // Id order, as every multi-user lock in the directory.
  for (const id of [...new Set(userIds)].sort()) {
    const r = await softDeleteUser(tx, deps, ctx, id);
    out.set(id, r.ok ? ok({ deletedAt: r.value.deletedAt }) : r);
  }
  return out;
}

/** Adds each user directly to their listed groups. A missing group fails that user's whole task. */
export async function addUsersToGroups(
  tx: Tx,
  deps: DirectoryDeps,
  ctx: RequestContext,
  items: readonly { userId: string; groupIds: readonly string[] }[],
): Promise<PerUser<{ added: string[] }>> {
  const out: PerUser<{ added: string[] }> = new Map();
  const live = await liveUsers(
    tx,
    items.map((i) => i.userId),
  );
  const wanted = [...new Set(items.flatMap((i) => i.groupIds))].sort();
  const groups = new Map<string, boolean>();
  for (const id of wanted) {
    const group = await lockGroup(tx, id);
    groups.set(id, Boolean(group && !group.deletedAt));
  }
  const byGroup = new Map<string, string[]>();
  for (const { userId, groupIds } of items) {
    const missing = groupIds.find((g) => !groups.get(g));
    if (!live.has(userId)) out.set(userId, err(userNotFound(userId)));
    else if (missing) out.set(userId, err(groupNotFound(missing)));
    else {
      out.set(userId, ok({ added: [] }));
      for (const g of new Set(groupIds)) byGroup.set(g, [...(byGroup.get(g) ?? []), userId]);
    }
  }
  for (const groupId of wanted) {
    const members = byGroup.get(groupId);
    if (!members) continue;
    const result = await insertMembers(
      tx,
      deps,
      ctx,
      groupId,
      members.map((id) => ({ type: 'user' as const, id })),
    );
    // Every member and the group were checked under lock above: a failure here is not a person's.
    if (!result.ok) throw new Error(result.error.message);
    if (result.value.added.length === 0) continue;
    await touchGroup(tx, deps, groupId);
    for (const ref of result.value.added) {
      const done = out.get(ref.id);
      if (done?.ok) done.value.added.push(groupId);
    }
  }
  return out;
}

/**
 * Removes each user's direct memberships of their listed groups, or of every group ('all'). Only
 * groups that hold one of the users are locked: removing someone who is not a member changes nothing
 * and must not queue behind the busiest groups. A listed group that does not exist fails that user, as
 * does a user who is not live.
 */
export async function removeUsersFromGroups(
  tx: Tx,
  deps: DirectoryDeps,
  ctx: RequestContext,
  items: readonly { userId: string; which: readonly string[] | 'all' }[],
): Promise<PerUser<{ removed: string[] }>> {
  const out: PerUser<{ removed: string[] }> = new Map();
  const listed = [...new Set(items.flatMap((i) => (i.which === 'all' ? [] : i.which)))];
  const known = new Set(
    listed.filter(isUuid).length
      ? (
          await tx
            .selectFrom('groups')
            .select('id')
            .where('id', '=', (eb) => eb.fn.any(eb.val(listed.filter(isUuid))))
            .execute()
        ).map((r) => r.id)
      : [],
  );
  const live = await liveUsers(
    tx,
    items.map((i) => i.userId),
  );
  const valid = items.filter(({ userId, which }) => {
    const missing = which === 'all' ? undefined : which.find((g) => !known.has(g));
    if (!live.has(userId)) out.set(userId, err(userNotFound(userId)));
    else if (missing) out.set(userId, err(groupNotFound(missing)));
    else return true;
    return false;
  });
  for (const { userId } of valid) out.set(userId, ok({ removed: [] }));
  const memberships = valid.length
    ? await tx
        .selectFrom('group_members')
        .select(['group_id', 'member_user_id'])
        .where('member_user_id', '=', (eb) => eb.fn.any(eb.val(valid.map((i) => i.userId))))
        .execute()
    : [];
  const wants = new Map(valid.map((i) => [i.userId, i.which === 'all' ? null : new Set(i.which)]));
  const byGroup = new Map<string, string[]>();
  for (const { group_id, member_user_id } of memberships) {
    const userId = member_user_id as string;
    const which = wants.get(userId);
    if (which === null || which?.has(group_id))
      byGroup.set(group_id, [...(byGroup.get(group_id) ?? []), userId]);
  }
  for (const groupId of [...byGroup.keys()].sort()) {
    if (!(await lockGroup(tx, groupId))) continue;
    const removed = await deleteMembers(tx, deps, ctx, groupId, byGroup.get(groupId) ?? []);
    if (removed.length === 0) continue;
    await touchGroup(tx, deps, groupId);
    for (const userId of removed) {
      const done = out.get(userId);
      if (done?.ok) done.value.removed.push(groupId);
    }
  }
  return out;
}
