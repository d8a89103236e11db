import { recordAudit } from '../audit/index.ts';
import { err, failure, isUuid, ok, type RequestContext, type Result } from '../core/index.ts';
import type { Tx } from '../db/index.ts';
import { emitEvents } from '../events/index.ts';
import type { DirectoryDeps } from './deps.ts';
import { groupNotFound, lockGroup } from './groups.ts';
import { transact } from './transact.ts';
import { userNotFound } from './user-apply.ts';

/** Audit row and group.updated event of one owner change: owners are part of the group, so subscribers
 * (reviews, approvals) hear of it like any other group change. */
async function recordOwnerChange(
  tx: Tx,
  deps: DirectoryDeps,
  ctx: RequestContext,
  groupId: string,
  change: { before: string | null; after: string | null },
): Promise<void> {
  await recordAudit(tx, deps.clock, ctx, [
    {
      action: change.after ? 'group.owner.add' : 'group.owner.remove',
      targetType: 'group',
      targetId: groupId,
      changes: [{ attribute: 'owners', ...change }],
    },
  ]);
  await emitEvents(tx, deps.clock, ctx, [
    { type: 'group.updated', aggregateType: 'group', aggregateId: groupId, payload: { changed: ['owners'] } },
  ]);
}

const notOwner = (groupId: string, userId: string) =>
  failure('directory.member_not_found', `user ${userId} is not an owner of group ${groupId}`, {
    groupId,
    userId,
  });

export async function addOwner(
  deps: DirectoryDeps,
  ctx: RequestContext,
  groupId: string,
  userId: string,
): Promise<Result<{ added: boolean }>> {
  return transact(deps.db, async (tx) => {
    const group = await lockGroup(tx, groupId);
    if (!group || group.deletedAt) return err(groupNotFound(groupId));
    if (!isUuid(userId)) return err(userNotFound(userId));
    const user = await tx
      .selectFrom('users')
      .select('id')
      .where('id', '=', userId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!user) return err(userNotFound(userId));
    const inserted = await tx
      .insertInto('group_owners')
      .values({ group_id: groupId, user_id: userId, created_at: deps.clock.now() })
      .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
      .returning('user_id')
      .execute();
    if (inserted.length === 0) return ok({ added: false });
    await recordOwnerChange(tx, deps, ctx, groupId, { before: null, after: userId });
    return ok({ added: true });
  });
}

export async function removeOwner(
  deps: DirectoryDeps,
  ctx: RequestContext,
  groupId: string,
  userId: string,
): Promise<Result<{ removed: boolean }>> {
  return transact(deps.db, async (tx) => {
    const group = await lockGroup(tx, groupId);
    if (!group || group.deletedAt) return err(groupNotFound(groupId));
    if (!isUuid(userId)) return err(notOwner(groupId, userId));
    const deleted = await tx
      .deleteFrom('group_owners')
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .returning('user_id')
      .execute();
    if (deleted.length === 0) return err(notOwner(groupId, userId));
    await recordOwnerChange(tx, deps, ctx, groupId, { before: userId, after: null });
    return ok({ removed: true });
  });
}

export async function listOwners(
  deps: DirectoryDeps,
  groupId: string,
): Promise<Result<Array<{ id: string; userName: string; displayName: string | null }>>> {
  if (!isUuid(groupId)) return err(groupNotFound(groupId));
  const group = await deps.db
    .selectFrom('groups')
    .select(['id', 'deleted_at'])
    .where('id', '=', groupId)
    .executeTakeFirst();
  if (!group || group.deleted_at) return err(groupNotFound(groupId));
  const rows = await deps.db
    .selectFrom('group_owners as o')
    .innerJoin('users as u', 'u.id', 'o.user_id')
    .select(['u.id', 'u.user_name', 'u.display_name'])
    .where('o.group_id', '=', groupId)
    .where('u.deleted_at', 'is', null)
    .orderBy('u.id')
    .execute();
  return ok(rows.map((r) => ({ id: r.id, userName: r.user_name, displayName: r.display_name })));
}
