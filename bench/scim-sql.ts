// The SQL ceilings of the SCIM benchmark, written out: the statements the server sends for each query
// (src/directory/scim/filter-sql.ts, compare-sql.ts and search.ts), so the ceiling runs exactly the
// server's WHERE / ORDER / LIMIT with no HTTP and no rendering. `checkCeilingSql` compiles the same
// searches through the server's own code and fails the run if these texts have drifted from it.
// `rewrite` holds an indexable form of the same predicates (not what the server runs) to show what
// the indexes of migration 0002 can give.
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { verifyToken } from '../src/auth/index.ts';
import { systemClock } from '../src/core/index.ts';
import type { Tables } from '../src/db/index.ts';
import { escapeLike } from '../src/directory/like.ts';
import type { ListCache } from '../src/directory/scim/list-cache.ts';
import { searchTable } from '../src/directory/scim/search.ts';
import { parseFilter, userResourceSchemas } from '../src/scim/index.ts';

export interface Statement {
  text: string;
  values: unknown[];
}

/** A WHERE condition on live users, as the filter translator produces it, with its parameters. */
export interface Predicate {
  sql: string;
  values: unknown[];
}

const LIVE = '"users"."deleted_at" is null and';
const pred = (sql: string, values: unknown[]): Predicate => ({ sql, values });

/** The first page (offset 0, count 100) of a filter; placeholders continue after the predicate's. */
export function firstPage(p: Predicate): Statement {
  const n = p.values.length;
  return {
    text: `select * from "users" where ${LIVE} ${p.sql} order by "users"."id" limit $${n + 1} offset $${n + 2}`,
    values: [...p.values, 100, 0],
  };
}

/** The total the server counts when a page does not hold every match. */
export function countOf(p: Predicate): Statement {
  return { text: `select count(*)::int as total from "users" where ${LIVE} ${p.sql}`, values: p.values };
}

/** The outbox high-water mark that stamps cached totals and keyset anchors (search.ts). */
export const markSql: Statement = { text: 'select max(id) as mark from events', values: [] };

export const sw = (prefix: string) => `${escapeLike(prefix)}%`;
export const co = (needle: string) => `%${escapeLike(needle)}%`;

const ALL = pred('true', []);

/** What the server runs, per query kind. */
export const serverSql = {
  userNameEq: (v: string) => pred('(lower("user_name") is not null and lower("user_name") = lower($1))', [v]),
  externalIdEq: (v: string) => pred('("external_id" is not null and "external_id" = $1)', [v]),
  idEq: (v: string) => pred('("id" is not null and "id" = $1::uuid)', [v.toLowerCase()]),
  emailEq: (v: string) =>
    pred(
      '((joinery_email_list(emails) @> array[lower($1)]) and exists (select 1 from jsonb_array_elements("emails") e ' +
        'where (lower((e ->> $2)) is not null and lower((e ->> $3)) = lower($4))))',
      [v, 'value', 'value', v],
    ),
  userNameLike: (pattern: string) =>
    pred('("user_name" is not null and lower("user_name") like lower($1))', [pattern]),
  displayNameLike: (pattern: string) =>
    pred('("display_name" is not null and lower("display_name") like lower($1))', [pattern]),
  emailCo: (v: string) =>
    pred(
      '((joinery_email_values(emails) like lower($1)) and exists (select 1 from jsonb_array_elements("emails") e ' +
        'where ((e ->> $2) is not null and lower((e ->> $3)) like lower($4))))',
      [`%${escapeLike(v)}%`, 'value', 'value', `%${escapeLike(v)}%`],
    ),
  offsetPage: (offset: number, count = 100): Statement => ({
    text: `select * from "users" where "users"."id" in ( select "users"."id" from "users" where ${LIVE} true order by "users"."id" limit $1 offset $2) order by "users"."id"`,
    values: [count, offset],
  }),
  keysetPage: (afterId: string, count = 100): Statement => ({
    text: `select * from "users" where ${LIVE} true and "users"."id" > $1::uuid order by "users"."id" limit $2`,
    values: [afterId, count],
  }),
  countAll: (): Statement => countOf(ALL),
  /** The bearer-token lookup every SCIM request makes first (auth/tokens.ts verifyToken). */
  tokenLookup: (hash: string): Statement => ({
    text: 'select "id", "name", "scopes", "last_used_at" from "api_tokens" where "token_hash" = $1 and "revoked_at" is null',
    values: [hash],
  }),
};

/**
 * The same predicates in a form an index can serve: `(col is not null and cmp)` keeps SCIM's
 * two-valued logic under `not` (a missing value is false, never null) where `coalesce(cmp, false)`
 * hides the comparison from the planner, and equality needs no `collate "C"` (deterministic
 * collations compare equal strings equal, so the expression indexes on lower(...) qualify).
 */
export const rewriteSql = {
  userNameEq: (v: string) => pred('("user_name" is not null and lower("user_name") = lower($1))', [v]),
  externalIdEq: (v: string) => pred('("external_id" is not null and "external_id" = $1)', [v]),
  idEq: (v: string) => pred('("id" = $1::uuid)', [v.toLowerCase()]),
  userNameLike: (pattern: string) =>
    pred('("user_name" is not null and lower("user_name") like lower($1))', [pattern]),
  displayNameLike: (pattern: string) =>
    pred('("display_name" is not null and lower("display_name") like lower($1))', [pattern]),
};

