import { recordAudit } from '../audit/index.ts';
import {
  correlationFor,
  err,
  failure,
  isUuid,
  newId,
  ok,
  type RequestContext,
  type Result,
} from '../core/index.ts';
import type { Tx } from '../db/index.ts';
import { emitEvents } from '../events/index.ts';
import { type DirectoryDeps, type Page, pastRetention, retentionMs } from './deps.ts';
import { escapeLike } from './like.ts';
import { decodeCursor, encodeCursor } from './paging.ts';
import { transact } from './transact.ts';
import {
  applyChanges,
  cycleFailure,
  guardCycles,
  lockUser,
  userNotFound as notFound,
  serialiseManagerChanges,
} from './user-apply.ts';
import { rowToUser, type User, type UserRow } from './user-attributes.ts';
import { mergeUser, sameAttributes, withMeta } from './user-merge.ts';
import type { UserCreateInput, UserPatchInput } from './user-schemas.ts';
import { versionConflict } from './versioning.ts';

export async function createUser(
  deps: DirectoryDeps,
  ctx: RequestContext,
  input: UserCreateInput,
): Promise<Result<User>> {
  return guardCycles(() =>
    transact(deps.db, async (tx) => {
      const now = deps.clock.now().toISOString();
      const after = withMeta(mergeUser(null, input), {
        id: newId(),
        createdAt: now,
        updatedAt: now,
        version: 1,
        deletedAt: null,
      });
      const { failures } = await applyChanges(tx, deps, ctx, [{ before: null, after }]);
      const failed = failures.get(after.id);
      return failed ? err(failed) : ok(after);
    }),
  );
}

export async function updateUser(
  deps: DirectoryDeps,
  ctx: RequestContext,
  id: string,
  patch: UserPatchInput,
  options: { ifVersion?: number } = {},
): Promise<Result<User>> {
  return guardCycles(() =>
    transact(deps.db, async (tx) => {
      if (patch.managerId) await serialiseManagerChanges(tx);
      const before = await lockUser(tx, id);
      if (!before || before.deletedAt) return err(notFound(id));
      const stale = versionConflict('user', id, before.version, options.ifVersion);
      if (stale) return err(stale);
      const attributes = mergeUser(before, patch);
      if (attributes.managerId === id) {
        return err(cycleFailure([id]));
      }
      if (sameAttributes(attributes, before)) return ok(before);
      const after = withMeta(attributes, {
        id,
        createdAt: before.createdAt,
        updatedAt: deps.clock.now().toISOString(),
        version: before.version + 1,
        deletedAt: null,
      });
      const { failures } = await applyChanges(tx, deps, ctx, [{ before, after }]);
      const failed = failures.get(id);
      return failed ? err(failed) : ok(after);
    }),
  );
}

export async function deleteUser(
  deps: DirectoryDeps,
  ctx: RequestContext,
  id: string,
  options: { ifVersion?: number } = {},
): Promise<Result<User>> {
  return transact(deps.db, (tx) => softDeleteUser(tx, deps, ctx, id, options));
}

/** Soft-deletes inside the caller's transaction (a workflow task commits with its own result row). */
export async function softDeleteUser(
  tx: Tx,
  deps: DirectoryDeps,
  ctx: RequestContext,
  id: string,
  options: { ifVersion?: number } = {},
): Promise<Result<User>> {
  const before = await lockUser(tx, id);
  if (!before || before.deletedAt) return err(notFound(id));
  const stale = versionConflict('user', id, before.version, options.ifVersion);
  if (stale) return err(stale);
  const now = deps.clock.now();
  const row = await tx
    .updateTable('users')
    .set({ deleted_at: now, updated_at: now, version: before.version + 1 })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const after = rowToUser(row as unknown as UserRow);
  const restorableUntil = new Date(now.getTime() + retentionMs(deps)).toISOString();
  await recordAudit(tx, deps.clock, ctx, [
    {
      action: 'user.delete',
      targetType: 'user',
      targetId: id,
      changes: [{ attribute: 'deletedAt', before: null, after: after.deletedAt }],
      details: { userName: before.userName, restorableUntil },
      correlationId: correlationFor(ctx, id),
    },
  ]);
  await emitEvents(tx, deps.clock, ctx, [
    {
      type: 'user.deleted',
      aggregateType: 'user',
      aggregateId: id,
      payload: { userName: before.userName, restorableUntil },
      correlationId: correlationFor(ctx, id),
    },
  ]);
  return ok(after);
}

