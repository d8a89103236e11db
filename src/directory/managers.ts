import { sql } from 'kysely';
import { isUuid } from '../core/index.ts';
import type { Db, Tx } from '../db/index.ts';
import { rowToUser, type User, type UserRow } from './user-attributes.ts';

const MAX_DEPTH = 100;

/** The user's managers, nearest first, skipping deleted managers' chains; stops at a cycle. */
export async function managerChain(db: Db, id: string): Promise<User[]> {
  if (!isUuid(id)) return [];
  const result = await sql<UserRow & { depth: number }>`
    with recursive chain (id, depth, path) as (
      select u.manager_id, 1, array[u.id]
        from users u where u.id = ${id} and u.manager_id is not null
      union all
      select u.manager_id, c.depth + 1, c.path || u.id
        from chain c join users u on u.id = c.id
       where u.manager_id is not null and u.deleted_at is null
         and not u.manager_id = any(c.path) and c.depth < ${MAX_DEPTH}
    )
    select u.*, c.depth from chain c join users u on u.id = c.id
     where u.deleted_at is null order by c.depth`.execute(db);
  return result.rows.map(rowToUser);
}

export async function directReports(db: Db, id: string): Promise<User[]> {
  if (!isUuid(id)) return [];
  const rows = await db
    .selectFrom('users')
    .selectAll()
    .where('manager_id', '=', id)
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .limit(10_000)
    .execute();
  return rows.map((r) => rowToUser(r as unknown as UserRow));
}

/** Ids among `ids` that are now their own (indirect) manager. Runs after the write, in its transaction. */
export async function managerCycles(tx: Tx, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const result = await sql<{ start: string }>`
    with recursive walk (start, cur, depth) as (
      select u.id, u.manager_id, 1 from users u
       where u.id = any(${ids}::uuid[]) and u.manager_id is not null
      union all
      select w.start, u.manager_id, w.depth + 1 from walk w join users u on u.id = w.cur
       where u.manager_id is not null and w.cur <> w.start and w.depth < ${MAX_DEPTH}
    )
    select distinct start from walk where cur = start`.execute(tx);
  return result.rows.map((r) => r.start);
}
