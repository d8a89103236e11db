import { type AuditEntry, diffAttributes, recordAudit } from '../audit/index.ts';
import { err, failure, isUuid, newId, ok, type RequestContext, type Result } from '../core/index.ts';
import type { Tx } from '../db/index.ts';
import { emitEvents } from '../events/index.ts';
import { type DirectoryDeps, type Page, pastRetention } from './deps.ts';
import type { GroupCreateInput, GroupPatchInput } from './group-schemas.ts';
import { decodeCursor, encodeCursor } from './paging.ts';
import { transact } from './transact.ts';
import { versionConflict } from './versioning.ts';

export interface Group {
  id: string;
  displayName: string;
  description: string | null;
  externalId: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
  deletedAt: string | null;
}

const groupAttributes = ['displayName', 'description', 'externalId'] as const;

export interface GroupRow {
  id: string;
  display_name: string;
  description: string | null;
  external_id: string | null;
  created_at: Date;
  updated_at: Date;
  version: number;
  deleted_at: Date | null;
}

export function rowToGroup(r: GroupRow): Group {
  return {
    id: r.id,
    displayName: r.display_name,
    description: r.description,
    externalId: r.external_id,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
    version: r.version,
    deletedAt: r.deleted_at ? new Date(r.deleted_at).toISOString() : null,
  };
}

export const groupNotFound = (id: string) =>
  failure('directory.group_not_found', `group ${id} does not exist`, { id });

/**
 * Locks the group row: membership and attribute changes of one group are serialised, so its events keep
 * order. FOR NO KEY UPDATE, not FOR UPDATE: it does not block the foreign-key checks of another
 * transaction adding this group as a member (with FOR UPDATE, two opposite nestings deadlock).
 */
export async function lockGroup(tx: Tx, id: string): Promise<Group | null> {
  if (!isUuid(id)) return null;
  const row = await tx
    .selectFrom('groups')
    .selectAll()
    .where('id', '=', id)
    .forNoKeyUpdate()
    .executeTakeFirst();
  return row ? rowToGroup(row as unknown as GroupRow) : null;
}