export async function restoreUser(
  deps: DirectoryDeps,
  ctx: RequestContext,
  id: string,
): Promise<Result<User>> {
  return transact(deps.db, async (tx) => {
    const before = await lockUser(tx, id);
    if (!before) return err(notFound(id));
    if (!before.deletedAt) {
      return err(failure('directory.not_deleted', `user ${id} is not deleted`, { id }));
    }
    const now = deps.clock.now();
    if (pastRetention(deps, before.deletedAt, now)) {
      return err(
        failure(
          'directory.restore_window_passed',
          `user ${id} was deleted more than ${deps.retentionDays} days ago`,
          {
            id,
            deletedAt: before.deletedAt,
          },
        ),
      );
    }
    const row = await tx
      .updateTable('users')
      .set({ deleted_at: null, updated_at: now, version: before.version + 1 })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, deps.clock, ctx, [
      {
        action: 'user.restore',
        targetType: 'user',
        targetId: id,
        changes: [{ attribute: 'deletedAt', before: before.deletedAt, after: null }],
      },
    ]);
    await emitEvents(tx, deps.clock, ctx, [
      { type: 'user.restored', aggregateType: 'user', aggregateId: id },
    ]);
    return ok(rowToUser(row as unknown as UserRow));
  });
}

export async function getUser(
  deps: DirectoryDeps,
  id: string,
  options: { includeDeleted?: boolean } = {},
): Promise<Result<User>> {
  if (!isUuid(id)) return err(notFound(id));
  const row = await deps.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return err(notFound(id));
  const user = rowToUser(row as unknown as UserRow);
  if (user.deletedAt && !options.includeDeleted) return err(notFound(id));
  return ok(user);
}

export interface UserListQuery {
  userName?: string;
  externalId?: string;
  employeeId?: string;
  department?: string;
  managerId?: string;
  accountEnabled?: boolean;
  /** Prefix of userName or displayName, case-insensitive. */
  search?: string;
  /** true: only the recycle bin; false (default): only live users. */
  deleted?: boolean;
  cursor?: string;
  limit: number;
}

export async function listUsers(deps: DirectoryDeps, query: UserListQuery): Promise<Result<Page<User>>> {
  let q = deps.db
    .selectFrom('users')
    .selectAll()
    .orderBy('id')
    .limit(query.limit + 1);
  q = query.deleted ? q.where('deleted_at', 'is not', null) : q.where('deleted_at', 'is', null);
  if (query.userName)
    q = q.where((eb) => eb(eb.fn('lower', ['user_name']), '=', query.userName!.toLowerCase()));
  if (query.externalId) q = q.where('external_id', '=', query.externalId);
  if (query.employeeId) q = q.where('employee_id', '=', query.employeeId);
  if (query.department) q = q.where('department', '=', query.department);
  if (query.managerId) {
    // A malformed id manages nobody (and must not reach the ::uuid comparison).
    if (!isUuid(query.managerId)) return ok({ items: [], nextCursor: null });
    q = q.where('manager_id', '=', query.managerId);
  }
  if (query.accountEnabled !== undefined) q = q.where('account_enabled', '=', query.accountEnabled);
  if (query.search) {
    const pattern = `${escapeLike(query.search.toLowerCase())}%`;
    q = q.where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['user_name']), 'like', pattern),
        eb(eb.fn('lower', ['display_name']), 'like', pattern),
      ]),
    );
  }
  if (query.cursor) {
    const after = decodeCursor('u', query.cursor);
    if (!after)
      return err(failure('request.invalid', 'cursor is not one this server issued', { field: 'cursor' }));
    q = q.where('id', '>', after);
  }
  const rows = await q.execute();
  const items = rows.slice(0, query.limit).map((r) => rowToUser(r as unknown as UserRow));
  const last = items[items.length - 1];
  return ok({ items, nextCursor: rows.length > query.limit && last ? encodeCursor('u', last.id) : null });
}
