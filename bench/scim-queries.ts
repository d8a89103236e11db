// The queries of the SCIM benchmark. Each one yields, per worker, an endless sequence of HTTP requests
// and of the equivalent SQL, against random (seeded) targets, with a check of every answer: a wrong
// answer fails the run instead of being timed.
import type { ListResponse, ScimUser } from './scim-drive.ts';
import type { Target } from './scim-load.ts';
import {
  co,
  countOf,
  firstPage,
  markSql,
  type Predicate,
  rewriteSql,
  type Statement,
  serverSql,
  sw,
} from './scim-sql.ts';
import { seededRandom } from './support.ts';

type Row = Record<string, unknown>;
/** What is wrong with an answer, or null when it is right. */
type Verdict = string | null;

export interface HttpCall {
  path: string;
  check(list: ListResponse): Verdict;
}

export interface SqlCall {
  statements: Statement[];
  /** What the server sends next, given the answers so far (the total when a first page is full). */
  followUp?(results: Row[][]): Statement[];
  check(results: Row[][]): Verdict;
}

export interface QueryDef {
  label: string;
  http?: (worker: number) => () => HttpCall;
  sql?: (worker: number) => () => SqlCall;
  /** An indexable form of the same predicate: not what the server runs. */
  rewrite?: (worker: number) => () => SqlCall;
  /** Statements to EXPLAIN once (server form first). */
  explain?: Statement[];
}

