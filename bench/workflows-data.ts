// Data of the lifecycle-workflows benchmark (B6): a directory of N people written by SQL
// (generate_series) into the migrated tables, groups with their memberships, and the mix of workflow
// definitions created through the workflows module. Everything derives from the person number n, so
// two runs hold the same directory; dates are placed around the pass moment the benchmark chooses.
import { type RawBuilder, sql } from 'kysely';
import { DAY_MS, newId } from '../src/core/index.ts';
import type { Database, Db } from '../src/db/index.ts';
import type { WorkflowInput } from '../src/workflows/index.ts';
import { fmtInt, seconds, yieldToEventLoop } from './support.ts';

type Sql = RawBuilder<unknown>;

const SEED = 20_261_215;
const CHUNK = 50_000;

/** 40 IANA zones with the country (usageLocation) and language of the people who live there. */
const places: readonly [zone: string, country: string, language: string][] = [
  ['America/New_York', 'US', 'en'],
  ['America/Chicago', 'US', 'en'],
  ['America/Denver', 'US', 'en'],
  ['America/Los_Angeles', 'US', 'en'],
  ['America/Phoenix', 'US', 'en'],
  ['America/Anchorage', 'US', 'en'],
  ['Pacific/Honolulu', 'US', 'en'],
  ['America/Toronto', 'CA', 'en'],
  ['America/Vancouver', 'CA', 'en'],
  ['America/Mexico_City', 'MX', 'es'],
  ['America/Sao_Paulo', 'BR', 'pt'],
  ['America/Bogota', 'CO', 'es'],
  ['America/Lima', 'PE', 'es'],
  ['America/Santiago', 'CL', 'es'],
  ['America/Argentina/Buenos_Aires', 'AR', 'es'],
  ['Europe/London', 'GB', 'en'],
  ['Europe/Dublin', 'IE', 'en'],
  ['Europe/Lisbon', 'PT', 'pt'],
  ['Europe/Paris', 'FR', 'fr'],
  ['Europe/Berlin', 'DE', 'de'],
  ['Europe/Madrid', 'ES', 'es'],
  ['Europe/Rome', 'IT', 'it'],
  ['Europe/Amsterdam', 'NL', 'nl'],
  ['Europe/Brussels', 'BE', 'fr'],
  ['Europe/Zurich', 'CH', 'de'],
  ['Europe/Stockholm', 'SE', 'sv'],
  ['Europe/Warsaw', 'PL', 'pl'],
  ['Europe/Athens', 'GR', 'el'],
  ['Europe/Istanbul', 'TR', 'tr'],
  ['Africa/Johannesburg', 'ZA', 'en'],
  ['Africa/Lagos', 'NG', 'en'],
  ['Africa/Cairo', 'EG', 'ar'],
  ['Asia/Dubai', 'AE', 'ar'],
  ['Asia/Kolkata', 'IN', 'en'],
  ['Asia/Singapore', 'SG', 'en'],
  ['Asia/Shanghai', 'CN', 'zh'],
  ['Asia/Tokyo', 'JP', 'ja'],
  ['Asia/Seoul', 'KR', 'ko'],
  ['Australia/Sydney', 'AU', 'en'],
  ['Pacific/Auckland', 'NZ', 'en'],
];

export const departments = [
  'Sales',
  'Engineering',
  'Finance',
  'Marketing',
  'Operations',
  'Human Resources',
  'Legal',
  'Customer Support',
  'Research',
  'IT',
] as const;
const titles = [
  'Analyst',
  'Engineer',
  'Senior Engineer',
  'Account Executive',
  'Manager',
  'Consultant',
  'Specialist',
  'Director',
];
const givenNames = (
  'Camille Louis Emma Hugo Lea Jules Chloe Gabriel Manon Arthur Ines Adam Sarah Raphael Alice Paul ' +
  'Lina Nathan Julia Lucas Zoe Ethan Anna Noah Eva Tom Rose Leo Jade Victor Nina Samuel Clara ' +
  'Maxime Laura Antoine Marie Thomas Julie Nicolas Aiko Ravi Priya Kenji Olu Thabo Mateo Sofia'
).split(' ');
const familyNames = (
  'Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre ' +
  'Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard Andre Mercier Dupont Lambert ' +
  'Smith Johnson Brown Jones Miller Davis Wilson Anderson Taylor Moore Jackson White Harris Clark ' +
  'Schmidt Muller Weber Rossi Russo Silva Santos Tanaka Suzuki Kim Lee Chen Wang Singh Patel Okafor'
).split(' ');

