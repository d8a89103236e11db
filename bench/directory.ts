// Directory batch upsert: N HR users through `directory.upsertUsers` (users + audit log + outbox events,
// one transaction per batch), beside the raw ceiling measured in the same run: the same rows through a
// plain UNNEST upsert into the same table, same batch size, no audit or events. A second raw figure,
// "ceiling+log", also writes the audit and event rows Joinery writes, in SQL, to show what the database
// alone needs for the whole job. Each contender has its own fresh database. Two passes per engine:
//   create  – N new users into an empty (migrated) database;
//   update  – the same N users again with ~10% changed (a department/title move), the steady-state HR
//             feed. The raw side is an UNNEST-based UPDATE ... FROM that writes only rows that differ.
// Every run checks that all contenders end with the same stored users and the same number of log rows.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import {
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  sql,
  type UnknownRow,
} from 'kysely';
import { newId, systemClock, systemContext } from '../src/core/index.ts';
import type { Database, Db, Engine } from '../src/db/index.ts';
import { createDirectory, type UpsertOutcome, type UserCreateInput } from '../src/directory/index.ts';
import {
  chunks,
  fmtInt,
  fmtPct,
  fmtSec,
  machineLine,
  parseEngines,
  pgliteVersion,
  type ScratchDatabase,
  scratchDatabase,
  seconds,
  seededRandom,
  serverVersion,
  table,
  yieldToEventLoop,
} from './support.ts';

export const description = 'batch upsert of N users via directory.upsertUsers vs a raw UNNEST upsert';

const usage = `npm run bench -- directory [options]
  --users N        users per pass (default 100000)
  --engine E       pglite | postgres | both (default both)
  --batch N        users per upsertUsers call / transaction (default 1000)
  --changed F      fraction of users changed in the update pass (default 0.1)
  --profile        time each SQL stage of the joinery runs (uniqueness pre-check, inserts, ...)
PostgreSQL: scratch databases are created through BENCH_DATABASE_URL
(default postgres://postgres@127.0.0.1:5432/postgres) and dropped afterwards.`;

// ---------------------------------------------------------------------------------------------------
// Data: realistic HR records, deterministic (seeded) so runs compare.

const givenNames = [
  'Camille',
  'Louis',
  'Emma',
  'Hugo',
  'Léa',
  'Jules',
  'Chloé',
  'Gabriel',
  'Manon',
  'Arthur',
];
const familyNames = [
  'Martin',
  'Bernard',
  'Dubois',
  'Thomas',
  'Robert',
  'Richard',
  'Petit',
  'Durand',
  'Leroy',
  'Moreau',
];
const departments = [
  'Finance',
  'Engineering',
  'Sales',
  'Marketing',
  'Human Resources',
  'Operations',
  'Legal',
  'Support',
];
const titles = [
  'Analyst',
  'Engineer',
  'Senior Engineer',
  'Account Executive',
  'Manager',
  'Consultant',
  'Specialist',
];
const sites = ['Paris-La Défense', 'Lyon Part-Dieu', 'Toulouse Blagnac', 'Nantes', 'Lille Euralille'];

function pad(n: number): string {
  return String(n).padStart(7, '0');
}

