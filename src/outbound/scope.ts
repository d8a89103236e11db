import { sql } from 'kysely';
import type { Db, Tx } from '../db/index.ts';
import type { AppDefinition } from './app-schema.ts';

type Conn = Db | Tx;

/**
 * The groups whose members are assigned to an app: the assigned groups and every group nested in them,
 * live ones only. A recursive CTE, so nesting of any depth resolves in one statement.
 */
const assignedGroupsCte = (appId: string) => sql`
  with recursive assigned_groups(id) as (
    select a.principal_id from outbound_assignments a
      join groups g on g.id = a.principal_id and g.deleted_at is null
     where a.app_id = ${appId} and a.principal_type = 'group'
    union
    select m.member_group_id from group_members m
      join assigned_groups ag on ag.id = m.group_id
      join groups g on g.id = m.member_group_id and g.deleted_at is null
     where m.member_group_id is not null
  )`;

/**
 * Which of `ids` are live users in the app's assignment scope, with their app role (a direct
 * assignment's role wins over one inherited from a group).
 */
export async function usersInScope(
  db: Conn,
  appId: string,
  definition: AppDefinition,
  ids: readonly string[],
): Promise<Map<string, { appRole: string | null }>> {
  if (ids.length === 0) return new Map();
  const list = [...ids];
  if (definition.scope === 'all') {
    const rows = await sql<{ id: string; app_role: string | null }>`
      select u.id, a.app_role from users u
        left join outbound_assignments a on a.app_id = ${appId} and a.principal_id = u.id
       where u.id = any(${list}::uuid[]) and u.deleted_at is null`.execute(db);
    return new Map(rows.rows.map((r) => [r.id, { appRole: r.app_role }]));
  }
  const rows = await sql<{ id: string; app_role: string | null }>`
    ${assignedGroupsCte(appId)}
    select u.id,
           coalesce(
             (select a.app_role from outbound_assignments a where a.app_id = ${appId} and a.principal_id = u.id),
             (select max(a.app_role) from group_members m
                join assigned_groups ag on ag.id = m.group_id
                join outbound_assignments a on a.app_id = ${appId} and a.principal_id = m.group_id
               where m.member_user_id = u.id)
           ) as app_role
      from users u
     where u.id = any(${list}::uuid[]) and u.deleted_at is null
       and (exists (select 1 from outbound_assignments a where a.app_id = ${appId} and a.principal_id = u.id)
            or exists (select 1 from group_members m join assigned_groups ag on ag.id = m.group_id
                        where m.member_user_id = u.id))`.execute(db);
  return new Map(rows.rows.map((r) => [r.id, { appRole: r.app_role }]));
}

/** Which of `ids` are live groups the app provisions. */
export async function groupsInScope(
  db: Conn,
  appId: string,
  definition: AppDefinition,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0 || !definition.provisionGroups) return new Set();
  const list = [...ids];
  const rows =
    definition.scope === 'all'
      ? await sql<{ id: string }>`
          select id from groups where id = any(${list}::uuid[]) and deleted_at is null`.execute(db)
      : await sql<{ id: string }>`
          select g.id from groups g
            join outbound_assignments a on a.app_id = ${appId} and a.principal_id = g.id
           where g.id = any(${list}::uuid[]) and g.deleted_at is null`.execute(db);
  return new Set(rows.rows.map((r) => r.id));
}

/** SELECT of the ids a full cycle looks at: everything in scope, plus everything already linked. */
function wholeScopeSelect(appId: string, definition: AppDefinition, type: 'user' | 'group') {
  const linked = sql`select object_id as id from outbound_links where app_id = ${appId} and object_type = ${type}`;
  if (type === 'user') {
    if (!definition.provisionUsers) return linked;
    const scoped =
      definition.scope === 'all'
        ? sql`select id from users where deleted_at is null`
        : sql`select a.principal_id as id from outbound_assignments a
                join users u on u.id = a.principal_id and u.deleted_at is null
               where a.app_id = ${appId} and a.principal_type = 'user'
              union
              select m.member_user_id from group_members m
                join assigned_groups ag on ag.id = m.group_id
                join users u on u.id = m.member_user_id and u.deleted_at is null`;
    return definition.scope === 'all'
      ? sql`${scoped} union ${linked}`
      : sql`${assignedGroupsCte(appId)} ${scoped} union ${linked}`;
  }
  if (!definition.provisionGroups) return linked;
  const scoped =
    definition.scope === 'all'
      ? sql`select id from groups where deleted_at is null`
      : sql`select a.principal_id as id from outbound_assignments a
              join groups g on g.id = a.principal_id and g.deleted_at is null
             where a.app_id = ${appId} and a.principal_type = 'group'`;
  return sql`${scoped} union ${linked}`;
}

/**
 * Queues every object a full cycle must look at: all users and groups in scope, plus every object
 * already linked (one that left scope must be deprovisioned). Two INSERT ... SELECTs, whatever the size.
 */
export async function enqueueWholeScope(
  tx: Tx,
  appId: string,
  definition: AppDefinition,
  cycleId: string,
  now: Date,
): Promise<void> {
  for (const type of ['user', 'group'] as const)
    await sql`
      insert into outbound_pending (app_id, object_type, object_id, cycle_id, enqueued_at, due_at)
      select ${appId}, ${type}, s.id, ${cycleId}, ${now}, ${now}
        from (${wholeScopeSelect(appId, definition, type)}) s
       where s.id is not null
      on conflict (app_id, object_type, object_id) do update
         set cycle_id = excluded.cycle_id, due_at = excluded.due_at, enqueued_at = excluded.enqueued_at`.execute(
      tx,
    );
}

/** The ids a full cycle (or a plan) covers, in id order, for paging through them outside a transaction. */
export async function wholeScopeIds(
  db: Conn,
  appId: string,
  definition: AppDefinition,
  type: 'user' | 'group',
  after: string | null,
  limit: number,
): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    select s.id from (${wholeScopeSelect(appId, definition, type)}) s
     where s.id is not null ${after ? sql`and s.id > ${after}::uuid` : sql``}
     order by s.id limit ${limit}`.execute(db);
  return rows.rows.map((r) => r.id);
}

/** Users whose assignment scope a change to these groups (membership, assignment) may move. */
export async function usersUnderGroups(db: Conn, groupIds: readonly string[]): Promise<string[]> {
  if (groupIds.length === 0) return [];
  const rows = await sql<{ id: string }>`
    with recursive g(id) as (
      select unnest(${[...groupIds]}::uuid[])
      union
      select m.member_group_id from group_members m join g on g.id = m.group_id where m.member_group_id is not null
    )
    select distinct m.member_user_id as id from group_members m join g on g.id = m.group_id
     where m.member_user_id is not null`.execute(db);
  return rows.rows.map((r) => r.id);
}
