import { recordAudit } from '../audit/index.ts';
import { err, failure, isUuid, ok, type RequestContext, type Result } from '../core/index.ts';
import { emitEvents } from '../events/index.ts';
import { groupNotFound, lockGroup } from './groups.ts';
import { transact } from './transact.ts';
import type { DirectoryDeps } from './users.ts';

export async function addOwner(
  deps: DirectoryDeps,
  ctx: RequestContext,
  groupId: string,
  userId: string,
): Promise<Result<{ added: boolean }>> {
  return transact(deps.db, async (tx) => {
    const group = await lockGroup(tx, groupId);
    if (!group || group.deletedAt) return err(groupNotFound(groupId));
    if (!isUuid(userId))
      return err(failure('directory.user_not_found', `user ${userId} does not exist`, { id: userId }));
    const user = await tx
      .selectFrom('users')
      .select('id')
      .where('id', '=', userId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!user)
      return err(failure('directory.user_not_found', `user ${userId} does not exist`, { id: userId }));
    const inserted = await tx
      .insertInto('group_owners')
      .values({ group_id: groupId, user_id: userId, created_at: deps.clock.now() })
      .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
      .returning('user_id')
      .execute();
    if (inserted.length === 0) return ok({ added: false });
    await recordAudit(tx, deps.clock, ctx, [
      {
        action: 'group.owner.add',
        targetType: 'group',
        targetId: groupId,
        changes: [{ attribute: 'owners', before: null, after: userId }],
      },
    ]);
    // Owners are part of the group: subscribers (reviews, approvals) hear of the change like any other.
    await emitEvents(tx, deps.clock, ctx, [
      {
        type: 'group.updated',
        aggregateType: 'group',
        aggregateId: groupId,
        payload: { changed: ['owners'] },
      },
    ]);
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
    if (!isUuid(userId)) {
      return err(
        failure('directory.member_not_found', `user ${userId} is not an owner of group ${groupId}`, {
          groupId,
          userId,
        }),
      );
    }
    const deleted = await tx
      .deleteFrom('group_owners')
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .returning('user_id')
      .execute();
    if (deleted.length === 0) {
      return err(
        failure('directory.member_not_found', `user ${userId} is not an owner of group ${groupId}`, {
          groupId,
          userId,
        }),
      );
    }
    await recordAudit(tx, deps.clock, ctx, [
      {
        action: 'group.owner.remove',
        targetType: 'group',
        targetId: groupId,
        changes: [{ attribute: 'owners', before: userId, after: null }],
      },
    ]);
    await emitEvents(tx, deps.clock, ctx, [
      {
        type: 'group.updated',
        aggregateType: 'group',
        aggregateId: groupId,
        payload: { changed: ['owners'] },
      },
    ]);
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