function makeUsers(count: number): UserCreateInput[] {
  const random = seededRandom(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const users: UserCreateInput[] = [];
  for (let i = 0; i < count; i++) {
    const givenName = pick(givenNames);
    const familyName = pick(familyNames);
    const userName = `${givenName}.${familyName}.${i}@acme.example`
      .toLowerCase()
      .normalize('NFD')
      .replace(/\p{M}/gu, '');
    const hire = new Date(
      Date.UTC(2005 + Math.floor(random() * 20), Math.floor(random() * 12), 1 + Math.floor(random() * 28)),
    );
    users.push({
      userName,
      externalId: `HR-${pad(i)}`,
      employeeId: `E${pad(i)}`,
      givenName,
      familyName,
      displayName: `${givenName} ${familyName}`,
      emails: [{ value: userName, type: 'work', primary: true }],
      department: pick(departments),
      title: pick(titles),
      costCenter: `CC-${100 + Math.floor(random() * 400)}`,
      companyName: 'Acme SAS',
      employeeType: random() < 0.85 ? 'Employee' : 'Contractor',
      timezone: 'Europe/Paris',
      usageLocation: 'FR',
      // The canonical form the API's schema produces for a calendar date.
      employeeHireDate: hire.toISOString(),
      extension: { site: pick(sites), badgeId: `B${pad(i)}` },
    });
  }
  return users;
}

/** The same users with every `1/fraction`-th one moved to another department, title and cost centre. */
function changeSome(
  users: UserCreateInput[],
  fraction: number,
): { items: UserCreateInput[]; changed: number } {
  const every = fraction > 0 ? Math.max(1, Math.round(1 / fraction)) : 0;
  let changed = 0;
  const items = users.map((u, i) => {
    if (every === 0 || i % every !== 0) return u;
    changed++;
    const department = departments[(departments.indexOf(u.department ?? '') + 1) % departments.length];
    return { ...u, department, title: `Lead ${u.title}`, costCenter: `CC-${900 + (i % 90)}` };
  });
  return { items, changed };
}

// ---------------------------------------------------------------------------------------------------
// Raw ceilings: plain UNNEST statements over the columns the HR feed carries, one statement per batch.
//   ceiling      – users only (the figure the project rule asks for);
//   ceiling+log  – the same, plus the audit and outbox rows Joinery writes (same content), built in SQL
//                  by CTEs in the same statement: what users + audit + events cost the database alone.

interface FeedColumn {
  column: string;
  attribute: string;
  type: 'text' | 'jsonb' | 'timestamptz';
  value: (u: UserCreateInput) => string | null;
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
const feedColumns: FeedColumn[] = [
  { column: 'user_name', attribute: 'userName', type: 'text', value: (u) => u.userName },
  { column: 'external_id', attribute: 'externalId', type: 'text', value: (u) => u.externalId ?? null },
  { column: 'employee_id', attribute: 'employeeId', type: 'text', value: (u) => u.employeeId ?? null },
  { column: 'given_name', attribute: 'givenName', type: 'text', value: (u) => u.givenName ?? null },
  { column: 'family_name', attribute: 'familyName', type: 'text', value: (u) => u.familyName ?? null },
  { column: 'display_name', attribute: 'displayName', type: 'text', value: (u) => u.displayName ?? null },
  { column: 'emails', attribute: 'emails', type: 'jsonb', value: (u) => json(u.emails ?? []) },
  { column: 'title', attribute: 'title', type: 'text', value: (u) => u.title ?? null },
  { column: 'department', attribute: 'department', type: 'text', value: (u) => u.department ?? null },
  { column: 'cost_center', attribute: 'costCenter', type: 'text', value: (u) => u.costCenter ?? null },
  { column: 'company_name', attribute: 'companyName', type: 'text', value: (u) => u.companyName ?? null },
  { column: 'employee_type', attribute: 'employeeType', type: 'text', value: (u) => u.employeeType ?? null },
  { column: 'timezone', attribute: 'timezone', type: 'text', value: (u) => u.timezone ?? null },
  {
    column: 'usage_location',
    attribute: 'usageLocation',
    type: 'text',
    value: (u) => u.usageLocation ?? null,
  },
  {
    column: 'employee_hire_date',
    attribute: 'employeeHireDate',
    type: 'timestamptz',
    value: (u) => u.employeeHireDate ?? null,
  },
  { column: 'extension', attribute: 'extension', type: 'jsonb', value: (u) => json(u.extension ?? {}) },
];

const names = feedColumns.map((c) => c.column);
const updatable = names.filter((n) => n !== 'external_id');
const columnArrays = (batch: UserCreateInput[]) =>
  feedColumns.map((c) => sql`${batch.map(c.value)}::${sql.raw(c.type)}[]`);
const raw = (parts: string[], separator = ', ') => sql.raw(parts.join(separator));

// Audit `changes` built in SQL, the same shape Joinery records: [{attribute, before, after}].
const createdChanges = (row: string) =>
  raw(
    [
      `(select jsonb_agg(jsonb_build_object('attribute', n.k, 'before', null, 'after', n.a)) from (values `,
      [
        ...feedColumns.map((c) => `('${c.attribute}', to_jsonb(${row}.${c.column}))`),
        `('accountEnabled', to_jsonb(${row}.account_enabled))`,
      ].join(', '),
      `) n(k, a) where n.a is not null)`,
    ],
    '',
  );
const updatedChanges = (before: string, after: string) =>
  raw(
    [
      `(select jsonb_agg(jsonb_build_object('attribute', n.k, 'before', n.b, 'after', n.a)) from (values `,
      feedColumns
        .filter((c) => c.column !== 'external_id')
        .map((c) => `('${c.attribute}', to_jsonb(${before}.${c.column}), to_jsonb(${after}.${c.column}))`)
        .join(', '),
      `) n(k, b, a) where n.b is distinct from n.a)`,
    ],
    '',
  );

async function ceilingInsert(db: Db, batch: UserCreateInput[], withLog: boolean): Promise<number> {
  const now = systemClock.now().toISOString();
  const ids = batch.map(() => newId());
  const setList = raw([
    ...updatable.map((n) => `${n} = excluded.${n}`),
    'updated_at = excluded.updated_at',
    'version = users.version + 1',
  ]);
  const upsert = sql`insert into users (id, ${raw(names)}, created_at, updated_at, version)
      select v.*, ${now}::timestamptz, ${now}::timestamptz, 1
        from unnest(${ids}::uuid[], ${sql.join(columnArrays(batch))}) as v(id, ${raw(names)})
      on conflict (external_id) where external_id is not null do update set ${setList}`;
  return db.transaction().execute(async (tx) => {
    if (!withLog) return Number((await upsert.execute(tx)).numAffectedRows ?? 0);
    const { rows } = await sql<{ n: number }>`
      with ins as (${upsert} returning *),
      a as (
        insert into audit_log (occurred_at, actor_type, actor_id, actor_name, action, target_type, target_id, changes, correlation_id)
        select ${now}::timestamptz, 'system', null, 'joinery', 'user.create', 'user', ins.id::text, ${createdChanges('ins')}, 'bench'
          from ins),
      e as (
        insert into events (type, aggregate_type, aggregate_id, payload, correlation_id, occurred_at)
        select 'user.created', 'user', ins.id::text,
               jsonb_build_object('userName', ins.user_name, 'externalId', ins.external_id, 'accountEnabled', ins.account_enabled),
               'bench', ${now}::timestamptz
          from ins)
      select count(*)::int as n from ins`.execute(tx);
    return rows[0]?.n ?? 0;
  });
}

async function ceilingUpdate(db: Db, batch: UserCreateInput[], withLog: boolean): Promise<number> {
  const now = systemClock.now().toISOString();
  // `s` is the stored row: the target itself, or (with the log) a self-join that keeps the old values.
  const value = (n: string) => (n === 'extension' ? 's.extension || v.extension' : `v.${n}`);
  const setList = raw(updatable.map((n) => `${n} = ${value(n)}`));
  const differs = sql`(${raw(updatable.map((n) => `s.${n}`))}) is distinct from (${raw(updatable.map(value))})`;
  const input = sql`unnest(${sql.join(columnArrays(batch))}) as v(${raw(names)})`;
  return db.transaction().execute(async (tx) => {
    if (!withLog) {
      const result = await sql`
        update users s set ${setList}, updated_at = ${now}::timestamptz, version = s.version + 1
          from ${input}
         where s.external_id = v.external_id and ${differs}`.execute(tx);
      return Number(result.numAffectedRows ?? 0);
    }
    const { rows } = await sql<{ n: number }>`
      with upd as (
        update users u set ${setList}, updated_at = ${now}::timestamptz, version = s.version + 1
          from ${input}, users s
         where s.external_id = v.external_id and u.id = s.id and ${differs}
        returning u.id, ${updatedChanges('s', 'u')} as changes),
      a as (
        insert into audit_log (occurred_at, actor_type, actor_id, actor_name, action, target_type, target_id, changes, correlation_id)
        select ${now}::timestamptz, 'system', null, 'joinery', 'user.update', 'user', upd.id::text, upd.changes, 'bench'
          from upd),
      e as (
        insert into events (type, aggregate_type, aggregate_id, payload, correlation_id, occurred_at)
        select 'user.updated', 'user', upd.id::text,
               jsonb_build_object('changed', (select jsonb_agg(c -> 'attribute') from jsonb_array_elements(upd.changes) c)),
               'bench', ${now}::timestamptz
          from upd)
      select count(*)::int as n from upd`.execute(tx);
    return rows[0]?.n ?? 0;
  });
}

// ---------------------------------------------------------------------------------------------------
// Stage profile: a Kysely plugin times every statement from compilation to its parsed result.

const stageNames = [
  'match select (for update)',
  'uniqueness pre-check',
  'users insert',
  'users update',
  'audit insert',
  'events insert',
  'other sql',
] as const;
type Stage = (typeof stageNames)[number];

function stageOf(node: RootOperationNode): Stage {
  if (node.kind === 'SelectQueryNode') {
    const from = JSON.stringify(node.from ?? {});
    if (!from.includes('"users"')) return 'other sql';
    return (node.endModifiers?.length ?? 0) > 0 ? 'match select (for update)' : 'uniqueness pre-check';
  }
  if (node.kind === 'InsertQueryNode') {
    const table = node.into?.table.identifier.name;
    if (table === 'audit_log') return 'audit insert';
    if (table === 'events') return 'events insert';
    return 'other sql';
  }
  if (node.kind === 'RawNode') {
    const head = (node.sqlFragments[0] ?? '').trimStart();
    if (head.startsWith('insert into users')) return 'users insert';
    if (head.startsWith('update users')) return 'users update';
  }
  return 'other sql';
}

class StageTimer implements KyselyPlugin {
  readonly totals = new Map<Stage, number>();
  private readonly open = new Map<string, { stage: Stage; t0: number }>();

  transformQuery({ node, queryId }: PluginTransformQueryArgs): RootOperationNode {
    this.open.set(queryId.queryId, { stage: stageOf(node), t0: performance.now() });
    return node;
  }

  async transformResult({ result, queryId }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const entry = this.open.get(queryId.queryId);
    if (entry) {
      this.open.delete(queryId.queryId);
      this.totals.set(
        entry.stage,
        (this.totals.get(entry.stage) ?? 0) + (performance.now() - entry.t0) / 1000,
      );
    }
    return result;
  }

  reset(): Map<Stage, number> {
    const out = new Map(this.totals);
    this.totals.clear();
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------

interface PassResult {
  engine: Engine;
  pass: 'create' | 'update';
  rows: number;
  written: number;
  joinery: number;
  ceiling: number;
  ceilingLog: number;
  profile?: Map<Stage, number>;
}

interface Options {
  users: number;
  batch: number;
  changed: number;
  profile: boolean;
}

async function count(database: Database, tableName: 'users' | 'audit_log' | 'events'): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(tableName)}`.execute(
    database.db,
  );
  return rows[0]?.n ?? 0;
}

/** A digest of every stored attribute the feed carries, to prove both contenders reached the same state. */
async function stateDigest(database: Database): Promise<string> {
  const cols = sql.raw(
    [...names, 'version', 'deleted_at'].map((n) => `coalesce(${n}::text, '~')`).join(` || '|' || `),
  );
  const { rows } = await sql<{
    d: string;
  }>`select md5(string_agg(${cols}, E'\\n' order by external_id)) as d from users`.execute(database.db);
  return rows[0]?.d ?? '';
}

/** Average stored bytes of an audit row's changes and of an event payload, to compare the two logs. */
async function logBytes(database: Database): Promise<string> {
  const { rows } = await sql<{ a: number; e: number }>`
    select (select avg(pg_column_size(changes))::int from audit_log) as a,
           (select avg(pg_column_size(payload))::int from events) as e`.execute(database.db);
  return `${rows[0]?.a ?? 0} B/audit change set, ${rows[0]?.e ?? 0} B/event payload`;
}

async function analyze(database: Database): Promise<void> {
  await sql`analyze`.execute(database.db);
}

async function benchEngine(engine: Engine, options: Options): Promise<PassResult[]> {
  const created = makeUsers(options.users);
  const { items: updated, changed } = changeSome(created, options.changed);
  const batchesCreate = chunks(created, options.batch);
  const batchesUpdate = chunks(updated, options.batch);
  const ctx = systemContext('bench');

  const scratch: ScratchDatabase[] = [];
  const open = async (label: string) => {
    const s = await scratchDatabase(engine, label);
    scratch.push(s);
    return s.database;
  };
  try {
    // All databases are open together and the contenders alternate pass by pass, so a change in
    // machine load during the run hits all of them rather than one.
    const jdb = await open('joinery');
    const cdb = await open('ceiling');
    const ldb = await open('ceilinglog');
    console.log(`${engine}: ${await serverVersion(jdb)}, ${scratch.map((s) => s.location).join(', ')}`);

    const timer = new StageTimer();
    const db = options.profile ? jdb.db.withPlugin(timer) : jdb.db;
    const directory = createDirectory({ db, clock: systemClock, retentionDays: 30 });

    const runJoinery = async (batches: UserCreateInput[][]) => {
      const tally: Record<UpsertOutcome['kind'], number> = {
        created: 0,
        updated: 0,
        unchanged: 0,
        failed: 0,
      };
      let firstFailure: string | null = null;
      timer.reset();
      const s = await seconds(async () => {
        for (const batch of batches) {
          await yieldToEventLoop();
          const result = await directory.upsertUsers(ctx, batch, { matchOn: 'externalId' });
          if (!result.ok) throw new Error(`upsertUsers failed: ${result.error.code} ${result.error.message}`);
          for (const outcome of result.value) {
            tally[outcome.kind]++;
            if (outcome.kind === 'failed' && !firstFailure) firstFailure = outcome.error.message;
          }
        }
      });
      if (tally.failed > 0) throw new Error(`${tally.failed} items failed, first: ${firstFailure}`);
      return { s, tally, profile: timer.reset() };
    };
    type Write = (db: Db, batch: UserCreateInput[], withLog: boolean) => Promise<number>;
    const runRaw = async (
      database: Database,
      batches: UserCreateInput[][],
      write: Write,
      withLog: boolean,
    ) => {
      let affected = 0;
      const s = await seconds(async () => {
        for (const batch of batches) {
          await yieldToEventLoop();
          affected += await write(database.db, batch, withLog);
        }
      });
      return { s, affected };
    };
    const expect = (pass: string, what: string, actual: number, wanted: number) => {
      if (actual !== wanted) throw new Error(`${pass} pass: ${what} is ${actual}, expected ${wanted}`);
    };

    // Pass 1: create.
    const ceilCreate = await runRaw(cdb, batchesCreate, ceilingInsert, false);
    const logCreate = await runRaw(ldb, batchesCreate, ceilingInsert, true);
    const joinCreate = await runJoinery(batchesCreate);
    expect('create', 'joinery created', joinCreate.tally.created, options.users);
    expect('create', 'ceiling rows', ceilCreate.affected, options.users);
    expect('create', 'ceiling+log rows', logCreate.affected, options.users);
    // Statistics as autovacuum would have them in steady state (PGlite has no autovacuum); not timed.
    for (const d of [jdb, cdb, ldb]) await analyze(d);

    // Pass 2: update, ~10% changed.
    const ceilUpdate = await runRaw(cdb, batchesUpdate, ceilingUpdate, false);
    const logUpdate = await runRaw(ldb, batchesUpdate, ceilingUpdate, true);
    const joinUpdate = await runJoinery(batchesUpdate);
    expect('update', 'joinery updated', joinUpdate.tally.updated, changed);
    expect('update', 'ceiling rows', ceilUpdate.affected, changed);
    expect('update', 'ceiling+log rows', logUpdate.affected, changed);

    // Same end state everywhere, and the log ceiling wrote as many audit and event rows as Joinery.
    const digest = await stateDigest(jdb);
    for (const d of [cdb, ldb])
      expect('final', 'users digest match', Number((await stateDigest(d)) === digest), 1);
    const audit = await count(jdb, 'audit_log');
    const events = await count(jdb, 'events');
    expect('final', 'ceiling+log audit rows', await count(ldb, 'audit_log'), audit);
    expect('final', 'ceiling+log events', await count(ldb, 'events'), events);
    console.log(`${engine}: joinery ${await logBytes(jdb)}; ceiling+log ${await logBytes(ldb)}`);
    console.log(
      `${engine}: each wrote ${fmtInt(await count(jdb, 'users'))} users with the same attributes ` +
        `(digest ${digest.slice(0, 8)}); joinery and ceiling+log ${fmtInt(audit)} audit rows, ${fmtInt(events)} events`,
    );

    const result = (
      pass: 'create' | 'update',
      written: number,
      j: typeof joinCreate,
      c: number,
      l: number,
    ) => ({
      engine,
      pass,
      rows: options.users,
      written,
      joinery: j.s,
      ceiling: c,
      ceilingLog: l,
      ...(options.profile ? { profile: j.profile } : {}),
    });
    return [
      result('create', options.users, joinCreate, ceilCreate.s, logCreate.s),
      result('update', changed, joinUpdate, ceilUpdate.s, logUpdate.s),
    ];
  } finally {
    for (const s of scratch.reverse()) await s.dispose();
  }
}

function positiveInt(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, not "${raw}"`);
  return n;
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      users: { type: 'string', default: '100000' },
      engine: { type: 'string', default: 'both' },
      batch: { type: 'string', default: '1000' },
      changed: { type: 'string', default: '0.1' },
      profile: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const engines = parseEngines(values.engine);
  const changedFraction = Number(values.changed);
  if (!(changedFraction >= 0 && changedFraction <= 1)) throw new Error('--changed must be between 0 and 1');
  const options: Options = {
    users: positiveInt('users', values.users),
    batch: positiveInt('batch', values.batch),
    changed: changedFraction,
    profile: values.profile,
  };

  console.log(
    `directory upsert benchmark: ${fmtInt(options.users)} users, batch ${options.batch}, PGlite ${pgliteVersion()}`,
  );
  console.log(machineLine());
  const results: PassResult[] = [];
  for (const engine of engines) results.push(...(await benchEngine(engine, options)));

  console.log(
    `\nrows/s counts input rows (users sent); the update pass writes only the changed ones (${fmtPct(options.changed)}).`,
  );
  console.log(
    table(
      [
        'engine / pass',
        'rows',
        'written',
        'joinery s',
        'rows/s',
        'ceiling s',
        'rows/s',
        'ratio',
        'ceiling+log s',
        'ratio',
      ],
      results.map((r) => [
        `${r.engine} ${r.pass}`,
        fmtInt(r.rows),
        fmtInt(r.written),
        fmtSec(r.joinery),
        fmtInt(r.rows / r.joinery),
        fmtSec(r.ceiling),
        fmtInt(r.rows / r.ceiling),
        fmtPct(r.ceiling / r.joinery),
        fmtSec(r.ceilingLog),
        fmtPct(r.ceilingLog / r.joinery),
      ]),
    ),
  );
  console.log(
    'ratio = ceiling s / joinery s (the target is >= 30%). ceiling: users only; ceiling+log: users plus the same\n' +
      'audit and outbox rows Joinery writes, built in SQL in the same statement (what the database alone needs).',
  );

  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(`load average at the end: ${load} (other work on the machine slows every contender)`);

  if (options.profile) {
    console.log(
      '\njoinery stage profile (seconds per pass; each statement timed from compile to parsed result):',
    );
    const profiled = results.filter((r) => r.profile);
    const rows = [...stageNames, 'js + begin/commit' as const].map((stage) => [
      stage,
      ...profiled.map((r) => {
        const sqlTotal = [...(r.profile?.values() ?? [])].reduce((a, b) => a + b, 0);
        const s = stage === 'js + begin/commit' ? r.joinery - sqlTotal : (r.profile?.get(stage) ?? 0);
        return `${fmtSec(s)} (${fmtPct(s / r.joinery)})`;
      }),
    ]);
    console.log(table(['stage', ...profiled.map((r) => `${r.engine} ${r.pass}`)], rows));
  }
}