/** The moment of the measured pass and the day it falls on (hire and leave dates spread ±2 years around it). */
export interface Moments {
  /** The pass runs at this instant (the fake clock). */
  pass: Date;
  /** The workflows are created (so the first pass looks back to) one day earlier. */
  created: Date;
  /** UTC calendar day of `pass`, YYYY-MM-DD. */
  passDay: string;
}

export function moments(passIso: string): Moments {
  const pass = new Date(passIso);
  return { pass, created: new Date(pass.getTime() - DAY_MS), passDay: pass.toISOString().slice(0, 10) };
}

/** A UUID (version 4 layout) from the md5 text `h`: valid, unique per n, the same every run. */
function uuidFrom(h: Sql, n: Sql): Sql {
  return sql`(substr(${h}, 1, 8) || '-' || substr(${h}, 9, 4) || '-4' || substr(${h}, 14, 3) || '-'
              || substr('89ab', 1 + (${n} % 4)::int, 1) || substr(${h}, 18, 3) || '-' || substr(${h}, 21, 12))::uuid`;
}

/**
 * People n in [lo, hi]. Hire dates are date-only (midnight UTC), uniform over the pass day ±730 days;
 * 12% have a leave date (also ±2 years, after the hire; one in five an instant at 17:30 local time);
 * some old leavers are soft-deleted. Pre-hires and people past their last day are disabled. Everyone
 * but the first ten reports to person n / 10 (so 10% are managers). 2% have no time zone.
 */
function insertSlice(lo: number, hi: number, m: Moments) {
  const zones = places.map((p) => p[0]);
  const countries = places.map((p) => p[1]);
  const languages = places.map((p) => p[2]);
  const pick = (list: readonly string[], mul: number) =>
    sql`(${list}::text[])[1 + ((s.n * ${mul}::bigint + ${SEED}::bigint) % 1000003) % ${list.length}]`;
  const bits = (from: number) => sql`('x' || substr(a.a, ${from}, 7))::bit(28)::int`;
  const day = sql`${m.passDay}::date`;
  return sql`
    insert into users (id, user_name, external_id, employee_id, given_name, family_name, display_name, emails,
                       title, department, cost_center, company_name, employee_type, manager_id,
                       employee_hire_date, employee_leave_date_time, account_enabled, timezone,
                       preferred_language, usage_location, personal_email, created_at, updated_at, version,
                       deleted_at)
    select ${uuidFrom(sql.ref('s.h'), sql.ref('s.n'))},
           p.login || '@acme.example', 'WD-' || s.n, 'E' || lpad(s.n::text, 7, '0'),
           p.given, p.family, p.given || ' ' || p.family,
           jsonb_build_array(jsonb_build_object('value', p.login || '@acme.example', 'type', 'work', 'primary', true)),
           (${titles}::text[])[1 + (s.r3 / 70) % ${titles.length}],
           (${[...departments]}::text[])[1 + (s.r3 / 7) % ${departments.length}],
           'CC-' || (100 + s.r3 % 400), 'Acme Group',
           case when s.n % 7 = 0 then 'Contractor' when s.n % 53 = 0 then 'Intern' else 'Employee' end,
           case when s.n > 10 then ${uuidFrom(sql.ref('s.mh'), sql`(s.n / 10)`)} end,
           d.hire_day::timestamp at time zone 'UTC',
           case when l.leave_day is null then null
                when s.r3 % 5 = 0 then (l.leave_day + time '17:30') at time zone coalesce(p.zone, 'UTC')
                else l.leave_day::timestamp at time zone 'UTC' end,
           d.hire_day <= ${day} - 2 and (l.leave_day is null or l.leave_day >= ${day} + 1),
           p.zone, (${languages}::text[])[s.zi], (${countries}::text[])[s.zi],
           case when s.r1 % 2 = 0 then p.login || '@mail.example' end,
           p.created, p.created, 1,
           case when l.leave_day < ${day} - 60 and s.r0 % 10 = 3 then (l.leave_day + 45)::timestamp at time zone 'UTC' end
      from (select g.n, md5(${SEED}::text || ':' || g.n) as h, md5(${SEED}::text || ':' || (g.n / 10)) as mh,
                   ${bits(1)} as r0, ${bits(8)} as r1, ${bits(15)} as r2, ${bits(22)} as r3,
                   1 + ${bits(1)} % ${places.length} as zi
              from generate_series(${lo}::bigint, ${hi}::bigint) as g(n),
                   lateral (select md5('attr:' || g.n) as a) a) s
      cross join lateral (select ${day} + (s.r1 % 1461 - 730) as hire_day) d
      cross join lateral (
        select case when s.r2 % 100 < 12 then
                 case when ${day} + ((s.r2 / 100) % 1461 - 730) > d.hire_day
                      then ${day} + ((s.r2 / 100) % 1461 - 730)
                      else d.hire_day + 30 + s.r3 % 700 end
               end as leave_day) l
      cross join lateral (
        select ${pick(givenNames, 2_654_435_761)} as given, ${pick(familyNames, 2_246_822_519)} as family,
               case when s.r0 % 50 = 0 then null else (${zones}::text[])[s.zi] end as zone,
               least((d.hire_day::timestamp at time zone 'UTC') - make_interval(days => 1 + s.r1 % 60),
                     ${m.created}::timestamptz - interval '1 day' - make_interval(secs => s.r2 % 86400)) as created) p0
      cross join lateral (
        select p0.*, lower(p0.given || '.' || p0.family || '.' || s.n) as login) p`;
}

