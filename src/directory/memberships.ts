import { sql } from 'kysely';
import { recordAudit } from '../audit/index.ts';
import { correlationFor, err, failure, isUuid, ok, type RequestContext, type Result } from '../core/index.ts';
import type { Tx } from '../db/index.ts';
import { emitEvents } from '../events/index.ts';
import type { DirectoryDeps, Page } from './deps.ts';
import type { MemberRef } from './group-schemas.ts';
import { groupNotFound, lockGroup } from './groups.ts';
import { decodeCursor, encodeCursor } from './paging.ts';
import { transact } from './transact.ts';

export interface Member {
  type: 'user' | 'group';
  id: string;
  /** userName for users, displayName for groups. */
  name: string;
  displayName: string | null;
}

const MAX_DEPTH = 64;
// Any constant works; it only has to be the same in every Joinery process sharing a database.
const NESTING_LOCK = 7_340_117_002;

/** True when `groupId` is `candidate` or nested somewhere below it: adding candidate would close a loop. */
async function wouldCycle(tx: Tx, groupId: string, candidate: string): Promise<boolean> {
  if (groupId === candidate) return true;
  const result = await sql<{ found: boolean }>`
    with recursive below (id, depth) as (
      select ${candidate}::uuid, 0
      union
      select m.member_group_id, b.depth + 1 from below b
        join group_members m on m.group_id = b.id
       where m.member_group_id is not null and b.depth < ${MAX_DEPTH}
    )
    select exists (select 1 from below where id = ${groupId}::uuid) as found`.execute(tx);
  return result.rows[0]?.found === true;
}

async function existingMembers(tx: Tx, refs: MemberRef[]): Promise<Set<string>> {
  const userIds = refs.filter((r) => r.type === 'user').map((r) => r.id);
  const groupIds = refs.filter((r) => r.type === 'group').map((r) => r.id);
  const found = new Set<string>();
  if (userIds.length) {
    const rows = await tx
      .selectFrom('users')
      .select('id')
      .where('id', '=', (eb) => eb.fn.any(eb.val(userIds)))
      .where('deleted_at', 'is', null)
      .execute();
    for (const r of rows) found.add(`user:${r.id}`);
  }
  if (groupIds.length) {
    const rows = await tx
      .selectFrom('groups')
      .select('id')
      .where('id', '=', (eb) => eb.fn.any(eb.val(groupIds)))
      .where('deleted_at', 'is', null)
      .execute();
    for (const r of rows) found.add(`group:${r.id}`);
  }
  return found;
}

/** Adds direct members. Already-present members are no-ops (no audit, no event), so retries are harmless. */
export async function addMembers(
  deps: DirectoryDeps,
  ctx: RequestContext,
  groupId: string,
  refs: MemberRef[],
): Promise<Result<{ added: MemberRef[] }>> {
  return transact(deps.db, async (tx) => {
    if (refs.some((r) => r.type === 'group')) {
      // Each transaction locks only its own group, so two concurrent nestings (A into B, B into A) would
      // each see no loop. One lock for every nesting change, taken before any row lock (a fixed order, so
      // no deadlock), serialises them; under READ COMMITTED the second one's cycle check then sees the
      // first one's committed row.
      await lockNesting(tx);
    }
    const group = await lockGroup(tx, groupId);
    if (!group || group.deletedAt) return err(groupNotFound(groupId));
    const result = await insertMembers(tx, deps, ctx, groupId, refs);
    if (result.ok && result.value.added.length > 0) await touchGroup(tx, deps, groupId);
    return result;
  });
}

/** Serialises nesting changes; take it before any row lock when adding a group as a member. */
export async function lockNesting(tx: Tx): Promise<void> {
  await sql`select pg_advisory_xact_lock(${NESTING_LOCK})`.execute(tx);
}

/** A membership change changes the group's SCIM representation, so its version and ETag move too. */
export async function touchGroup(tx: Tx, deps: DirectoryDeps, groupId: string): Promise<void> {
  await tx
    .updateTable('groups')
    .set((eb) => ({ version: eb('version', '+', 1), updated_at: deps.clock.now() }))
    .where('id', '=', groupId)
    .execute();
}

/**
 * Adds direct members inside the caller's transaction, which holds the group's row lock (and the
 * nesting lock when a group is added). Already-present members are skipped.
 */
