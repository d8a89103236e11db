import { sql } from 'kysely';
import type { Db } from '../../db/index.ts';
import type { Member } from '../memberships.ts';

/**
 * Direct live members of several groups in one query, for rendering SCIM Group resources (a page of
 * groups costs one round trip, not one per group).
 */
export async function directMembersOf(db: Db, groupIds: readonly string[]): Promise<Map<string, Member[]>> {
  const byGroup = new Map<string, Member[]>(groupIds.map((id) => [id, []]));
  if (groupIds.length === 0) return byGroup;
  const result = await sql<{
    group_id: string;
    type: 'user' | 'group';
    id: string;
    name: string;
    display_name: string | null;
  }>`
    select m.group_id, 'user' as type, u.id, u.user_name as name, u.display_name
      from group_members m join users u on u.id = m.member_user_id and u.deleted_at is null
     where m.group_id = any(${groupIds as string[]}::uuid[])
    union all
    select m.group_id, 'group' as type, g.id, g.display_name as name, g.display_name
      from group_members m join groups g on g.id = m.member_group_id and g.deleted_at is null
     where m.group_id = any(${groupIds as string[]}::uuid[])
     order by 1, 3`.execute(db);
  for (const r of result.rows) {
    byGroup.get(r.group_id)?.push({ type: r.type, id: r.id, name: r.name, displayName: r.display_name });
  }
  return byGroup;
}

/** Splits member ids into user and group references; ids that are neither come back as missing. */
export async function classifyMembers(
  db: Db,
  ids: readonly string[],
): Promise<{ refs: Array<{ type: 'user' | 'group'; id: string }>; missing: string[] }> {
  const wanted = [...new Set(ids.map((i) => i.toLowerCase()))];
  const valid = wanted.filter((i) =>
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(i),
  );
  const found = new Map<string, 'user' | 'group'>();
  if (valid.length) {
    const result = await sql<{ id: string; type: 'user' | 'group' }>`
      select id, 'user' as type from users where id = any(${valid}::uuid[]) and deleted_at is null
      union all
      select id, 'group' as type from groups where id = any(${valid}::uuid[]) and deleted_at is null`.execute(
      db,
    );
    for (const r of result.rows) found.set(r.id, r.type);
  }
  return {
    refs: wanted.filter((i) => found.has(i)).map((id) => ({ type: found.get(id) as 'user' | 'group', id })),
    missing: wanted.filter((i) => !found.has(i)),
  };
}
