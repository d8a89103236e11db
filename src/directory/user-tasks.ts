import type { RawBuilder } from 'kysely';
import { isUuid } from '../core/index.ts';
import type { Tx } from '../db/index.ts';
import { type Filter, type ScimResult, userResourceSchemas } from '../scim/index.ts';
import type { DirectoryDeps } from './deps.ts';
import { listExtensionSchemas } from './scim/extension-schemas.ts';
import { filterToSql } from './scim/filter-sql.ts';

/** Directory look-ups for lifecycle workflows (their changes are in user-tasks-batch.ts). */

/**
 * A SCIM filter over users as one SQL predicate on the `users` table's columns (unqualified: use it
 * in a query whose only table is `users`). Declared extension attributes resolve too.
 */
export async function userFilterPredicate(
  deps: DirectoryDeps,
  filter: Filter,
): Promise<ScimResult<RawBuilder<unknown>>> {
  const custom = await listExtensionSchemas(deps);
  return filterToSql(filter, { resource: 'User', schemas: userResourceSchemas(custom) });
}

/** Ids of the groups among `ids` that do not exist (or are deleted). */
export async function missingGroups(tx: Tx, ids: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(ids)];
  const valid = wanted.filter(isUuid);
  const found = valid.length
    ? await tx
        .selectFrom('groups')
        .select('id')
        .where('id', 'in', valid)
        .where('deleted_at', 'is', null)
        .execute()
    : [];
  const present = new Set(found.map((r) => r.id));
  return wanted.filter((id) => !present.has(id));
}
