// Lifecycle workflows (B6): N people (default 1M on PostgreSQL) written by SQL into a fresh store, 100
// workflows created through the workflows module of an app built by createApp (mode 'serve': no
// background worker runs a pass or the executor behind the benchmark's back) on a fake clock, then:
//   pass  – one scheduler pass (app.workflows.pass(), what the cron job runs) whose window is the day
//           since the workflows were made: thousands of people are due. Time and runs made; then a
//           second pass one minute later, the steady state of the every-minute schedule.
//   tasks – app.workflows.executeDue() runs everything the passes queued (built-in directory tasks:
//           enable/disable the account, add to / remove from groups): tasks completed per second.
//   mail  – an on-demand welcome pack (activation code, welcome e-mail) for a sample of people: mail
//           tasks completed per second (workflows-mail.ts).
// Beside each, the raw ceiling measured in the same run on the same store: for the pass, one plain
// SQL count per workflow of the same due people (best of one run before and one after Joinery's pass;
// every count must equal the runs Joinery made for that workflow); for the tasks, as many single-row
// autocommit `UPDATE workflow_runs ... RETURNING id` transactions as Joinery completed tasks, at the
// executor's concurrency (best of one run before and one after; the same on the people's users rows
// for the analysis).
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config/index.ts';
import { fakeClock, silentLogger, systemContext } from '../src/core/index.ts';
import { type Database, type Engine, openDatabase } from '../src/db/index.ts';
import { type CpuUse, cpuBetween, sampleCpu } from './scim-drive.ts';
import {
  fmtInt,
  fmtSec,
  machineLine,
  parseEngines,
  pgliteVersion,
  scratchServerStore,
  seconds,
  serverVersion,
  table,
} from './support.ts';
import {
  createCeilingRunsTable,
  dropCeilingRunsTable,
  type PassCeiling,
  passCeiling,
  type TaskCeiling,
  taskCeiling,
} from './workflows-ceiling.ts';
import { type LoadReport, loadDirectory, type Moments, moments, workflowPlans } from './workflows-data.ts';
import { benchMailTasks, type MailResult, printMail } from './workflows-mail.ts';
import { Capture, type Captured, explain, short, statementTable } from './workflows-profile.ts';

export const description =
  'lifecycle workflows: one scheduler pass over 1M people and built-in task throughput vs plain SQL';

const usage = `npm run bench -- workflows [options]
  --engine E      postgres | pglite | both (default postgres)
  --users N       people in the directory (default 1000000 on PostgreSQL, 100000 on PGlite)
  --workflows N   workflows created (default 100: 81 enabled time-based, 2 disabled, 17 event/on-demand)
  --at ISO        the moment of the measured pass (default 2026-06-15T12:00:00Z); the workflows are
                  made one day earlier, so the pass covers one day of hire and leave dates
  --profile       record every statement Joinery sends (adds a little overhead): statements per pass
                  and per task, where their time goes, and EXPLAIN ANALYZE of the slowest pass statement
  --mail N        people given the on-demand welcome pack (an activation code and the welcome e-mail)
                  after the directory tasks, for mail tasks/s (default 2000; 0 skips it)
PostgreSQL: a scratch database is created through BENCH_DATABASE_URL
(default postgres://postgres@127.0.0.1:5432/postgres) and dropped afterwards; PGlite: a temp folder.`;

const PASS_GOAL_S = 10;
const TASKS_GOAL = 1000;
const GOAL_USERS = 1_000_000;

interface Options {
  users: number | null;
  workflows: number;
  at: string;
  profile: boolean;
  mail: number;
}

