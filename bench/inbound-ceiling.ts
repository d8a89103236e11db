// The raw ceiling of the inbound benchmark: the same people written straight into `users` of a fresh
// migrated database by one UNNEST upsert per batch (the server's batch size), one after another like
// the server's single drainer: insert ... on conflict (employee_id) where employee_id is not null do
// update, writing only rows that differ, with managers resolved by a join on employee_id in the same
// statement. Managers that arrive after their reports (phase a) are linked by one UPDATE at the end of
// the phase, inside the timing. No audit, events, provisioning log or run bookkeeping.
import { sql } from 'kysely';
import { newId, systemClock } from '../src/core/index.ts';
import type { Database, Db } from '../src/db/index.ts';
import { externalIdOf, jobOf, type Person, type Phase } from './inbound-data.ts';
import { seconds, yieldToEventLoop } from './support.ts';

interface Column {
  column: string;
  type: 'text' | 'jsonb' | 'timestamptz' | 'boolean';
  value: (p: Person, i: number, phase: Phase) => string | boolean | null;
}

/** The columns the default `hr` mapping writes for this feed, with the values the server stores. */
const columns: Column[] = [
  { column: 'employee_id', type: 'text', value: (p) => p.externalId },
  { column: 'user_name', type: 'text', value: (p) => p.userName },
  { column: 'display_name', type: 'text', value: (p) => p.displayName },
  { column: 'given_name', type: 'text', value: (p) => p.givenName },
  { column: 'family_name', type: 'text', value: (p) => p.familyName },
  { column: 'title', type: 'text', value: (p, i, phase) => jobOf(p, i, phase).title },
  { column: 'department', type: 'text', value: (p, i, phase) => jobOf(p, i, phase).department },
  { column: 'division', type: 'text', value: (p) => p.division },
  { column: 'cost_center', type: 'text', value: (p) => p.costCenter },
  { column: 'company_name', type: 'text', value: () => 'Acme SAS' },
  { column: 'employee_type', type: 'text', value: (p) => p.userType },
  { column: 'account_enabled', type: 'boolean', value: () => true },
  {
    column: 'emails',
    type: 'jsonb',
    value: (p) => JSON.stringify([{ value: p.userName, type: 'work', primary: true }]),
  },
  { column: 'employee_hire_date', type: 'timestamptz', value: (p) => `${p.hireDate}Z` },
  { column: 'usage_location', type: 'text', value: () => 'FR' },
];
const names = columns.map((c) => c.column);
const list = (parts: string[]) => sql.raw(parts.join(', '));

async function upsertBatch(db: Db, people: readonly Person[], from: number, to: number, phase: Phase) {
  const now = systemClock.now().toISOString();
  const index = Array.from({ length: to - from }, (_, k) => from + k);
  const arrays = columns.map(
    (c) => sql`${index.map((i) => c.value(people[i] as Person, i, phase))}::${sql.raw(c.type)}[]`,
  );
  const managers = index.map((i) => {
    const m = (people[i] as Person).manager;
    return m === null ? null : externalIdOf(m);
  });
  const ids = index.map(() => newId());
  const updatable = [...names.filter((n) => n !== 'employee_id'), 'manager_id'];
  const result = await sql`
    insert into users (id, ${list(names)}, manager_id, created_at, updated_at, version)
    select v.id, ${list(names.map((n) => `v.${n}`))}, m.id, ${now}::timestamptz, ${now}::timestamptz, 1
      from unnest(${ids}::uuid[], ${sql.join(arrays)}, ${managers}::text[]) as v(id, ${list(names)}, manager_key)
      left join users m on m.employee_id = v.manager_key
    on conflict (employee_id) where employee_id is not null do update
       set ${list(updatable.map((n) => `${n} = excluded.${n}`))}, updated_at = excluded.updated_at,
           version = users.version + 1
     where (${list(updatable.map((n) => `users.${n}`))}) is distinct from (${list(updatable.map((n) => `excluded.${n}`))})`.execute(
    db,
  );
  return Number(result.numAffectedRows ?? 0);
}

/** Links reports whose manager was not stored yet when their batch was written (a later or the same batch). */
async function linkLate(db: Db, people: readonly Person[], batch: number): Promise<number> {
  const late = people.filter((p, i) => p.manager !== null && p.manager >= i - (i % batch));
  if (late.length === 0) return 0;
  const result = await sql`
    update users u set manager_id = m.id, version = u.version + 1, updated_at = ${systemClock.now().toISOString()}::timestamptz
      from unnest(${late.map((p) => p.externalId)}::text[], ${late.map((p) => externalIdOf(p.manager as number))}::text[]) as v(employee_id, manager_key)
      join users m on m.employee_id = v.manager_key
     where u.employee_id = v.employee_id and u.manager_id is distinct from m.id`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

export interface CeilingPass {
  s: number;
  written: number;
  linked: number;
}

/** One phase of the ceiling: every person once, `batch` per statement and transaction, in feed order. */
export async function ceilingPhase(
  database: Database,
  people: readonly Person[],
  phase: Phase,
  batch: number,
): Promise<CeilingPass> {
  let written = 0;
  let linked = 0;
  const s = await seconds(async () => {
    for (let from = 0; from < people.length; from += batch) {
      await yieldToEventLoop();
      const to = Math.min(people.length, from + batch);
      written += await database.db.transaction().execute((tx) => upsertBatch(tx, people, from, to, phase));
    }
    if (phase === 'a') linked = await linkLate(database.db, people, batch);
  });
  return { s, written, linked };
}

/**
 * A digest of what both sides stored for the feed (the columns above plus the manager's employee id),
 * to prove the server and the ceiling reached the same directory.
 */
export async function feedDigest(
  database: Database,
): Promise<{ digest: string; users: number; managers: number }> {
  const cols = [
    ...names.map((n) =>
      n === 'employee_hire_date'
        ? `coalesce(extract(epoch from u.employee_hire_date)::text, '~')`
        : n === 'emails'
          ? `coalesce(u.emails -> 0 ->> 'value', '~')`
          : `coalesce(u.${n}::text, '~')`,
    ),
    `coalesce(m.employee_id, '~')`,
  ].join(` || '|' || `);
  const { rows } = await sql<{ d: string; n: number; m: number }>`
    select md5(string_agg(${sql.raw(cols)}, E'\\n' order by u.employee_id)) as d, count(*)::int as n,
           count(m.id)::int as m
      from users u left join users m on m.id = u.manager_id
     where u.employee_id is not null`.execute(database.db);
  return { digest: rows[0]?.d ?? '', users: rows[0]?.n ?? 0, managers: rows[0]?.m ?? 0 };
}
