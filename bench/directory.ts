// Directory batch upsert: N HR users through `directory.upsertUsers` (users + audit log + outbox events,
// one transaction per batch), beside the raw ceiling: the same rows through a plain UNNEST upsert into
// the same table, same batch size, no audit or events. Two passes per engine:
//   create  – N new users into an empty (migrated) database;
//   update  – the same N users again with ~10% changed (a department/title move), the steady-state HR
//             feed. The ceiling is an UNNEST-based UPDATE ... FROM that writes only rows that differ.
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
  pgliteVersion,
  type ScratchDatabase,
  scratchDatabase,
  seconds,
  seededRandom,
  serverVersion,
  table,
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
// Raw ceiling: plain UNNEST statements over the columns the HR feed carries.

interface CeilingColumn {
  column: string;
  type: 'text' | 'jsonb' | 'timestamptz';
  value: (u: UserCreateInput) => string | null;
}

const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
const ceilingColumns: CeilingColumn[] = [
  { column: 'user_name', type: 'text', value: (u) => u.userName },
  { column: 'external_id', type: 'text', value: (u) => u.externalId ?? null },
  { column: 'employee_id', type: 'text', value: (u) => u.employeeId ?? null },
  { column: 'given_name', type: 'text', value: (u) => u.givenName ?? null },
  { column: 'family_name', type: 'text', value: (u) => u.familyName ?? null },
  { column: 'display_name', type: 'text', value: (u) => u.displayName ?? null },
  { column: 'emails', type: 'jsonb', value: (u) => json(u.emails ?? []) },
  { column: 'title', type: 'text', value: (u) => u.title ?? null },
  { column: 'department', type: 'text', value: (u) => u.department ?? null },
  { column: 'cost_center', type: 'text', value: (u) => u.costCenter ?? null },
  { column: 'company_name', type: 'text', value: (u) => u.companyName ?? null },
  { column: 'employee_type', type: 'text', value: (u) => u.employeeType ?? null },
  { column: 'timezone', type: 'text', value: (u) => u.timezone ?? null },
  { column: 'usage_location', type: 'text', value: (u) => u.usageLocation ?? null },
  { column: 'employee_hire_date', type: 'timestamptz', value: (u) => u.employeeHireDate ?? null },
  { column: 'extension', type: 'jsonb', value: (u) => json(u.extension ?? {}) },
];

const names = ceilingColumns.map((c) => c.column);
const columnArrays = (batch: UserCreateInput[]) =>
  ceilingColumns.map((c) => sql`${batch.map(c.value)}::${sql.raw(c.type)}[]`);
const unnestAlias = sql.raw(`v(${names.join(', ')})`);

async function ceilingInsert(db: Db, batch: UserCreateInput[]): Promise<number> {
  const now = systemClock.now().toISOString();
  const ids = batch.map(() => newId());
  const setList = sql.raw(
    [
      ...names.filter((n) => n !== 'external_id').map((n) => `${n} = excluded.${n}`),
      'updated_at = excluded.updated_at',
      'version = users.version + 1',
    ].join(', '),
  );
  return db.transaction().execute(async (tx) => {
    const result = await sql`
      insert into users (id, ${sql.raw(names.join(', '))}, created_at, updated_at, version)
      select v.*, ${now}::timestamptz, ${now}::timestamptz, 1
        from unnest(${ids}::uuid[], ${sql.join(columnArrays(batch))}) as ${sql.raw(`v(id, ${names.join(', ')})`)}
      on conflict (external_id) where external_id is not null do update set ${setList}`.execute(tx);
    return Number(result.numAffectedRows ?? 0);
  });
}