export async function insertMembers(
  tx: Tx,
  deps: DirectoryDeps,
  ctx: RequestContext,
  groupId: string,
  refs: MemberRef[],
): Promise<Result<{ added: MemberRef[] }>> {
  const unique = [...new Map(refs.map((r) => [`${r.type}:${r.id}`, r])).values()];
  const malformed = unique.find((r) => !isUuid(r.id));
  if (malformed) {
    return err(
      failure('directory.member_not_found', `${malformed.type} ${malformed.id} does not exist`, {
        ...malformed,
      }),
    );
  }
  const found = await existingMembers(tx, unique);
  const missing = unique.find((r) => !found.has(`${r.type}:${r.id}`));
  if (missing) {
    return err(
      failure('directory.member_not_found', `${missing.type} ${missing.id} does not exist`, { ...missing }),
    );
  }
  for (const ref of unique) {
    if (ref.type === 'group' && (await wouldCycle(tx, groupId, ref.id))) {
      return err(
        failure(
          'directory.membership_cycle',
          `adding group ${ref.id} to group ${groupId} would nest a group in itself`,
          {
            groupId,
            memberId: ref.id,
          },
        ),
      );
    }
  }
  const present = await tx
    .selectFrom('group_members')
    .select(['member_user_id', 'member_group_id'])
    .where('group_id', '=', groupId)
    .where((eb) =>
      eb.or([
        eb(
          'member_user_id',
          '=',
          eb.fn.any(eb.val(unique.filter((r) => r.type === 'user').map((r) => r.id))),
        ),
        eb(
          'member_group_id',
          '=',
          eb.fn.any(eb.val(unique.filter((r) => r.type === 'group').map((r) => r.id))),
        ),
      ]),
    )
    .execute();
  const already = new Set(present.map((p) => p.member_user_id ?? p.member_group_id));
  const added = unique.filter((r) => !already.has(r.id));
  if (added.length === 0) return ok({ added });
  const now = deps.clock.now();
  await tx
    .insertInto('group_members')
    .values(
      added.map((r) => ({
        group_id: groupId,
        member_user_id: r.type === 'user' ? r.id : null,
        member_group_id: r.type === 'group' ? r.id : null,
        created_at: now,
      })),
    )
    .execute();
  await recordAudit(
    tx,
    deps.clock,
    ctx,
    added.map((r) => ({
      action: 'membership.add',
      targetType: 'group',
      targetId: groupId,
      changes: [{ attribute: 'members', before: null, after: { type: r.type, id: r.id } }],
      correlationId: correlationFor(ctx, r.id),
    })),
  );
  await emitEvents(
    tx,
    deps.clock,
    ctx,
    added.map((r) => ({
      type: 'membership.added' as const,
      aggregateType: 'group' as const,
      aggregateId: groupId,
      payload: { groupId, memberType: r.type, memberId: r.id },
      correlationId: correlationFor(ctx, r.id),
    })),
  );
  return ok({ added });
}

export async function removeMember(
  deps: DirectoryDeps,
  ctx: RequestContext,
  groupId: string,
  memberId: string,
): Promise<Result<{ removed: boolean }>> {
  return transact(deps.db, async (tx) => {
    const group = await lockGroup(tx, groupId);
    if (!group || group.deletedAt) return err(groupNotFound(groupId));
    if (!isUuid(memberId)) {
      return err(
        failure('directory.member_not_found', `${memberId} is not a direct member of group ${groupId}`, {
          groupId,
          memberId,
        }),
      );
    }
    const removed = await deleteMembers(tx, deps, ctx, groupId, [memberId]);
    if (removed.length === 0) {
      return err(
        failure('directory.member_not_found', `${memberId} is not a direct member of group ${groupId}`, {
          groupId,
          memberId,
        }),
      );
    }
    await touchGroup(tx, deps, groupId);
    return ok({ removed: true });
  });
}

/**
 * Removes direct members inside the caller's transaction: the listed ids (non-members are skipped), or
 * everyone except the listed ids (a SCIM PUT keeps members it names). Returns the removed members' ids.
 */