export interface QueryContext {
  users: number;
  targets: Target[];
  tokenHash: string;
  concurrency: number;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const usersPath = (params: Record<string, string>) =>
  `/scim/v2/Users?${new URLSearchParams(params).toString()}`;
const rowId = (row: Row | undefined) => str(row?.id);

/** The local part of `first.family1234@…` from the second letter of the family name: matches only that user. */
const uniqueNeedle = (value: string) => {
  const local = value.slice(0, value.indexOf('@'));
  return `${local.slice(local.indexOf('.') + 2)}@`;
};
/** The userName's local part without its last digit: a type-ahead prefix that matches a handful. */
const prefixOf = (t: Target) => t.userName.slice(0, t.userName.indexOf('@') - 1);
/** The middle of the display name ("aul Berna"): everybody with that given and family name. */
const nameNeedle = (t: Target) => (t.displayName ?? '').slice(1, -2);

interface FilterQuery {
  label: string;
  filter: (t: Target) => string;
  server: (t: Target) => Predicate;
  rewrite?: (t: Target) => Predicate;
  /** Whether a returned user answers the filter asked for `t`: every user on the page must. */
  matches: (u: ScimUser, t: Target) => boolean;
  /** The filter names one user: totalResults must be 1 and the row must be `t`. */
  exactlyOne: boolean;
}

const lc = (s: string | undefined) => (s ?? '').toLowerCase();

const filterQueries: FilterQuery[] = [
  {
    label: 'eq userName',
    filter: (t) => `userName eq "${t.userName}"`,
    server: (t) => serverSql.userNameEq(t.userName),
    rewrite: (t) => rewriteSql.userNameEq(t.userName),
    matches: (u, t) => u.id === t.id,
    exactlyOne: true,
  },
  {
    label: 'eq externalId',
    filter: (t) => `externalId eq "${t.externalId}"`,
    server: (t) => serverSql.externalIdEq(t.externalId),
    rewrite: (t) => rewriteSql.externalIdEq(t.externalId),
    matches: (u, t) => u.id === t.id,
    exactlyOne: true,
  },
  {
    label: 'eq emails.value',
    filter: (t) => `emails.value eq "${t.email}"`,
    server: (t) => serverSql.emailEq(t.email),
    matches: (u, t) => u.id === t.id,
    exactlyOne: true,
  },
  {
    label: 'eq id',
    filter: (t) => `id eq "${t.id}"`,
    server: (t) => serverSql.idEq(t.id),
    rewrite: (t) => rewriteSql.idEq(t.id),
    matches: (u, t) => u.id === t.id,
    exactlyOne: true,
  },
  {
    label: 'sw userName',
    filter: (t) => `userName sw "${prefixOf(t)}"`,
    server: (t) => serverSql.userNameLike(sw(prefixOf(t))),
    rewrite: (t) => rewriteSql.userNameLike(sw(prefixOf(t))),
    matches: (u, t) => lc(u.userName).startsWith(lc(prefixOf(t))),
    exactlyOne: false,
  },
  {
    label: 'co userName',
    filter: (t) => `userName co "${uniqueNeedle(t.userName)}"`,
    server: (t) => serverSql.userNameLike(co(uniqueNeedle(t.userName))),
    rewrite: (t) => rewriteSql.userNameLike(co(uniqueNeedle(t.userName))),
    matches: (u, t) => u.id === t.id,
    exactlyOne: true,
  },
  {
    label: 'co displayName',
    filter: (t) => `displayName co "${nameNeedle(t)}"`,
    server: (t) => serverSql.displayNameLike(co(nameNeedle(t))),
    rewrite: (t) => rewriteSql.displayNameLike(co(nameNeedle(t))),
    matches: (u, t) => lc(u.displayName).includes(lc(nameNeedle(t))),
    exactlyOne: false,
  },
  {
    label: 'co emails.value',
    filter: (t) => `emails.value co "${uniqueNeedle(t.email)}"`,
    server: (t) => serverSql.emailCo(uniqueNeedle(t.email)),
    matches: (u, t) => u.id === t.id,
    exactlyOne: true,
  },
];

function filterDef(q: FilterQuery, ctx: QueryContext, index: number): QueryDef {
  const picker = (worker: number) => {
    const random = seededRandom(1_000 * index + worker + 1);
    return () => ctx.targets[Math.floor(random() * ctx.targets.length)] as Target;
  };
  const checkRows =
    (t: Target) =>
    (results: Row[][]): Verdict => {
      const rows = results[0] ?? [];
      if (q.exactlyOne ? rows.length !== 1 || rowId(rows[0]) !== t.id : rows.length === 0)
        return `${rows.length} rows for ${t.externalId}`;
      return null;
    };
  // A full first page makes the server read the mark and count the matches (search.ts); so does this.
  const sqlOf = (build: (t: Target) => Predicate) => (worker: number) => {
    const next = picker(worker);
    return (): SqlCall => {
      const t = next();
      const p = build(t);
      return {
        statements: [firstPage(p)],
        followUp: (results: Row[][]) => ((results[0]?.length ?? 0) >= 100 ? [markSql, countOf(p)] : []),
        check: checkRows(t),
      };
    };
  };
  const sample = ctx.targets[0] as Target;
  return {
    label: q.label,
    http: (worker) => {
      const next = picker(worker);
      return () => {
        const t = next();
        return {
          path: usersPath({ filter: q.filter(t) }),
          check: (list) => {
            if (q.exactlyOne && list.totalResults !== 1)
              return `totalResults ${list.totalResults}, expected 1`;
            if (list.resources.length === 0 || list.resources.length > 100)
              return `${list.resources.length} resources`;
            if (list.totalResults < list.resources.length) return `totalResults ${list.totalResults} < page`;
            const wrong = list.resources.find((u) => !q.matches(u, t));
            if (wrong) return `${wrong.userName} does not match`;
            return null;
          },
        };
      };
    },
    sql: sqlOf(q.server),
    ...(q.rewrite ? { rewrite: sqlOf(q.rewrite) } : {}),
    explain: [firstPage(q.server(sample)), ...(q.rewrite ? [firstPage(q.rewrite(sample))] : [])],
  };
}

/**
 * A listing as search.ts sends it past page 1: the mark, the page, and the total. The server keeps a
 * total for up to 2 s; the ceiling counts every time (the cost of a listing that has to count).
 */
function listing(page: Statement, withCount: boolean): Statement[] {
  return [markSql, page, ...(withCount ? [serverSql.countAll()] : [])];
}

/** A page at `offset` of 100 holds users offset+1 … offset+100: ids are in user-number order. */
function pageVerdict(
  offset: number,
  first: string | undefined,
  last: string | undefined,
  size: number,
): Verdict {
  if (size !== 100) return `${size} users on the page at offset ${offset}`;
  if (first !== `WD-${offset + 1}` || last !== `WD-${offset + 100}`)
    return `page at offset ${offset} holds ${first} … ${last}, expected WD-${offset + 1} … WD-${offset + 100}`;
  return null;
}

function listCheck(ctx: QueryContext, offset: number) {
  return (list: ListResponse): Verdict => {
    if (list.totalResults !== ctx.users) return `totalResults ${list.totalResults}, expected ${ctx.users}`;
    if (list.startIndex !== offset + 1 || list.itemsPerPage !== 100)
      return `startIndex ${list.startIndex} itemsPerPage ${list.itemsPerPage}`;
    const r = list.resources;
    return pageVerdict(offset, r[0]?.externalId, r[r.length - 1]?.externalId, r.length);
  };
}

function rowsCheck(ctx: QueryContext, offset: number, withCount: boolean, onPage?: (lastId: string) => void) {
  return (results: Row[][]): Verdict => {
    const rows = results[1] ?? [];
    const verdict = pageVerdict(
      offset,
      str(rows[0]?.external_id),
      str(rows[rows.length - 1]?.external_id),
      rows.length,
    );
    if (verdict) return verdict;
    if (withCount && results[2]?.[0]?.total !== ctx.users) return `count ${String(results[2]?.[0]?.total)}`;
    onPage?.(rowId(rows[rows.length - 1]) ?? '');
    return null;
  };
}

/**
 * Cold jumps to startIndex 10,001–11,000. Only the even hundreds-blocks are drawn (10,001–10,100,
 * 10,201–10,300, …): the server remembers where a page ended and serves the page right after it by
 * keyset, and that page always starts in an odd block here, so every jump really is an offset scan.
 */
function jumpDef(ctx: QueryContext, withCount: boolean): QueryDef {
  const offsets = (worker: number) => {
    const random = seededRandom(77_000 + worker);
    return () => 10_000 + 200 * Math.floor(random() * 5) + Math.floor(random() * 100);
  };
  return {
    label: withCount ? 'list jump 10,001-11,000' : '  list jump: SQL without count(*)',
    ...(withCount
      ? {
          http: (worker: number) => {
            const next = offsets(worker);
            return () => {
              const o = next();
              return {
                path: usersPath({ startIndex: String(o + 1), count: '100' }),
                check: listCheck(ctx, o),
              };
            };
          },
        }
      : {}),
    sql: (worker) => {
      const next = offsets(worker);
      return () => {
        const o = next();
        return {
          statements: listing(serverSql.offsetPage(o), withCount),
          check: rowsCheck(ctx, o, withCount),
        };
      };
    },
    explain: withCount ? [serverSql.offsetPage(10_500), serverSql.countAll()] : [],
  };
}

/**
 * Sequential walks, one per worker over its own stretch of the directory (worker 0 from startIndex
 * 10,001), page after page: the server serves each page after the first by keyset. At the end of
 * its stretch a worker starts over (one offset page again). SQL does what the server does.
 */
function walkDef(ctx: QueryContext, withCount: boolean): QueryDef {
  const span = Math.floor((ctx.users - 10_000) / ctx.concurrency / 100) * 100;
  const stretch = (worker: number) => ({ start: 10_000 + worker * span, end: 10_000 + (worker + 1) * span });
  return {
    label: withCount ? 'list walk from 10,001' : '  list walk: SQL without count(*)',
    ...(withCount
      ? {
          http: (worker: number) => {
            const { start, end } = stretch(worker);
            let offset = start;
            return () => {
              if (offset + 100 > end) offset = start;
              const o = offset;
              offset += 100;
              return {
                path: usersPath({ startIndex: String(o + 1), count: '100' }),
                check: listCheck(ctx, o),
              };
            };
          },
        }
      : {}),
    sql: (worker) => {
      const { start, end } = stretch(worker);
      let offset = start;
      let lastId: string | null = null;
      return () => {
        if (offset + 100 > end) {
          offset = start;
          lastId = null;
        }
        const o = offset;
        const page = lastId ? serverSql.keysetPage(lastId) : serverSql.offsetPage(o);
        const onPage = (id: string) => {
          lastId = id;
          offset = o + 100;
        };
        return {
          statements: listing(page, withCount),
          check: rowsCheck(ctx, o, withCount, onPage),
        };
      };
    },
    explain: withCount ? [serverSql.keysetPage((ctx.targets[0] as Target).id)] : [],
  };
}

function deepDef(ctx: QueryContext): QueryDef {
  const o = 999_900;
  return {
    label: 'list deep jump, page 10,000 (startIndex 999,901)',
    http: () => () => ({
      path: usersPath({ startIndex: String(o + 1), count: '100' }),
      check: listCheck(ctx, o),
    }),
    sql: () => () => ({
      statements: listing(serverSql.offsetPage(o), true),
      check: rowsCheck(ctx, o, true),
    }),
    explain: [serverSql.offsetPage(o)],
  };
}

/** SQL-only rows that split a cost: the count of a listing, and the token check of every request. */
function extraDefs(ctx: QueryContext): QueryDef[] {
  return [
    {
      label: 'count(*) of live users alone (SQL)',
      sql: () => () => ({
        statements: [serverSql.countAll()],
        check: (r) => (r[0]?.[0]?.total === ctx.users ? null : 'wrong count'),
      }),
    },
    {
      label: 'token lookup alone (SQL)',
      sql: () => () => ({
        statements: [serverSql.tokenLookup(ctx.tokenHash)],
        check: (r) => (r[0]?.length === 1 ? null : 'the bench token was not found'),
      }),
    },
  ];
}

/** Every query of the benchmark, in table order. */
export function queries(ctx: QueryContext): QueryDef[] {
  return [
    ...filterQueries.map((q, i) => filterDef(q, ctx, i)),
    jumpDef(ctx, true),
    jumpDef(ctx, false),
    walkDef(ctx, true),
    walkDef(ctx, false),
    ...(ctx.users >= 1_000_000 ? [deepDef(ctx)] : []),
    ...extraDefs(ctx),
  ];
}
