// Raw ceilings of the lifecycle-workflows benchmark (B6), measured on the same store in the same run:
//   pass  – per enabled time-based workflow, one plain SQL statement over `users` selecting the people
//           whose moment (hire/leave calendar day + offset, at the time of day in their zone) falls in
//           the pass window: the same index range as the scheduler, the scope as a plain predicate, no
//           zone check, no transaction, no job. `count` only, and (for the analysis) `insert` of the
//           same rows into a copy of workflow_runs with its indexes.
//   tasks – N single-row `UPDATE ... RETURNING id` transactions (autocommit) at the executor's
//           concurrency, on the runs' own rows (and, for the analysis, on their people's users rows):
//           one write and one commit per task, nothing else.
import { type RawBuilder, sql } from 'kysely';
import { DAY_MS } from '../src/core/index.ts';
import type { Db } from '../src/db/index.ts';
import type { CeilingScope, WorkflowPlan } from './workflows-data.ts';

type Sql = RawBuilder<unknown>;
type Timed = NonNullable<WorkflowPlan['timed']>;

const columnOf = {
  employeeHireDate: 'employee_hire_date',
  employeeLeaveDateTime: 'employee_leave_date_time',
} as const;

function scopeSql(scope: CeilingScope): Sql {
  if (scope.kind === 'all') return sql`true`;
  if (scope.kind === 'column') return sql`${sql.ref(scope.column)} = ${scope.value}`;
  const inGroup = sql`id in (select member_user_id from group_members
                              where group_id = ${scope.groupId}::uuid and member_user_id is not null)`;
  return scope.department ? sql`(${inGroup} and department = ${scope.department})` : inGroup;
}

/** The due people of one workflow as `(id, day, fire_at)` rows. */
function dueSql(t: Timed, since: Date, now: Date, defaultZone: string): Sql {
  const column = sql.ref(columnOf[t.attribute]);
  const k = t.offsetInDays;
  const lo = new Date(since.getTime() - (k + 3) * DAY_MS);
  const hi = new Date(now.getTime() - (k - 3) * DAY_MS);
  return sql`
    select id, day, ((day + ${k}::integer)::timestamp + ${t.timeOfDay}::interval) at time zone zone as fire_at
      from (select id, coalesce(timezone, ${defaultZone}::text) as zone,
                   case when (${column} at time zone 'UTC')::time = time '00:00' then (${column} at time zone 'UTC')::date
                        else (${column} at time zone coalesce(timezone, ${defaultZone}::text))::date end as day
              from users
             where deleted_at is null and ${column} between ${lo} and ${hi} and ${scopeSql(t.scope)}) c`;
}

export interface PassCeiling {
  s: number;
  /** Due people per plan index (enabled time-based plans only). */
  counts: Map<number, number>;
}

/** One statement per enabled time-based workflow, in plan order; `insert` writes the rows too. */
export async function passCeiling(
  db: Db,
  plans: readonly WorkflowPlan[],
  window: { since: Date; now: Date; defaultZone: string },
  mode: 'count' | 'insert',
  workflowIds: readonly string[],
): Promise<PassCeiling> {
  const counts = new Map<number, number>();
  const t0 = performance.now();
  for (const [i, plan] of plans.entries()) {
    if (!plan.timed) continue;
    const due = dueSql(plan.timed, window.since, window.now, window.defaultZone);
    const where = sql`fire_at > ${window.since} and fire_at <= ${window.now}`;
    const statement =
      mode === 'count'
        ? sql<{ n: number }>`select count(*)::integer as n from (${due}) d where ${where}`
        : sql<{ n: number }>`
            with made as (
              insert into bench_ceiling_runs (id, workflow_id, version, user_id, trigger, occurrence, status, due_at,
                                              scheduled_for, created_at, actor, correlation_id)
              select gen_random_uuid(), ${workflowIds[i]}::uuid, 1, d.id, 'timeBasedAttribute',
                     ${plan.timed.attribute}::text || ':' || to_char(d.day, 'YYYY-MM-DD'), 'queued', ${window.now}::timestamptz,
                     d.fire_at, ${window.now}::timestamptz, '{"type":"system"}'::jsonb, 'bench-ceiling'
                from (${due}) d where ${where}
              returning 1
            ) select count(*)::integer as n from made`;
    const { rows } = await statement.execute(db);
    counts.set(i, Number(rows[0]?.n ?? 0));
  }
  return { s: (performance.now() - t0) / 1000, counts };
}

/** A copy of workflow_runs (columns, defaults, indexes; no foreign keys) for the insert ceiling. */
export async function createCeilingRunsTable(db: Db): Promise<void> {
  await sql`drop table if exists bench_ceiling_runs`.execute(db);
  await sql`create table bench_ceiling_runs (like workflow_runs including all)`.execute(db);
}

export async function dropCeilingRunsTable(db: Db): Promise<void> {
  await sql`drop table if exists bench_ceiling_runs`.execute(db);
}

export interface TaskCeiling {
  s: number;
  transactions: number;
}

/**
 * `count` autocommit single-row `UPDATE ... RETURNING` transactions, `concurrency` at a time, over the
 * given rows in turn: on `workflow_runs` (the row every task writes; the value is rewritten unchanged)
 * or on `users` (`updated_at`; the widest row a directory task writes, with every index of the table).
 */
export async function taskCeiling(
  db: Db,
  target: { table: 'workflow_runs' | 'users'; ids: readonly string[] },
  count: number,
  concurrency: number,
  at: Date,
): Promise<TaskCeiling> {
  const { ids } = target;
  if (ids.length === 0 || count === 0) return { s: 0, transactions: 0 };
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const id = ids[next++ % ids.length] as string;
      const { rows } =
        target.table === 'users'
          ? await sql<{
              id: string;
            }>`update users set updated_at = ${at} where id = ${id} returning id`.execute(db)
          : await sql<{ id: string }>`
              update workflow_runs set claimed_until = claimed_until where id = ${id} returning id`.execute(
              db,
            );
      if (rows.length !== 1) throw new Error(`ceiling: ${target.table} row ${id} not updated`);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { s: (performance.now() - t0) / 1000, transactions: count };
}