export interface GroupSet {
  /** Department groups ("Dept: Sales"), every live person is a direct member of theirs. */
  department: Record<string, string>;
  /** Empty at the start: joiners are added to them. */
  onboarding: Record<string, string>;
  newJoiners: string;
  mentoring: string;
  securityTraining: string;
  contractors: string;
  managers: string;
  remote: string;
  remoteKit: string;
}

/** Groups and their memberships (department for everyone; a few programme groups by rule). */
async function loadGroups(db: Db, m: Moments): Promise<{ groups: GroupSet; count: number }> {
  const rows: { id: string; name: string }[] = [];
  const add = (name: string) => {
    const id = newId(m.created.getTime() - 400 * DAY_MS + rows.length);
    rows.push({ id, name });
    return id;
  };
  const department = Object.fromEntries(departments.map((d) => [d, add(`Dept: ${d}`)]));
  const onboarding = Object.fromEntries(departments.map((d) => [d, add(`Onboarding: ${d}`)]));
  const groups: GroupSet = {
    department,
    onboarding,
    newJoiners: add('New joiners'),
    mentoring: add('Mentoring programme'),
    securityTraining: add('Security training'),
    contractors: add('Contractors'),
    managers: add('People managers'),
    remote: add('Remote workers'),
    remoteKit: add('Remote kit shipped'),
  };
  const at = new Date(m.created.getTime() - 400 * DAY_MS);
  await db
    .insertInto('groups')
    .values(
      rows.map((r) => ({
        id: r.id,
        display_name: r.name,
        description: null,
        external_id: `grp-${r.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`,
        created_at: at,
        updated_at: at,
        version: 1,
      })),
    )
    .execute();
  const member = (groupId: string, where: Sql) =>
    sql`insert into group_members (group_id, member_user_id, created_at)
        select ${groupId}::uuid, u.id, u.created_at from users u where u.deleted_at is null and ${where}`.execute(
      db,
    );
  const num = sql`substr(u.employee_id, 2)::bigint`;
  for (const d of departments) await member(department[d] as string, sql`u.department = ${d}`);
  await member(
    groups.newJoiners,
    sql`u.employee_hire_date >= ${m.passDay}::date - 90 and u.employee_hire_date < ${m.passDay}::date - 1`,
  );
  await member(groups.mentoring, sql`(${num} * 2654435761) % 33 = 0`);
  await member(groups.securityTraining, sql`(${num} * 2246822519) % 97 = 0`);
  await member(groups.contractors, sql`u.employee_type = 'Contractor'`);
  await member(groups.managers, sql`${num} * 10 <= (select count(*) from users)`);
  await member(groups.remote, sql`(${num} * 3266489917) % 10 = 3`);
  const { rows: n } = await sql<{ n: number }>`select count(*)::int as n from group_members`.execute(db);
  return { groups, count: n[0]?.n ?? 0 };
}

export interface LoadReport {
  insertS: number;
  groupsS: number;
  indexesS: number;
  statisticsS: number;
  memberships: number;
  groups: GroupSet;
}

async function secondaryIndexes(db: Db, table: string) {
  const { rows } = await sql<{ name: string; def: string }>`
    select indexname as name, indexdef as def from pg_indexes
     where schemaname = current_schema() and tablename = ${table}
       and indexname not in (select conname from pg_constraint where conrelid = ${table}::regclass)`.execute(
    db,
  );
  return rows;
}