export async function deleteMembers(
  tx: Tx,
  deps: DirectoryDeps,
  ctx: RequestContext,
  groupId: string,
  which: readonly string[] | { allExcept: readonly string[] },
): Promise<string[]> {
  const listed = ('allExcept' in which ? which.allExcept : which).filter(isUuid);
  let query = tx.deleteFrom('group_members').where('group_id', '=', groupId);
  if (!('allExcept' in which)) {
    if (listed.length === 0) return [];
    query = query.where((eb) =>
      eb.or([
        eb('member_user_id', '=', eb.fn.any(eb.val(listed))),
        eb('member_group_id', '=', eb.fn.any(eb.val(listed))),
      ]),
    );
  } else if (listed.length > 0) {
    // coalesce: exactly one of the two member columns is set on each row.
    query = query.where(
      sql<boolean>`not (coalesce(member_user_id, member_group_id) = any(${listed}::uuid[]))`,
    );
  }
  const deleted = await query.returning(['member_user_id', 'member_group_id']).execute();
  if (deleted.length === 0) return [];
  const removed = deleted.map((row) => ({
    memberType: row.member_user_id ? ('user' as const) : ('group' as const),
    memberId: (row.member_user_id ?? row.member_group_id) as string,
  }));
  await recordAudit(
    tx,
    deps.clock,
    ctx,
    removed.map((r) => ({
      action: 'membership.remove',
      targetType: 'group',
      targetId: groupId,
      changes: [{ attribute: 'members', before: { type: r.memberType, id: r.memberId }, after: null }],
      correlationId: correlationFor(ctx, r.memberId),
    })),
  );
  await emitEvents(
    tx,
    deps.clock,
    ctx,
    removed.map((r) => ({
      type: 'membership.removed' as const,
      aggregateType: 'group' as const,
      aggregateId: groupId,
      payload: { groupId, ...r },
      correlationId: correlationFor(ctx, r.memberId),
    })),
  );
  return removed.map((r) => r.memberId);
}

export interface MemberListQuery {
  transitive?: boolean;
  cursor?: string;
  limit: number;
}

/**
 * Direct or transitive members of a group, live objects only, ordered by id with keyset paging.
 * Transitive membership follows nested groups (the nested groups are listed too).
 */
export async function listMembers(
  deps: DirectoryDeps,
  groupId: string,
  query: MemberListQuery,
): Promise<Result<Page<Member>>> {
  if (!isUuid(groupId)) return err(groupNotFound(groupId));
  const group = await deps.db
    .selectFrom('groups')
    .select(['id', 'deleted_at'])
    .where('id', '=', groupId)
    .executeTakeFirst();
  if (!group || group.deleted_at) return err(groupNotFound(groupId));
  let after = '00000000-0000-0000-0000-000000000000';
  if (query.cursor) {
    const decoded = decodeCursor('m', query.cursor);
    if (!decoded)
      return err(failure('request.invalid', 'cursor is not one this server issued', { field: 'cursor' }));
    after = decoded;
  }
  const depth = query.transitive ? MAX_DEPTH : 0;
  const result = await sql<{ type: 'user' | 'group'; id: string; name: string; display_name: string | null }>`
    with recursive scope (id, depth) as (
      select ${groupId}::uuid, 0
      union
      select m.member_group_id, s.depth + 1 from scope s
        join group_members m on m.group_id = s.id
        join groups g on g.id = m.member_group_id and g.deleted_at is null
       where s.depth < ${depth}
    ),
    members as (
      select distinct 'user' as type, u.id, u.user_name as name, u.display_name
        from group_members m join scope s on s.id = m.group_id
        join users u on u.id = m.member_user_id and u.deleted_at is null
      union
      select distinct 'group' as type, g.id, g.display_name as name, g.display_name
        from group_members m join scope s on s.id = m.group_id
        join groups g on g.id = m.member_group_id and g.deleted_at is null
    )
    select * from members where id > ${after}::uuid order by id limit ${query.limit + 1}`.execute(deps.db);
  const rows = result.rows.slice(0, query.limit);
  const last = rows[rows.length - 1];
  return ok({
    items: rows.map((r) => ({ type: r.type, id: r.id, name: r.name, displayName: r.display_name })),
    nextCursor: result.rows.length > query.limit && last ? encodeCursor('m', last.id) : null,
  });
}

/** Groups the user (or group) belongs to, directly or through nesting. */
export async function memberOf(
  deps: DirectoryDeps,
  memberId: string,
  options: { transitive?: boolean } = {},
): Promise<Array<{ id: string; displayName: string; direct: boolean }>> {
  if (!isUuid(memberId)) return [];
  const depth = options.transitive ? MAX_DEPTH : 0;
  // Climbs only through live groups, the mirror of listMembers: a deleted group passes on no membership.
  const result = await sql<{ id: string; display_name: string; direct: boolean }>`
    with recursive up (id, depth) as (
      select m.group_id, 0 from group_members m
       where m.member_user_id = ${memberId}::uuid or m.member_group_id = ${memberId}::uuid
      union
      select m.group_id, u.depth + 1 from up u
        join groups g on g.id = u.id and g.deleted_at is null
        join group_members m on m.member_group_id = u.id
       where u.depth < ${depth}
    )
    select g.id, g.display_name, min(u.depth) = 0 as direct from up u
      join groups g on g.id = u.id and g.deleted_at is null
     group by g.id, g.display_name order by g.id limit 10000`.execute(deps.db);
  return result.rows.map((r) => ({ id: r.id, displayName: r.display_name, direct: r.direct }));
}