interface EngineResult {
  users: number;
  load: LoadReport;
  createS: number;
  timed: number;
  passS: number;
  passRuns: number;
  passWorkflows: number;
  secondS: number;
  secondRuns: number;
  ceilCount: PassCeiling[];
  ceilInsert: PassCeiling;
  mismatches: string[];
  execS: number;
  executedRuns: number;
  tasks: Record<string, number>;
  runs: Record<string, number>;
  concurrency: number;
  ceilRuns: TaskCeiling[];
  ceilUsers: TaskCeiling[];
  /** CPU of this process (the app) and of every local postgres process during executeDue, and during the first runs ceiling. */
  execCpu: CpuUse;
  ceilCpu: CpuUse;
  ceilCpuS: number;
  profile: string[];
  mail: MailResult | null;
}

const best = <T extends { s: number }>(xs: readonly T[]): T =>
  xs.reduce((a, b) => (b.s < a.s ? b : a), xs[0] as T);

async function countBy(database: Database, tableName: 'workflow_runs' | 'workflow_task_results') {
  const { rows } = await sql<{ status: string; n: number }>`
    select status, count(*)::integer as n from ${sql.table(tableName)} group by status order by status`.execute(
    database.db,
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

async function benchEngine(engine: Engine, options: Options): Promise<EngineResult> {
  const users = options.users ?? (engine === 'postgres' ? 1_000_000 : 100_000);
  const m: Moments = moments(options.at);
  const store = await scratchServerStore(engine, 'workflows');
  let own: Database | undefined;
  let stopApp: (() => Promise<void>) | undefined;
  try {
    console.log(`\n${engine}: ${await serverVersion(store.database)}; store ${store.location}`);
    const load = await loadDirectory(store.database, users, m, (line) => console.log(`${engine}:${line}`));
    console.log(
      `${engine}: ${fmtInt(users)} people inserted in ${fmtSec(load.insertS)} s, groups and ` +
        `${fmtInt(load.memberships)} memberships in ${fmtSec(load.groupsS)} s, indexes rebuilt in ` +
        `${fmtSec(load.indexesS)} s, statistics in ${fmtSec(load.statisticsS)} s`,
    );

    // The app's own handle, as `joinery start` opens it (PostgreSQL: a pool of the configured size).
    const poolSize = 10;
    own =
      engine === 'postgres' && store.url
        ? await openDatabase({ engine: 'postgres', url: store.url, poolSize })
        : undefined;
    const base = own ?? store.database;
    const capture = new Capture(base.db);
    const database: Database = options.profile ? { ...base, db: base.db.withPlugin(capture) } : base;
    const config = loadConfig({
      JOINERY_DATA_DIR: store.dataDir,
      JOINERY_PORT: '0',
      // The benchmark calls the passes itself.
      JOINERY_WORKFLOWS_SCHEDULE: '0 0 1 1 *',
      ...(store.url ? { DATABASE_URL: store.url, JOINERY_DATABASE_POOL_SIZE: String(poolSize) } : {}),
    });
    const clock = fakeClock(m.created);
    const app = await createApp(config, { logger: silentLogger, mode: 'serve', clock, database });
    stopApp = () => app.stop();
    await app.start();
    const concurrency = config.databaseUrl ? 4 : 1;

    // A pass with no workflow yet: the process has run passes before in production (zone list cached).
    await app.workflows.pass();

    const plans = workflowPlans(load.groups, options.workflows);
    const ctx = systemContext('bench-workflows');
    const ids: string[] = [];
    const createS = await seconds(async () => {
      for (const plan of plans) {
        const made = await app.workflows.create(ctx, plan.input);
        if (!made.ok) throw new Error(`creating "${plan.input.name}" failed: ${made.error.message}`);
        ids.push(made.value.id);
      }
    });
    const timed = plans.filter((p) => p.timed).length;
    console.log(
      `${engine}: ${plans.length} workflows created through app.workflows.create in ${fmtSec(createS)} s ` +
        `(${timed} enabled time-based) at ${m.created.toISOString()}; app mode 'serve', executor concurrency ${concurrency}`,
    );

    clock.set(m.pass);
    const window = { since: m.created, now: m.pass, defaultZone: config.defaultTimezone };
    const ceilCount: PassCeiling[] = [await passCeiling(base.db, plans, window, 'count', ids)];
    console.log(`  ceiling count (before): ${fmtSec(ceilCount[0]?.s ?? 0)} s`);

    if (options.profile) capture.start();
    let pass: Awaited<ReturnType<typeof app.workflows.pass>> | undefined;
    const passS = await seconds(async () => {
      pass = await app.workflows.pass();
    });
    const passStatements = options.profile ? capture.stop() : undefined;
    if (!pass) throw new Error('no pass result');
    console.log(
      `  joinery pass at ${m.pass.toISOString()}: ${fmtSec(passS)} s, ${fmtInt(pass.runs)} runs ` +
        `from ${pass.workflows} workflows`,
    );
    ceilCount.push(await passCeiling(base.db, plans, window, 'count', ids));
    console.log(`  ceiling count (after): ${fmtSec(ceilCount[1]?.s ?? 0)} s`);
    await createCeilingRunsTable(base.db);
    const ceilInsert = await passCeiling(base.db, plans, window, 'insert', ids);
    await dropCeilingRunsTable(base.db);
    console.log(`  ceiling count + insert: ${fmtSec(ceilInsert.s)} s`);

    // Every workflow made exactly the runs the plain SQL finds.
    const { rows: made } = await sql<{ workflow_id: string; n: number }>`
      select workflow_id, count(*)::integer as n from workflow_runs group by workflow_id`.execute(base.db);
    const madeBy = new Map(made.map((r) => [r.workflow_id, r.n]));
    const mismatches: string[] = [];
    plans.forEach((plan, i) => {
      const joinery = madeBy.get(ids[i] as string) ?? 0;
      const expected = ceilCount[0]?.counts.get(i) ?? 0;
      const again = ceilCount[1]?.counts.get(i) ?? 0;
      const inserted = ceilInsert.counts.get(i) ?? 0;
      if (joinery !== expected || again !== expected || inserted !== expected)
        mismatches.push(
          `"${plan.input.name}": joinery ${joinery} runs, ceiling ${expected}/${again}/${inserted} people`,
        );
    });
    if (mismatches.length > 0) console.log(`  CHECK FAILED for ${mismatches.length} workflows`);
    else console.log('  check: every workflow made exactly the runs the plain SQL selects');

    const profile: string[] = [];
    if (passStatements) profile.push(...(await passProfile(base, passStatements, passS, timed)));

    clock.advance(60_000);
    let second: Awaited<ReturnType<typeof app.workflows.pass>> | undefined;
    const secondS = await seconds(async () => {
      second = await app.workflows.pass();
    });
    console.log(`  joinery second pass, one minute later: ${fmtSec(secondS)} s, ${second?.runs ?? 0} runs`);

    // Tasks: the ceilings before and after Joinery's executor, as many transactions as tasks are due.
    const { rows: queued } = await sql<{ id: string; user_id: string; tasks: number }>`
      select r.id, r.user_id, jsonb_array_length(v.definition -> 'tasks')::integer as tasks
        from workflow_runs r join workflow_versions v on v.workflow_id = r.workflow_id and v.version = r.version
       where r.status = 'queued' order by r.created_at, r.id`.execute(base.db);
    const dueTasks = queued.reduce((a, r) => a + r.tasks, 0);
    const onRuns = { table: 'workflow_runs' as const, ids: queued.map((r) => r.id) };
    const onUsers = { table: 'users' as const, ids: queued.map((r) => r.user_id) };
    const withPostgres = engine === 'postgres';
    const measured = async <T>(fn: () => Promise<T>): Promise<{ value: T; cpu: CpuUse }> => {
      const before = sampleCpu(process.pid, withPostgres);
      const value = await fn();
      return { value, cpu: cpuBetween(before, sampleCpu(process.pid, withPostgres)) };
    };
    const ceilRuns: TaskCeiling[] = [];
    const ceilUsers: TaskCeiling[] = [];
    const ceilRunsFirst = await measured(() => taskCeiling(base.db, onRuns, dueTasks, concurrency, m.pass));
    ceilRuns.push(ceilRunsFirst.value);
    ceilUsers.push(await taskCeiling(base.db, onUsers, dueTasks, concurrency, m.pass));
    console.log(
      `  ceilings (before): ${fmtInt(dueTasks)} UPDATE workflow_runs in ${fmtSec(ceilRuns[0]?.s ?? 0)} s, ` +
        `UPDATE users in ${fmtSec(ceilUsers[0]?.s ?? 0)} s`,
    );
    if (options.profile) capture.start();
    let executedRuns = 0;
    let execS = 0;
    const exec = await measured(async () => {
      execS = await seconds(async () => {
        executedRuns = await app.workflows.executeDue();
      });
    });
    const execStatements = options.profile ? capture.stop() : undefined;
    const tasks = await countBy(base, 'workflow_task_results');
    const runs = await countBy(base, 'workflow_runs');
    console.log(
      `  joinery executeDue: ${fmtInt(executedRuns)} runs, tasks ${JSON.stringify(tasks)} in ${fmtSec(execS)} s; ` +
        `runs now ${JSON.stringify(runs)}`,
    );
    ceilRuns.push(await taskCeiling(base.db, onRuns, tasks.completed ?? 0, concurrency, m.pass));
    ceilUsers.push(await taskCeiling(base.db, onUsers, tasks.completed ?? 0, concurrency, m.pass));
    console.log(
      `  ceilings (after): UPDATE workflow_runs in ${fmtSec(ceilRuns[1]?.s ?? 0)} s, ` +
        `UPDATE users in ${fmtSec(ceilUsers[1]?.s ?? 0)} s`,
    );
    if (execStatements) {
      const done = tasks.completed ?? 0;
      const sqlS = execStatements.statements.reduce((a, s) => a + s.ms, 0) / 1000;
      profile.push(
        '',
        `executeDue: ${fmtInt(execStatements.statements.length)} compiled statements ` +
          `(${(execStatements.statements.length / Math.max(1, done)).toFixed(1)} per completed task), ` +
          `${fmtInt(execStatements.uncompiled)} pg-boss statements inside transactions, plus BEGIN/COMMIT of ` +
          `each transaction (one per group of runs at one task); statement time summed over ${concurrency} connection(s) ${fmtSec(sqlS)} s ` +
          `for ${fmtSec(execS)} s of wall time`,
        statementTable(execStatements.statements, execS, done, 'task'),
      );
    }

    // Mail tasks, after the directory tasks (and outside the profile): a welcome pack for a sample.
    const mail =
      options.mail > 0 ? await benchMailTasks(app, base.db, options.mail, concurrency, m.pass) : null;

    const result: EngineResult = {
      users,
      load,
      createS,
      timed,
      passS,
      passRuns: pass.runs,
      passWorkflows: pass.workflows,
      secondS,
      secondRuns: second?.runs ?? 0,
      ceilCount,
      ceilInsert,
      mismatches,
      execS,
      executedRuns,
      tasks,
      runs,
      concurrency,
      ceilRuns,
      ceilUsers,
      execCpu: exec.cpu,
      ceilCpu: ceilRunsFirst.cpu,
      ceilCpuS: ceilRunsFirst.value.s,
      profile,
      mail,
    };
    printEngine(engine, options, m, result);
    return result;
  } finally {
    await stopApp?.();
    await own?.close();
    await store.dispose();
  }
}

/** The pass's statements: a summary, and the plan of the slowest one (replayed, rolled back). */
async function passProfile(
  database: Database,
  recorded: { statements: Captured[]; uncompiled: number },
  passS: number,
  timed: number,
): Promise<string[]> {
  const { statements, uncompiled } = recorded;
  const sqlS = statements.reduce((a, s) => a + s.ms, 0) / 1000;
  const out = [
    `pass: ${statements.length} compiled statements (${uncompiled} pg-boss), ${fmtSec(sqlS)} s of the ` +
      `${fmtSec(passS)} s; BEGIN/COMMIT of one transaction per time-based workflow not counted`,
    statementTable(statements, passS, timed, 'workflow'),
  ];
  const slowest = [...statements].sort((a, b) => b.ms - a.ms)[0];
  if (slowest) {
    out.push(
      '',
      `slowest pass statement (${slowest.ms.toFixed(1)} ms): ${short(slowest.text, 120)}`,
      'EXPLAIN (ANALYZE, BUFFERS), replayed after the pass in a transaction rolled back (its runs exist,',
      'so the insert finds conflicts instead of writing):',
      ...(await explain(database.db, slowest)).map((l) => `    ${l}`),
    );
  }
  return out;
}

const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');
const pct = (ceilingS: number, s: number) => `${((ceilingS / s) * 100).toFixed(0)}%`;

function printEngine(engine: Engine, options: Options, m: Moments, r: EngineResult): void {
  const ceil = best(r.ceilCount);
  const due = [...(r.ceilCount[0]?.counts.values() ?? [])].reduce((a, b) => a + b, 0);
  console.log(
    `\n${engine}, ${fmtInt(r.users)} people, ${options.workflows} workflows (${r.timed} enabled time-based), ` +
      `pass window ${m.created.toISOString()} – ${m.pass.toISOString()}`,
  );
  console.log(
    table(
      ['pass', 's', 'runs', 'runs/s', 'vs ceiling'],
      [
        [
          'ceiling: plain count per workflow (best of 2)',
          fmtSec(ceil.s),
          fmtInt(due),
          fmtInt(due / ceil.s),
          '100%',
        ],
        [
          'ceiling + insert of the runs (analysis)',
          fmtSec(r.ceilInsert.s),
          fmtInt(due),
          fmtInt(due / r.ceilInsert.s),
          pct(ceil.s, r.ceilInsert.s),
        ],
        [
          'joinery pass (one day of dates)',
          fmtSec(r.passS),
          fmtInt(r.passRuns),
          fmtInt(r.passRuns / r.passS),
          pct(ceil.s, r.passS),
        ],
        ['joinery second pass (one minute later)', fmtSec(r.secondS), fmtInt(r.secondRuns), '-', '-'],
      ],
    ),
  );
  console.log(
    `ceiling runs: ${r.ceilCount.map((c) => fmtSec(c.s)).join(' s, ')} s. pass = app.workflows.pass(): abandoned-run recovery, ` +
      'callback expiry, then one transaction per time-based workflow (select due people, insert runs, move the\n' +
      'watermark, queue the executor job).',
  );
  if (r.mismatches.length > 0) {
    console.log(`CHECK FAILED: runs made differ from the plain SQL for ${r.mismatches.length} workflows:`);
    for (const line of r.mismatches.slice(0, 20)) console.log(`  ${line}`);
    process.exitCode = 1;
  }
  const completed = r.tasks.completed ?? 0;
  const cr = best(r.ceilRuns);
  const cu = best(r.ceilUsers);
  const rate = completed / r.execS;
  console.log(
    `\n${engine} tasks: ${fmtInt(r.executedRuns)} runs executed by app.workflows.executeDue(), executor concurrency ${r.concurrency}`,
  );
  const ceilingRow = (label: string, c: TaskCeiling) => [
    label,
    fmtInt(c.transactions),
    fmtSec(c.s),
    fmtInt(c.transactions / c.s),
    `${((c.transactions / c.s / (cr.transactions / cr.s)) * 100).toFixed(0)}%`,
  ];
  console.log(
    table(
      ['tasks', 'tasks', 's', 'tasks/s', 'vs ceiling'],
      [
        ceilingRow(`ceiling: UPDATE workflow_runs ... RETURNING, ${r.concurrency} at a time (best of 2)`, cr),
        ceilingRow('ceiling on users rows (analysis; best of 2)', cu),
        [
          'joinery executeDue (completed tasks)',
          fmtInt(completed),
          fmtSec(r.execS),
          fmtInt(rate),
          `${((rate / (cr.transactions / cr.s)) * 100).toFixed(0)}%`,
        ],
      ],
    ),
  );
  const cpu = (c: CpuUse, s: number) =>
    `this process ${fmtSec(c.client / 1000)} s${c.postgres === undefined ? '' : `, postgres ${fmtSec(c.postgres / 1000)} s`} ` +
    `over ${fmtSec(s)} s`;
  console.log(
    `task results ${JSON.stringify(r.tasks)}; runs ${JSON.stringify(r.runs)}. Ceilings: one autocommit statement each, ` +
      `on the runs' rows / people in turn; workflow_runs ${r.ceilRuns.map((c) => `${fmtSec(c.s)} s`).join(', ')}, ` +
      `users ${r.ceilUsers.map((c) => `${fmtSec(c.s)} s`).join(', ')}.\nCPU (${availableParallelism()} cores): executeDue ` +
      `${cpu(r.execCpu, r.execS)}; first workflow_runs ceiling ${cpu(r.ceilCpu, r.ceilCpuS)} ` +
      '(postgres = every local postgres process, other databases included).',
  );
  if (r.profile.length > 0) console.log(`\n${engine} profile:\n${r.profile.join('\n')}`);
  if (r.mail) printMail(engine, r.mail, r.concurrency);
  const note = engine === 'postgres' ? '' : ' (the goals are set for PostgreSQL; shown for reference)';
  const scale =
    r.users === GOAL_USERS
      ? ''
      : ` (the goals are for ${fmtInt(GOAL_USERS)} people; this run has ${fmtInt(r.users)})`;
  console.log(`\n${engine} goals${note}${scale}:`);
  console.log(
    `  ${verdict(r.passS < PASS_GOAL_S)} one scheduler pass under ${PASS_GOAL_S} s: ${fmtSec(r.passS)} s`,
  );
  console.log(
    `  ${verdict(rate >= TASKS_GOAL)} at least ${fmtInt(TASKS_GOAL)} tasks/s: ${fmtInt(rate)} tasks/s`,
  );
}

function positive(name: string, raw: string): number {
  const n = Number(raw);
  if (!(n > 0) || !Number.isInteger(n)) throw new Error(`--${name} must be a positive integer, not "${raw}"`);
  return n;
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      engine: { type: 'string', default: 'postgres' },
      users: { type: 'string' },
      workflows: { type: 'string', default: '100' },
      at: { type: 'string', default: '2026-06-15T12:00:00Z' },
      profile: { type: 'boolean', default: false },
      mail: { type: 'string', default: '2000' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const engines = parseEngines(values.engine);
  if (Number.isNaN(new Date(values.at).getTime()))
    throw new Error(`--at must be an ISO instant, not "${values.at}"`);
  const options: Options = {
    users: values.users === undefined ? null : positive('users', values.users),
    workflows: positive('workflows', values.workflows),
    at: values.at,
    profile: values.profile,
    mail: values.mail === '0' ? 0 : positive('mail', values.mail),
  };
  console.log(
    `workflows benchmark: ${options.users === null ? 'default population' : `${fmtInt(options.users)} people`}, ` +
      `${options.workflows} workflows, pass at ${options.at}${options.profile ? ', --profile' : ''}, PGlite ${pgliteVersion()}`,
  );
  console.log(machineLine());
  for (const engine of engines) await benchEngine(engine, options);
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(`\nload average at the end: ${load} (other work on the machine slows every figure)`);
}