async function ceilingUpdate(db: Db, batch: UserCreateInput[]): Promise<number> {
  const now = systemClock.now().toISOString();
  const attributes = names.filter((n) => n !== 'external_id');
  const value = (n: string) => (n === 'extension' ? 'u.extension || v.extension' : `v.${n}`);
  const setList = sql.raw(attributes.map((n) => `${n} = ${value(n)}`).join(', '));
  const stored = sql.raw(`(${attributes.map((n) => `u.${n}`).join(', ')})`);
  const incoming = sql.raw(`(${attributes.map(value).join(', ')})`);
  return db.transaction().execute(async (tx) => {
    const result = await sql`
      update users u set ${setList}, updated_at = ${now}::timestamptz, version = u.version + 1
        from unnest(${sql.join(columnArrays(batch))}) as ${unnestAlias}
       where u.external_id = v.external_id and ${stored} is distinct from ${incoming}`.execute(tx);
    return Number(result.numAffectedRows ?? 0);
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
  try {
    // Both databases are open together and the two contenders alternate pass by pass, so a change in
    // machine load during the run hits both rather than one.
    const j = await scratchDatabase(engine, 'joinery');
    scratch.push(j);
    const c = await scratchDatabase(engine, 'ceiling');
    scratch.push(c);
    console.log(
      `${engine}: ${await serverVersion(j.database)} — joinery in ${j.location}, ceiling in ${c.location}`,
    );

    const timer = new StageTimer();
    const db = options.profile ? j.database.db.withPlugin(timer) : j.database.db;
    const directory = createDirectory({ db, clock: systemClock, retentionDays: 30 });

    const runJoinery = async (batches: UserCreateInput[][]) => {
      const tally: Record<UpsertOutcome['kind'], number> = {
        created: 0,
        updated: 0,
        unchanged: 0,
        failed: 0,
      };
      let firstFailure: string | null = null;
      const s = await seconds(async () => {
        for (const batch of batches) {
          const result = await directory.upsertUsers(ctx, batch, { matchOn: 'externalId' });
          if (!result.ok) throw new Error(`upsertUsers failed: ${result.error.code} ${result.error.message}`);
          for (const outcome of result.value) {
            tally[outcome.kind]++;
            if (outcome.kind === 'failed' && !firstFailure) firstFailure = outcome.error.message;
          }
        }
      });
      if (tally.failed > 0) throw new Error(`${tally.failed} items failed, first: ${firstFailure}`);
      return { s, tally };
    };
    const runCeiling = async (
      batches: UserCreateInput[][],
      write: (db: Db, b: UserCreateInput[]) => Promise<number>,
    ) => {
      let affected = 0;
      const s = await seconds(async () => {
        for (const batch of batches) affected += await write(c.database.db, batch);
      });
      return { s, affected };
    };

    // Pass 1: create.
    const ceilCreate = await runCeiling(batchesCreate, ceilingInsert);
    timer.reset();
    const joinCreate = await runJoinery(batchesCreate);
    const profileCreate = timer.reset();
    if (joinCreate.tally.created !== options.users || ceilCreate.affected !== options.users) {
      throw new Error(
        `create pass: joinery created ${joinCreate.tally.created}, ceiling ${ceilCreate.affected}`,
      );
    }
    // Statistics as autovacuum would have them in steady state (PGlite has no autovacuum); not timed.
    await analyze(j.database);
    await analyze(c.database);

    // Pass 2: update, ~10% changed.
    const ceilUpdate = await runCeiling(batchesUpdate, ceilingUpdate);
    const joinUpdate = await runJoinery(batchesUpdate);
    const profileUpdate = timer.reset();
    if (joinUpdate.tally.updated !== changed || ceilUpdate.affected !== changed) {
      throw new Error(
        `update pass: expected ${changed} changed, joinery updated ${joinUpdate.tally.updated}, ceiling ${ceilUpdate.affected}`,
      );
    }

    const [users, audit, events] = [
      await count(j.database, 'users'),
      await count(j.database, 'audit_log'),
      await count(j.database, 'events'),
    ];
    console.log(
      `${engine}: joinery wrote ${fmtInt(users)} users, ${fmtInt(audit)} audit rows, ${fmtInt(events)} events; ` +
        `ceiling ${fmtInt(await count(c.database, 'users'))} users`,
    );

    return [
      {
        engine,
        pass: 'create',
        rows: options.users,
        written: options.users,
        joinery: joinCreate.s,
        ceiling: ceilCreate.s,
        ...(options.profile ? { profile: profileCreate } : {}),
      },
      {
        engine,
        pass: 'update',
        rows: options.users,
        written: changed,
        joinery: joinUpdate.s,
        ceiling: ceilUpdate.s,
        ...(options.profile ? { profile: profileUpdate } : {}),
      },
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
  const engines: Engine[] =
    values.engine === 'both'
      ? ['pglite', 'postgres']
      : values.engine === 'pglite' || values.engine === 'postgres'
        ? [values.engine]
        : [];
  if (engines.length === 0)
    throw new Error(`--engine must be pglite, postgres or both, not "${values.engine}"`);
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
        'joinery rows/s',
        'ceiling s',
        'ceiling rows/s',
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
      ]),
    ),
  );

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