// ---------------------------------------------------------------------------------------------------
// Drift check: the server's own search code, compiled against a driver that runs nothing.

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

function recordingDb(into: Statement[]): Kysely<Tables> {
  return new Kysely<Tables>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (event) => {
      into.push({ text: event.query.sql, values: [...event.query.parameters] });
    },
  });
}

/** A cache that never knows a total (so the count is issued) and knows one anchor, if given. */
function stubCache(anchor: { offset: number; id: string } | null): ListCache {
  return {
    total: (_query, _mark, count) => count(),
    anchor: (_query, _mark, offset) => (anchor && offset === anchor.offset ? anchor.id : undefined),
    rememberAnchor: () => {},
  };
}

async function serverStatements(filter: string | null, startIndex: number, anchor: string | null) {
  const captured: Statement[] = [];
  const parsed = filter === null ? null : parseFilter(filter);
  if (parsed && !parsed.ok) throw new Error(`bench filter does not parse: ${filter}`);
  const result = await searchTable(
    { db: recordingDb(captured), clock: systemClock, retentionDays: 30 },
    stubCache(anchor ? { offset: startIndex - 1, id: anchor } : null),
    { resource: 'User', schemas: userResourceSchemas([]) },
    { filter: parsed?.value ?? null, sortBy: null, sortOrder: 'ascending', startIndex, count: 100 },
  );
  if (!result.ok) throw new Error(`server rejects bench filter ${filter}: ${result.error.detail}`);
  return captured;
}

function sameStatement(server: Statement | undefined, bench: Statement): boolean {
  return (
    server !== undefined &&
    squash(server.text) === squash(bench.text) &&
    JSON.stringify(server.values) === JSON.stringify(bench.values)
  );
}

const SAMPLE_ID = '01856fc7-2eb0-74e6-8726-9d1c044a104a';

/** Throws, showing both texts, when a ceiling statement is no longer what the server sends. */
export async function checkCeilingSql(): Promise<void> {
  const cases: { filter: string | null; startIndex: number; anchor?: string; bench: Statement }[] = [
    {
      filter: 'userName eq "A.b1@x.example"',
      startIndex: 1,
      bench: firstPage(serverSql.userNameEq('A.b1@x.example')),
    },
    { filter: 'externalId eq "WD-1"', startIndex: 1, bench: firstPage(serverSql.externalIdEq('WD-1')) },
    { filter: `id eq "${SAMPLE_ID}"`, startIndex: 1, bench: firstPage(serverSql.idEq(SAMPLE_ID)) },
    {
      filter: 'emails.value eq "a.b1@x.com"',
      startIndex: 1,
      bench: firstPage(serverSql.emailEq('a.b1@x.com')),
    },
    { filter: 'userName sw "a.b1"', startIndex: 1, bench: firstPage(serverSql.userNameLike(sw('a.b1'))) },
    { filter: 'userName co "b1@"', startIndex: 1, bench: firstPage(serverSql.userNameLike(co('b1@'))) },
    {
      filter: 'displayName co "ul Be"',
      startIndex: 1,
      bench: firstPage(serverSql.displayNameLike(co('ul Be'))),
    },
    { filter: 'emails.value co "b1@"', startIndex: 1, bench: firstPage(serverSql.emailCo('b1@')) },
    // Past the first page the server reads the mark and counts; the count's text is the same on page 1.
    {
      filter: 'displayName co "ul Be"',
      startIndex: 2,
      bench: countOf(serverSql.displayNameLike(co('ul Be'))),
    },
    { filter: null, startIndex: 10_001, bench: markSql },
    { filter: null, startIndex: 10_001, bench: serverSql.offsetPage(10_000) },
    { filter: null, startIndex: 10_101, anchor: SAMPLE_ID, bench: serverSql.keysetPage(SAMPLE_ID) },
    { filter: null, startIndex: 10_001, bench: serverSql.countAll() },
  ];
  const drift: string[] = [];
  for (const c of cases) {
    const statements = await serverStatements(c.filter, c.startIndex, c.anchor ?? null);
    const head = squash(c.bench.text).slice(0, 22);
    const server = statements.find((s) => squash(s.text).startsWith(head));
    if (!sameStatement(server, c.bench)) {
      drift.push(
        `${c.filter ?? `list startIndex=${c.startIndex}`}\n  server: ${server ? squash(server.text) : '(none)'} ` +
          `${JSON.stringify(server?.values ?? [])}\n  bench:  ${squash(c.bench.text)} ${JSON.stringify(c.bench.values)}`,
      );
    }
  }
  const captured: Statement[] = [];
  await verifyToken({ db: recordingDb(captured), clock: systemClock }, 'jny_sample');
  const lookup = captured[0];
  if (!lookup || squash(lookup.text) !== squash(serverSql.tokenLookup('').text))
    drift.push(
      `token lookup\n  server: ${lookup ? squash(lookup.text) : '(none)'}\n  bench:  ${serverSql.tokenLookup('').text}`,
    );
  if (drift.length > 0) {
    throw new Error(
      `the ceiling SQL in bench/scim-sql.ts no longer matches what the server sends; update serverSql:\n${drift.join('\n')}`,
    );
  }
}
