import { type RawBuilder, sql } from 'kysely';
import {
  type AttrPath,
  type Filter,
  type ResourceSchemas,
  resolvePath,
  type ScimResult,
  scimErr,
  scimOk,
} from '../../scim/index.ts';
import type { DirectoryDeps } from '../deps.ts';
import { columnFor, type ResourceKind } from './columns.ts';
import { filterToSql } from './filter-sql.ts';
import type { ListCache } from './list-cache.ts';

type Sql = RawBuilder<unknown>;

export interface ScimSearch {
  filter: Filter | null;
  sortBy: AttrPath | null;
  sortOrder: 'ascending' | 'descending';
  /** 1-based, as in SCIM. */
  startIndex: number;
  count: number;
}

export interface SearchPage<Row> {
  total: number;
  rows: Row[];
}

/** The sort expression for sortBy (RFC 7644 §3.4.2.3); multi-valued attributes sort by their primary value. */
function sortExpression(
  target: { resource: ResourceKind; schemas: ResourceSchemas },
  path: AttrPath,
): ScimResult<Sql> {
  const resolved = resolvePath(target.schemas, path, 'filter');
  if (!resolved.ok) return scimErr(400, 'invalidValue', `sortBy: ${resolved.error.detail}`);
  if (resolved.value.kind === 'extension')
    return scimErr(400, 'invalidValue', 'sortBy must name an attribute');
  const { schema, attribute, sub } = resolved.value;
  const spec = columnFor(target.resource, schema, attribute, sub, target.schemas.extensions);
  switch (spec?.kind) {
    case 'text':
      return scimOk(spec.caseExact ? sql`${spec.expr} collate "C"` : sql`lower(${spec.expr}) collate "C"`);
    case 'uuid':
    case 'boolean':
    case 'timestamp':
    case 'number':
      return scimOk(spec.expr);
    case 'multi': {
      const field = sub?.name ?? 'value';
      return scimOk(sql`(select lower(e ->> ${field}) collate "C" from jsonb_array_elements(${spec.expr}) e
        order by jsonb_typeof(e -> 'primary') = 'boolean' and (e ->> 'primary')::boolean desc limit 1)`);
    }
    default:
      return scimErr(400, 'invalidValue', `sortBy: "${attribute.name}" cannot be sorted on`);
  }
}

/**
 * One page of live users or groups matching a SCIM filter. The filter runs in SQL. Without sortBy the
 * order is by id (creation order, UUIDv7), and a page that follows one this process served starts
 * after that page's last id (keyset) while the directory is unchanged; otherwise it is an offset.
 */
export async function searchTable<Row>(
  deps: DirectoryDeps,
  cache: ListCache,
  target: { resource: ResourceKind; schemas: ResourceSchemas },
  search: ScimSearch,
): Promise<ScimResult<SearchPage<Row>>> {
  const table = target.resource === 'User' ? sql.table('users') : sql.table('groups');
  const idColumn = target.resource === 'User' ? sql.ref('users.id') : sql.ref('groups.id');
  const deleted = target.resource === 'User' ? sql.ref('users.deleted_at') : sql.ref('groups.deleted_at');
  let predicate: Sql = sql`true`;
  if (search.filter) {
    const translated = filterToSql(search.filter, target);
    if (!translated.ok) return translated;
    predicate = translated.value;
  }
  let order: Sql = sql`${idColumn}`;
  if (search.sortBy) {
    const sort = sortExpression(target, search.sortBy);
    if (!sort.ok) return sort;
    const direction = search.sortOrder === 'descending' ? sql`desc` : sql`asc`;
    order = sql`${sort.value} ${direction} nulls last, ${idColumn}`;
  } else if (search.sortOrder === 'descending') {
    order = sql`${idColumn} desc`;
  }
  const where = sql`${deleted} is null and ${predicate}`;
  const compiled = sql`${where} order by ${order}`.compile(deps.db);
  const key = JSON.stringify([target.resource, compiled.sql, compiled.parameters]);
  const offset = Math.max(0, search.startIndex - 1);
  const limit = search.count;

  const markRow = await sql<{ mark: number | null }>`select max(id) as mark from events`.execute(deps.db);
  const mark = Number(markRow.rows[0]?.mark ?? 0);
  const keysetable = !search.sortBy && search.sortOrder !== 'descending';
  const anchor = keysetable && offset > 0 ? cache.anchor(key, mark, offset) : undefined;

  let rows: Row[] = [];
  if (limit > 0) {
    const result = anchor
      ? await sql<Row>`select * from ${table} where ${where} and ${idColumn} > ${anchor}::uuid
          order by ${idColumn} limit ${limit}`.execute(deps.db)
      : await sql<Row>`select * from ${table} where ${where} order by ${order}
          limit ${limit} offset ${offset}`.execute(deps.db);
    rows = result.rows;
  }
  const last = rows[rows.length - 1] as { id?: string } | undefined;
  if (keysetable && last?.id && rows.length === limit)
    cache.rememberAnchor(key, mark, offset + limit, last.id);

  let total: number;
  if (limit > 0 && offset === 0 && rows.length < limit) {
    total = rows.length;
  } else {
    const cached = cache.total(key, mark);
    if (cached !== undefined) {
      total = cached;
    } else {
      const counted = await sql<{
        total: number;
      }>`select count(*)::int as total from ${table} where ${where}`.execute(deps.db);
      total = Number(counted.rows[0]?.total ?? 0);
      // Only a fresh count is remembered: refreshing the stamp on a hit would stretch the TTL forever.
      cache.rememberTotal(key, mark, total);
    }
  }
  return scimOk({ total, rows });
}
