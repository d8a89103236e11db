// Bulk load for the SCIM benchmark: N users written by SQL (generate_series) straight into the migrated
// `users` table, the indexes rebuilt afterwards from their own catalogue definitions, then statistics.
// Everything derives from the user number n and a seed, so two runs hold the same directory.
import { sql } from 'kysely';
import type { Database, Db } from '../src/db/index.ts';
import { fmtInt, seconds, yieldToEventLoop } from './support.ts';

const givenNames = (
  'Camille Louis Emma Hugo Lea Jules Chloe Gabriel Manon Arthur Ines Adam Sarah Raphael Alice Paul ' +
  'Lina Nathan Julia Lucas Zoe Ethan Anna Noah Eva Tom Rose Leo Jade Victor Nina Samuel Clara ' +
  'Maxime Laura Antoine Marie Thomas Julie Nicolas'
).split(' ');
const familyNames = (
  'Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre ' +
  'Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard Andre Lefevre Mercier Dupont ' +
  'Lambert Bonnet Francois Martinez Legrand Garnier Faure Rousseau Blanc Guerin Muller Henry ' +
  'Roussel Nicolas Perrin Morin Mathieu Clement Gauthier Dumont Lopez Fontaine Chevalier Robin ' +
  'Masson Sanchez Gerard Nguyen Boyer Denis Lemaire Duval Joly Gautier'
).split(' ');
const departments = [
  'Finance',
  'Engineering',
  'Sales',
  'Marketing',
  'Human Resources',
  'Operations',
  'Legal',
];
const titles = ['Analyst', 'Engineer', 'Senior Engineer', 'Account Executive', 'Manager', 'Consultant'];

const SEED = 20_240_601;
/** Creation time of user 1; user n was created n milliseconds later, so UUIDv7 order is n order. */
const BASE_MS = Date.UTC(2023, 0, 2);
const CHUNK = 50_000;

/**
 * One slice of users, n in [lo, hi]. The id is a UUIDv7 whose 48-bit time is BASE_MS + n and whose
 * random bits come from md5(seed:n): valid, unique, and ordered like n, which keyset paging relies on
 * and which lets the benchmark know which externalId must open any page (`WD-{offset + 1}`).
 * Names are picked by multiplicative hashing of n (a seeded choice that needs no round trip).
 */
function insertSlice(lo: number, hi: number) {
  const pick = (list: readonly string[], mul: number) =>
    sql`(${list}::text[])[1 + ((g.n * ${mul}::bigint + ${SEED}::bigint) % 1000003) % ${list.length}]`;
  return sql`
    insert into users (id, user_name, external_id, employee_id, given_name, family_name, display_name, emails,
                       title, department, cost_center, company_name, employee_type, timezone, usage_location,
                       employee_hire_date, created_at, updated_at, version)
    select (substr(u.t, 1, 8) || '-' || substr(u.t, 9, 4) || '-7' || substr(u.h, 1, 3) || '-'
              || substr('89ab', 1 + (u.n % 4)::int, 1) || substr(u.h, 4, 3) || '-' || substr(u.h, 7, 12))::uuid,
           lower(u.given || '.' || u.family || u.n) || '@acme.example',
           'WD-' || u.n,
           'E' || lpad(u.n::text, 7, '0'),
           u.given, u.family, u.given || ' ' || u.family,
           jsonb_build_array(jsonb_build_object(
             'value', lower(u.given || '.' || u.family || u.n) || '@acme.com', 'type', 'work', 'primary', true)),
           u.title, u.department, 'CC-' || (100 + u.n % 400), 'Acme SAS',
           case when u.n % 7 = 0 then 'Contractor' else 'Employee' end, 'Europe/Paris', 'FR',
           u.at - make_interval(days => (u.n % 6000)::int), u.at, u.at, 1
      from (select g.n,
                   lpad(to_hex(${BASE_MS}::bigint + g.n), 12, '0') as t,
                   md5(${SEED}::text || ':' || g.n) as h,
                   to_timestamp((${BASE_MS}::bigint + g.n) / 1000.0) as at,
                   ${pick(givenNames, 2_654_435_761)} as given,
                   ${pick(familyNames, 2_246_822_519)} as family,
                   ${pick(departments, 3_266_489_917)} as department,
                   ${pick(titles, 668_265_263)} as title
              from generate_series(${lo}::bigint, ${hi}::bigint) as g(n)) u`;
}

