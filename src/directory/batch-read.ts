import type { Db } from '../db/index.ts';
import { type Group, type GroupRow, rowToGroup } from './groups.ts';
import { rowToUser, type User, type UserRow } from './user-attributes.ts';

/**
 * Users by id in one query, soft-deleted ones included (a provisioning engine must see a deletion to
 * deprovision it). Ids with no row are absent from the map (purged, or never existed).
 */
export async function usersByIds(db: Db, ids: readonly string[]): Promise<Map<string, User>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [r.id, rowToUser(r as unknown as UserRow)]));
}

/** Groups by id in one query, soft-deleted ones included. */
export async function groupsByIds(db: Db, ids: readonly string[]): Promise<Map<string, Group>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('groups')
    .selectAll()
    .where('id', 'in', [...ids])
    .execute();
  return new Map(rows.map((r) => [r.id, rowToGroup(r as unknown as GroupRow)]));
}