async function externalIdTaken(
  tx: Tx,
  externalId: string | null | undefined,
  exceptId?: string,
): Promise<boolean> {
  if (!externalId) return false;
  let q = tx.selectFrom('groups').select('id').where('external_id', '=', externalId);
  if (exceptId) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

const externalIdConflict = (value: string) =>
  failure('directory.uniqueness', `externalId "${value}" is already used by another group`, {
    attribute: 'externalId',
    value,
  });

export async function createGroup(
  deps: DirectoryDeps,
  ctx: RequestContext,
  input: GroupCreateInput,
): Promise<Result<Group>> {
  return transact(deps.db, (tx) => insertGroup(tx, deps, ctx, input));
}

/** Creates a group inside the caller's transaction (SCIM creates a group and its members in one). */
export async function insertGroup(
  tx: Tx,
  deps: DirectoryDeps,
  ctx: RequestContext,
  input: GroupCreateInput,
): Promise<Result<Group>> {
  if (input.externalId && (await externalIdTaken(tx, input.externalId)))
    return err(externalIdConflict(input.externalId));
  const owners = [...new Set(input.ownerIds ?? [])];
  if (owners.length > 0) {
    const found = await tx
      .selectFrom('users')
      .select('id')
      .where('id', '=', (eb) => eb.fn.any(eb.val(owners)))
      .where('deleted_at', 'is', null)
      .execute();
    const missing = owners.filter((o) => !found.some((f) => f.id === o));
    if (missing.length > 0) {
      return err(
        failure('directory.user_not_found', `owner ${missing[0]} is not an existing user`, {
          ownerIds: missing,
        }),
      );
    }
  }
  const now = deps.clock.now();
  const row = await tx
    .insertInto('groups')
    .values({
      id: newId(),
      display_name: input.displayName,
      description: input.description ?? null,
      external_id: input.externalId ?? null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const group = rowToGroup(row as unknown as GroupRow);
  if (owners.length > 0) {
    await tx
      .insertInto('group_owners')
      .values(owners.map((userId) => ({ group_id: group.id, user_id: userId, created_at: now })))
      .execute();
  }
  const audit: AuditEntry[] = [
    {
      action: 'group.create',
      targetType: 'group',
      targetId: group.id,
      changes: diffAttributes(null, group as unknown as Record<string, unknown>, groupAttributes),
    },
    ...owners.map((userId) => ({
      action: 'group.owner.add',
      targetType: 'group',
      targetId: group.id,
      changes: [{ attribute: 'owners', before: null, after: userId }],
    })),
  ];
  await recordAudit(tx, deps.clock, ctx, audit);
  await emitEvents(tx, deps.clock, ctx, [
    {
      type: 'group.created',
      aggregateType: 'group',
      aggregateId: group.id,
      payload: { displayName: group.displayName },
    },
  ]);
  return ok(group);
}

export async function updateGroup(
  deps: DirectoryDeps,
  ctx: RequestContext,
  id: string,
  patch: GroupPatchInput,
  options: { ifVersion?: number } = {},
): Promise<Result<Group>> {
  return transact(deps.db, async (tx) => {
    const before = await lockGroup(tx, id);
    if (!before || before.deletedAt) return err(groupNotFound(id));
    const stale = versionConflict('group', id, before.version, options.ifVersion);
    if (stale) return err(stale);
    return writeGroupAttributes(tx, deps, ctx, before, patch);
  });
}

/** Applies attribute changes to a group the caller's transaction has locked; no change, no write. */
export async function writeGroupAttributes(
  tx: Tx,
  deps: DirectoryDeps,
  ctx: RequestContext,
  before: Group,
  patch: GroupPatchInput,
): Promise<Result<Group>> {
  const id = before.id;
  const next = { ...before };
  if (patch.displayName !== undefined) next.displayName = patch.displayName;
  if (patch.description !== undefined) next.description = patch.description;
  if (patch.externalId !== undefined) next.externalId = patch.externalId;
  const changes = diffAttributes(
    before as unknown as Record<string, unknown>,
    next as unknown as Record<string, unknown>,
    groupAttributes,
  );
  if (changes.length === 0) return ok(before);
  if (
    next.externalId &&
    next.externalId !== before.externalId &&
    (await externalIdTaken(tx, next.externalId, id))
  ) {
    return err(externalIdConflict(next.externalId));
  }
  const now = deps.clock.now();
  const row = await tx
    .updateTable('groups')
    .set({
      display_name: next.displayName,
      description: next.description,
      external_id: next.externalId,
      updated_at: now,
      version: before.version + 1,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(tx, deps.clock, ctx, [
    { action: 'group.update', targetType: 'group', targetId: id, changes },
  ]);
  await emitEvents(tx, deps.clock, ctx, [
    {
      type: 'group.updated',
      aggregateType: 'group',
      aggregateId: id,
      payload: { changed: changes.map((c) => c.attribute) },
    },
  ]);
  return ok(rowToGroup(row as unknown as GroupRow));
}

async function setDeleted(
  deps: DirectoryDeps,
  ctx: RequestContext,
  id: string,
  deleted: boolean,
  ifVersion?: number,
): Promise<Result<Group>> {
  return transact(deps.db, async (tx) => {
    const before = await lockGroup(tx, id);
    if (!before || (deleted && before.deletedAt)) return err(groupNotFound(id));
    const stale = versionConflict('group', id, before.version, ifVersion);
    if (stale) return err(stale);
    if (!deleted && !before.deletedAt)
      return err(failure('directory.not_deleted', `group ${id} is not deleted`, { id }));
    const now = deps.clock.now();
    if (!deleted && before.deletedAt && pastRetention(deps, before.deletedAt, now)) {
      return err(
        failure(
          'directory.restore_window_passed',
          `group ${id} was deleted more than ${deps.retentionDays} days ago`,
          { id },
        ),
      );
    }
    const row = await tx
      .updateTable('groups')
      .set({ deleted_at: deleted ? now : null, updated_at: now, version: before.version + 1 })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const after = rowToGroup(row as unknown as GroupRow);
    await recordAudit(tx, deps.clock, ctx, [
      {
        action: deleted ? 'group.delete' : 'group.restore',
        targetType: 'group',
        targetId: id,
        changes: [{ attribute: 'deletedAt', before: before.deletedAt, after: after.deletedAt }],
      },
    ]);
    await emitEvents(tx, deps.clock, ctx, [
      { type: deleted ? 'group.deleted' : 'group.restored', aggregateType: 'group', aggregateId: id },
    ]);
    return ok(after);
  });
}

export const deleteGroup = (
  deps: DirectoryDeps,
  ctx: RequestContext,
  id: string,
  options: { ifVersion?: number } = {},
) => setDeleted(deps, ctx, id, true, options.ifVersion);
export const restoreGroup = (deps: DirectoryDeps, ctx: RequestContext, id: string) =>
  setDeleted(deps, ctx, id, false);

export async function getGroup(
  deps: DirectoryDeps,
  id: string,
  options: { includeDeleted?: boolean } = {},
): Promise<Result<Group>> {
  if (!isUuid(id)) return err(groupNotFound(id));
  const row = await deps.db.selectFrom('groups').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return err(groupNotFound(id));
  const group = rowToGroup(row as unknown as GroupRow);
  if (group.deletedAt && !options.includeDeleted) return err(groupNotFound(id));
  return ok(group);
}

export interface GroupListQuery {
  displayName?: string;
  externalId?: string;
  deleted?: boolean;
  cursor?: string;
  limit: number;
}

export async function listGroups(deps: DirectoryDeps, query: GroupListQuery): Promise<Result<Page<Group>>> {
  let q = deps.db
    .selectFrom('groups')
    .selectAll()
    .orderBy('id')
    .limit(query.limit + 1);
  q = query.deleted ? q.where('deleted_at', 'is not', null) : q.where('deleted_at', 'is', null);
  if (query.displayName)
    q = q.where((eb) => eb(eb.fn('lower', ['display_name']), '=', query.displayName!.toLowerCase()));
  if (query.externalId) q = q.where('external_id', '=', query.externalId);
  if (query.cursor) {
    const after = decodeCursor('g', query.cursor);
    if (!after)
      return err(failure('request.invalid', 'cursor is not one this server issued', { field: 'cursor' }));
    q = q.where('id', '>', after);
  }
  const rows = await q.execute();
  const items = rows.slice(0, query.limit).map((r) => rowToGroup(r as unknown as GroupRow));
  const last = items[items.length - 1];
  return ok({ items, nextCursor: rows.length > query.limit && last ? encodeCursor('g', last.id) : null });
}