/**
 * People 1..count, then groups and memberships. Secondary indexes of users and group_members are
 * dropped for the load and rebuilt from the catalogue's own definitions (the migrations' DDL), then
 * statistics: on one pinned connection so maintenance_work_mem applies to every build.
 */
export async function loadDirectory(
  database: Database,
  count: number,
  m: Moments,
  log: (line: string) => void,
): Promise<LoadReport> {
  return database.db.connection().execute(async (db: Db) => {
    const indexes = [
      ...(await secondaryIndexes(db, 'users')),
      ...(await secondaryIndexes(db, 'group_members')),
    ];
    for (const index of indexes) await sql`drop index ${sql.id(index.name)}`.execute(db);
    const insertS = await seconds(async () => {
      for (let lo = 1; lo <= count; lo += CHUNK) {
        const hi = Math.min(count, lo + CHUNK - 1);
        await insertSlice(lo, hi, m).execute(db);
        if (hi % 200_000 === 0 || hi === count) log(`  inserted ${fmtInt(hi)} users`);
        await yieldToEventLoop();
      }
    });
    let loaded: { groups: GroupSet; count: number } | undefined;
    const groupsS = await seconds(async () => {
      loaded = await loadGroups(db, m);
    });
    if (!loaded) throw new Error('groups were not loaded');
    await sql`set maintenance_work_mem = '512MB'`.execute(db);
    const indexesS = await seconds(async () => {
      for (const index of indexes) {
        await sql.raw(index.def).execute(db);
        await yieldToEventLoop();
      }
    });
    await sql`reset maintenance_work_mem`.execute(db);
    // PostgreSQL: VACUUM sets the visibility map as autovacuum would have by then. PGlite has no
    // autovacuum: ANALYZE only, as its users get.
    const statisticsS = await seconds(async () => {
      const verb = database.engine === 'postgres' ? 'vacuum analyze' : 'analyze';
      for (const t of ['users', 'groups', 'group_members']) await sql.raw(`${verb} ${t}`).execute(db);
    });
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from users`.execute(db);
    if (rows[0]?.n !== count) throw new Error(`loaded ${rows[0]?.n ?? 0} users, expected ${count}`);
    return { insertS, groupsS, indexesS, statisticsS, memberships: loaded.count, groups: loaded.groups };
  });
}

// ---------------------------------------------------------------------------------------------------
// Workflows

/** Which people a time-based workflow selects, as the ceiling writes it (plain SQL on `users`). */
export type CeilingScope =
  | { kind: 'all' }
  | { kind: 'column'; column: 'department' | 'usage_location' | 'employee_type'; value: string }
  | { kind: 'group'; groupId: string; department?: string };

export interface WorkflowPlan {
  input: WorkflowInput;
  /** Set for enabled time-based workflows: what the pass must select. */
  timed?: {
    attribute: 'employeeHireDate' | 'employeeLeaveDateTime';
    offsetInDays: number;
    timeOfDay: string;
    scope: CeilingScope;
  };
}

type Task = WorkflowInput['tasks'][number];
const task = (name: string, extra: Partial<Task> = {}): Task => ({ task: name, ...extra });
const addTo = (...groupIds: string[]) => task('addUserToGroups', { arguments: { groupIds } });
const removeFrom = (...groupIds: string[]) =>
  task('removeUserFromSelectedGroups', { arguments: { groupIds } });

function timed(
  name: string,
  category: 'joiner' | 'mover' | 'leaver',
  attribute: 'employeeHireDate' | 'employeeLeaveDateTime',
  offsetInDays: number,
  timeOfDay: string,
  scope: CeilingScope,
  tasks: Task[],
  enabled = true,
): WorkflowPlan {
  const scopeInput: WorkflowInput['scope'] =
    scope.kind === 'all'
      ? {}
      : scope.kind === 'column'
        ? {
            rule: `${{ department: 'department', usage_location: 'usageLocation', employee_type: 'employeeType' }[scope.column]} eq '${scope.value}'`,
          }
        : {
            groupIds: [scope.groupId],
            ...(scope.department ? { rule: `department eq '${scope.department}'` } : {}),
          };
  return {
    input: {
      name,
      description: `benchmark: ${attribute} ${offsetInDays >= 0 ? '+' : ''}${offsetInDays} days at ${timeOfDay}`,
      category,
      enabled,
      scope: scopeInput,
      trigger: { type: 'timeBasedAttribute', timeBasedAttribute: attribute, offsetInDays, timeOfDay },
      tasks,
    },
    ...(enabled ? { timed: { attribute, offsetInDays, timeOfDay, scope } } : {}),
  };
}

const dept = (value: string): CeilingScope => ({ kind: 'column', column: 'department', value });
const country = (value: string): CeilingScope => ({ kind: 'column', column: 'usage_location', value });
const ALL: CeilingScope = { kind: 'all' };
const intern: CeilingScope = { kind: 'column', column: 'employee_type', value: 'Intern' };

/**
 * The canonical mix of 100: 83 time-based (hire and leave dates, offsets from -14 to +180 days, times
 * of day from 00:00 to 24:00, scoped by department, country, employee type or group; 2 of them
 * disabled), and 17 that a pass does not look at (attribute change, group membership change, on demand).
 * Tasks are the built-in directory ones.
 */
function canonical(g: GroupSet): WorkflowPlan[] {
  const out: WorkflowPlan[] = [];
  const times = ['00:00', '07:00', '08:30'];
  departments.forEach((d, i) => {
    out.push(
      timed(`Onboard new hire: ${d}`, 'joiner', 'employeeHireDate', 0, times[i % 3] as string, dept(d), [
        task('enableUserAccount'),
        addTo(g.onboarding[d] as string),
      ]),
      timed(`Pre-hire set-up: ${d}`, 'joiner', 'employeeHireDate', -14, '09:00', dept(d), [
        addTo(g.department[d] as string),
      ]),
      timed(`First month done: ${d}`, 'joiner', 'employeeHireDate', 30, '10:00', dept(d), [
        removeFrom(g.onboarding[d] as string),
      ]),
      timed(`Offboard: ${d}`, 'leaver', 'employeeLeaveDateTime', 0, '24:00', dept(d), [
        task('disableUserAccount'),
        task('removeUserFromAllGroups', { continueOnError: true }),
      ]),
      timed(`Pre-offboarding: ${d}`, 'leaver', 'employeeLeaveDateTime', -7, '09:00', dept(d), [
        removeFrom(g.mentoring),
      ]),
    );
  });
  out.push(
    timed('New joiners cohort', 'joiner', 'employeeHireDate', 0, '06:00', ALL, [addTo(g.newJoiners)]),
    timed('New joiners cohort ends', 'joiner', 'employeeHireDate', 90, '00:00', ALL, [
      removeFrom(g.newJoiners),
    ]),
    timed('Mentoring enrolment', 'joiner', 'employeeHireDate', 7, '09:00', ALL, [addTo(g.mentoring)]),
    timed(
      'Security training (employees)',
      'joiner',
      'employeeHireDate',
      3,
      '12:00',
      {
        kind: 'column',
        column: 'employee_type',
        value: 'Employee',
      },
      [addTo(g.securityTraining)],
    ),
    timed(
      'Contractor start',
      'joiner',
      'employeeHireDate',
      0,
      '08:00',
      {
        kind: 'column',
        column: 'employee_type',
        value: 'Contractor',
      },
      [task('enableUserAccount'), addTo(g.contractors)],
    ),
    timed('Remote kit', 'joiner', 'employeeHireDate', -10, '09:00', { kind: 'group', groupId: g.remote }, [
      addTo(g.remoteKit),
    ]),
    timed(
      'Remote engineers kit',
      'joiner',
      'employeeHireDate',
      -12,
      '09:00',
      {
        kind: 'group',
        groupId: g.remote,
        department: 'Engineering',
      },
      [addTo(g.remoteKit)],
    ),
    timed('Six-month review', 'mover', 'employeeHireDate', 180, '09:00', ALL, [removeFrom(g.mentoring)]),
    timed(
      'Managers cohort',
      'mover',
      'employeeHireDate',
      60,
      '09:00',
      { kind: 'group', groupId: g.managers },
      [addTo(g.mentoring)],
    ),
    timed('Disable leavers (safety net)', 'leaver', 'employeeLeaveDateTime', 1, '00:00', ALL, [
      task('disableUserAccount'),
    ]),
    timed('Post-offboarding clean-up', 'leaver', 'employeeLeaveDateTime', 7, '09:00', ALL, [
      task('removeUserFromAllGroups'),
    ]),
    timed('Final clean-up', 'leaver', 'employeeLeaveDateTime', 30, '02:00', ALL, [
      task('removeUserFromAllGroups'),
    ]),
    timed(
      'Contractor end',
      'leaver',
      'employeeLeaveDateTime',
      0,
      '18:00',
      {
        kind: 'column',
        column: 'employee_type',
        value: 'Contractor',
      },
      [task('disableUserAccount'), task('removeUserFromAllGroups')],
    ),
    timed('Interns start', 'joiner', 'employeeHireDate', 0, '09:00', intern, [task('enableUserAccount')]),
    timed('Interns end', 'leaver', 'employeeLeaveDateTime', 0, '17:00', intern, [task('disableUserAccount')]),
    // Switched off by an admin: a pass must skip them.
    timed(
      'Old onboarding (retired)',
      'joiner',
      'employeeHireDate',
      0,
      '00:00',
      ALL,
      [task('enableUserAccount')],
      false,
    ),
    timed(
      'Old offboarding (retired)',
      'leaver',
      'employeeLeaveDateTime',
      0,
      '24:00',
      ALL,
      [task('disableUserAccount')],
      false,
    ),
  );
  for (const [cc, at] of [
    ['FR', '08:00'],
    ['DE', '08:00'],
    ['US', '09:00'],
    ['GB', '09:00'],
    ['IN', '10:00'],
    ['JP', '09:30'],
    ['BR', '08:00'],
    ['AU', '08:30'],
  ] as const) {
    out.push(
      timed(`Local pre-hire enable: ${cc}`, 'joiner', 'employeeHireDate', -1, '17:00', country(cc), [
        task('enableUserAccount'),
      ]),
      timed(
        `Local leaver: ${cc}`,
        'leaver',
        'employeeLeaveDateTime',
        0,
        at === '08:00' ? '20:00' : '19:00',
        country(cc),
        [task('disableUserAccount')],
      ),
    );
  }
  // A pass does not look at these: events and on-demand requests start them.
  for (const d of departments)
    out.push({
      input: {
        name: `Transfer into ${d}`,
        category: 'mover',
        scope: { rule: `department eq '${d}'` },
        trigger: { type: 'attributeChange', triggerAttributes: ['department'] },
        tasks: [task('removeUserFromAllGroups'), addTo(g.department[d] as string)],
      },
    });
  out.push(
    {
      input: {
        name: 'Title change',
        category: 'mover',
        trigger: { type: 'attributeChange', triggerAttributes: ['title', 'managerId'] },
        tasks: [removeFrom(g.mentoring)],
      },
    },
    {
      input: {
        name: 'Contractor group joined',
        category: 'mover',
        scope: { groupIds: [g.contractors] },
        trigger: { type: 'membershipChange', changeType: 'add' },
        tasks: [removeFrom(g.securityTraining)],
      },
    },
    {
      input: {
        name: 'Remote group left',
        category: 'mover',
        scope: { groupIds: [g.remote] },
        trigger: { type: 'membershipChange', changeType: 'remove' },
        tasks: [removeFrom(g.remoteKit)],
      },
    },
    {
      input: {
        name: 'Terminate now',
        category: 'leaver',
        trigger: { type: 'onDemand' },
        tasks: [task('removeUserFromAllGroups'), task('disableUserAccount')],
      },
    },
    {
      input: {
        name: 'Re-enable account',
        category: 'mover',
        trigger: { type: 'onDemand' },
        tasks: [task('enableUserAccount')],
      },
    },
    {
      input: {
        name: 'Suspend account',
        category: 'mover',
        trigger: { type: 'onDemand' },
        tasks: [task('disableUserAccount')],
      },
    },
    {
      input: {
        name: 'Join the mentoring programme',
        category: 'joiner',
        trigger: { type: 'onDemand' },
        tasks: [addTo(g.mentoring)],
      },
    },
  );
  return out;
}

/**
 * `count` workflows keeping the canonical mix: an evenly spaced subset below 100, the canonical set
 * repeated (names numbered) above it.
 */
export function workflowPlans(g: GroupSet, count: number): WorkflowPlan[] {
  const base = canonical(g);
  const out: WorkflowPlan[] = [];
  for (let i = 0; i < count; i++) {
    const k = count <= base.length ? Math.floor((i * base.length) / count) : i % base.length;
    const plan = base[k] as WorkflowPlan;
    const round = count <= base.length ? 0 : Math.floor(i / base.length);
    out.push(
      round === 0 ? plan : { ...plan, input: { ...plan.input, name: `${plan.input.name} #${round + 1}` } },
    );
  }
  return out;
}
