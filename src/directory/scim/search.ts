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
  const whole = columnFor(target.resource, schema, attribute, null, target.schemas.extensions);
  const spec =
    whole?.kind === 'multi'
      ? whole
      : columnFor(target.resource, schema, attribute, sub, target.schemas.extensions);
  switch (spec?.kind) {
    case 'text':
      return scimOk(spec.caseExact ? sql`${spec.expr} collate "C"` : sql`lower(${spec.expr}) collate "C"`);
    case 'uuid':
    case 'boolean':
    case 'timestamp':
    case 'number':
      return scimOk(spec.expr);
    case 'multi': {
      // RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its primary value, else its first one.
      const field = sub?.name ?? 'value';
      return scimOk(sql`(select lower(x.e ->> ${field}) collate "C"
        from jsonb_array_elements(${spec.expr}) with ordinality as x(e, n)
        order by coalesce(jsonb_typeof(x.e -> 'primary') = 'boolean' and (x.e ->> 'primary')::boolean, false) desc, x.n
        limit 1)`);
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
    // Resources without a value sort last when ascending and first when descending (§3.4.2.3).
    const nulls = search.sortOrder === 'descending' ? sql`nulls first` : sql`nulls last`;
    order = sql`${sort.value} ${direction} ${nulls}, ${idColumn}`;
  } else if (search.sortOrder === 'descending') {
    order = sql`${idColumn} desc`;
  }
  const where = sql`${deleted} is null and ${predicate}`;
  // The cache key is only needed past a short first page; a lookup by userName never builds it.
  let cacheKey: string | undefined;
  const keyOf = () => {
    if (cacheKey === undefined) {
      const compiled = sql`${where} order by ${order}`.compile(deps.db);
      cacheKey = JSON.stringify([target.resource, compiled.sql, compiled.parameters]);
    }
    return cacheKey;
  };
  const offset = Math.max(0, search.startIndex - 1);
  const limit = search.count;

  const keysetable = !search.sortBy && search.sortOrder !== 'descending';
  // The outbox high-water mark stamps cached totals and anchors. A first page shorter than `count`
  // carries its own total, so the common lookup (`userName eq ...`) skips the mark and the count.
  let mark: number | undefined;
  const readMark = async () => {
    const row = await sql<{ mark: number | null }>`select max(id) as mark from events`.execute(deps.db);
    mark = Number(row.rows[0]?.mark ?? 0);
    return mark;
  };
  const anchor = keysetable && offset > 0 ? cache.anchor(keyOf(), await readMark(), offset) : undefined;
  // An anchor is only as good as the mark read before its page: page 1 anchors nothing, page 2 (a
  // cheap offset) anchors page 3, and so on.
  const markBeforePage = mark;

  let rows: Row[] = [];
  if (limit > 0) {
    const result = anchor
      ? await sql<Row>`select * from ${table} where ${where} and ${idColumn} > ${anchor}::uuid
          order by ${idColumn} limit ${limit}`.execute(deps.db)
      : keysetable && offset > 0
        ? // Deferred join: skip rows in the id index alone (index-only), then read just this page.
          await sql<Row>`select * from ${table} where ${idColumn} in (
              select ${idColumn} from ${table} where ${where} order by ${order} limit ${limit} offset ${offset})
            order by ${order}`.execute(deps.db)
        : await sql<Row>`select * from ${table} where ${where} order by ${order}
            limit ${limit} offset ${offset}`.execute(deps.db);
    rows = result.rows;
  }
  if (limit > 0 && offset === 0 && rows.length < limit) return scimOk({ total: rows.length, rows });

  const stamp = mark ?? (await readMark());
  const last = rows[rows.length - 1] as { id?: string } | undefined;
  if (keysetable && markBeforePage !== undefined && last?.id && rows.length === limit)
    cache.rememberAnchor(keyOf(), markBeforePage, offset + limit, last.id);
  const total = await cache.total(keyOf(), stamp, async () => {
    const counted = await sql<{
      total: number;
    }>`select count(*)::int as total from ${table} where ${where}`.execute(deps.db);
    return Number(counted.rows[0]?.total ?? 0);
  });
  return scimOk({ total, rows });
}