export interface LoadReport {
  insert: number;
  indexes: number;
  statistics: number;
  indexCount: number;
  statisticsCommand: string;
}

/**
 * Loads users 1..count. Secondary indexes are dropped for the insert and rebuilt from the definitions
 * the catalogue held (the migration's own DDL), the usual way to bulk-load; the primary key stays.
 * Runs on one pinned connection so the session's maintenance_work_mem applies to every index build.
 */
export async function loadUsers(
  database: Database,
  count: number,
  log: (line: string) => void,
): Promise<LoadReport> {
  return database.db.connection().execute(async (db: Db) => {
    const { rows: indexes } = await sql<{ name: string; def: string }>`
      select indexname as name, indexdef as def from pg_indexes
       where schemaname = current_schema() and tablename = 'users'
         and indexname not in (select conname from pg_constraint where conrelid = 'users'::regclass)`.execute(
      db,
    );
    for (const index of indexes) await sql`drop index ${sql.id(index.name)}`.execute(db);

    const insert = await seconds(async () => {
      for (let lo = 1; lo <= count; lo += CHUNK) {
        const hi = Math.min(count, lo + CHUNK - 1);
        await insertSlice(lo, hi).execute(db);
        if (hi % 200_000 === 0 || hi === count) log(`  inserted ${fmtInt(hi)} users`);
        await yieldToEventLoop();
      }
    });
    await sql`set maintenance_work_mem = '512MB'`.execute(db);
    const built = await seconds(async () => {
      for (const index of indexes) {
        await sql.raw(index.def).execute(db);
        await yieldToEventLoop();
      }
    });
    await sql`reset maintenance_work_mem`.execute(db);
    // PostgreSQL: VACUUM sets the visibility map, so count(*) and id paging can use index-only scans
    // as they would once autovacuum has run. PGlite has no autovacuum: ANALYZE only, as users get it.
    const statisticsCommand = database.engine === 'postgres' ? 'vacuum analyze users' : 'analyze users';
    const statistics = await seconds(async () => {
      await sql.raw(statisticsCommand).execute(db);
    });
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from users`.execute(db);
    if (rows[0]?.n !== count) throw new Error(`loaded ${rows[0]?.n ?? 0} users, expected ${count}`);
    return { insert, indexes: built, statistics, indexCount: indexes.length, statisticsCommand };
  });
}

export interface Target {
  n: number;
  id: string;
  userName: string;
  externalId: string;
  displayName: string;
  email: string;
}

/** `size` users picked at random (seeded), read back from the table so the queries ask for real rows. */
export async function pickTargets(database: Database, users: number, size: number, random: () => number) {
  const wanted = new Set<number>();
  // From user 1,000 on: every target then has a number of at least four digits, so a prefix without
  // its last digit still narrows to a handful of users.
  const low = users > 10_000 ? 1_000 : 1;
  while (wanted.size < Math.min(size, users - low + 1))
    wanted.add(low + Math.floor(random() * (users - low + 1)));
  const externalIds = [...wanted].map((n) => `WD-${n}`);
  const { rows } = await sql<{
    id: string;
    user_name: string;
    external_id: string;
    display_name: string;
    email: string;
  }>`
    select id, user_name, external_id, display_name, emails -> 0 ->> 'value' as email
      from users where external_id = any(${externalIds}::text[])`.execute(database.db);
  if (rows.length !== wanted.size) throw new Error(`found ${rows.length} of ${wanted.size} target users`);
  return rows.map(
    (r): Target => ({
      n: Number(r.external_id.slice(3)),
      id: r.id,
      userName: r.user_name,
      externalId: r.external_id,
      displayName: r.display_name,
      email: r.email,
    }),
  );
}
