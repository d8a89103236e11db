import { type RawBuilder, sql } from 'kysely';
import { type RequestContext, systemContext } from '../core/index.ts';
import { calendarDaySql, postgresZones, type Tx, zonedInstantSql, zoneSql } from '../db/index.ts';
import type { Trigger } from './definition.ts';
import { kickExecutor } from './queues.ts';
import { scopePredicate } from './scope-sql.ts';
import { rowToWorkflow, type Workflow } from './store.ts';
import type { WorkflowsDeps } from './types.ts';

type Sql = RawBuilder<unknown>;
type TimeTrigger = Extract<Trigger, { type: 'timeBasedAttribute' }>;
type InactivityTrigger = Extract<Trigger, { type: 'userInactivity' }>;

const DAY_MS = 24 * 60 * 60 * 1000;

const columnOf: Record<TimeTrigger['timeBasedAttribute'], string> = {
  employeeHireDate: 'employee_hire_date',
  employeeLeaveDateTime: 'employee_leave_date_time',
  createdDateTime: 'created_at',
};

export interface PassResult {
  workflows: number;
  runs: number;
}

/**
 * One scheduler pass: for each enabled workflow with a time-based or inactivity trigger, make the runs
 * that fell due since that workflow version's last pass. The watermark is per workflow version and
 * moves in the transaction that inserts the runs: a crash repeats the window, a downtime is caught up
 * in one pass, and two passes at once insert each run once (the unique occurrence).
 */
export async function schedulerPass(deps: WorkflowsDeps): Promise<PassResult> {
  const now = deps.clock.now();
  const ctx = systemContext(`workflows-pass-${now.toISOString()}`);
  const rows = await timeWorkflowRows(deps);
  const zones = await postgresZones(deps.db);
  let runs = 0;
  for (const row of rows) {
    const workflow = rowToWorkflow(row);
    const since = row.last_pass_at ? new Date(row.last_pass_at) : null;
    const scope = await scopePredicate(deps, workflow.definition.scope);
    if (!scope.ok) {
      deps.logger.warn(
        { workflowId: workflow.id, error: scope.error },
        'workflow scope no longer compiles; skipped',
      );
      continue;
    }
    runs += await deps.db.transaction().execute(async (tx) => {
      const trigger = workflow.definition.trigger;
      const made =
        trigger.type === 'timeBasedAttribute'
          ? await timeBasedRuns(tx, deps, ctx, workflow, trigger, {
              // A new version goes on from the previous version's last pass (the moments between it
              // and the edit are not lost); a new workflow looks back to when it was made, no further.
              since: sinceOf(row),
              now,
              scope: scope.value,
              zone: zoneSql(sql.ref('timezone'), zones, deps.settings.defaultTimezone),
            })
          : trigger.type === 'userInactivity'
            ? await inactivityRuns(tx, ctx, workflow, trigger, { since, now, scope: scope.value })
            : 0;
      await tx
        .insertInto('workflow_scheduler')
        .values({ name: `wf:${workflow.id}:${workflow.version}`, last_pass_at: now })
        .onConflict((oc) =>
          oc.column('name').doUpdateSet({
            last_pass_at: sql`greatest(workflow_scheduler.last_pass_at, excluded.last_pass_at)`,
          }),
        )
        .execute();
      if (made > 0) await kickExecutor(deps, tx);
      return made;
    });
  }
  return { workflows: rows.length, runs };
}

/** Enabled workflows with a time-based or inactivity trigger, with their versions' watermarks. */
async function timeWorkflowRows(deps: WorkflowsDeps) {
  return (
    deps.db
      .selectFrom('workflows as w')
      .innerJoin('workflow_versions as v', (j) =>
        j.onRef('v.workflow_id', '=', 'w.id').onRef('v.version', '=', 'w.version'),
      )
      .leftJoin('workflow_scheduler as s', (j) =>
        j.on('s.name', '=', sql<string>`'wf:' || w.id::text || ':' || w.version::text`),
      )
      .selectAll('w')
      .select(['v.created_at as version_created_at', 's.last_pass_at'])
      // The latest pass of any version: an edited workflow goes on from where its old version stopped.
      .select(
        sql<Date | string | null>`(select max(p.last_pass_at) from workflow_scheduler p
                                  where p.name like 'wf:' || w.id::text || ':%')`.as('workflow_last_pass_at'),
      )
      .where('w.enabled', '=', true)
      .where('w.deleted_at', 'is', null)
      .where(sql<boolean>`w.definition -> 'trigger' ->> 'type' in ('timeBasedAttribute', 'userInactivity')`)
      .execute()
  );
}

type TimeWorkflowRow = Awaited<ReturnType<typeof timeWorkflowRows>>[number];

/**
 * Where a time-based window starts: this version's last pass; for a new version, the previous
 * version's last pass (the moments between it and the edit are not lost); for a new workflow, when it
 * was made, no further.
 */
function sinceOf(row: TimeWorkflowRow): Date {
  if (row.last_pass_at) return new Date(row.last_pass_at);
  return row.workflow_last_pass_at ? new Date(row.workflow_last_pass_at) : new Date(row.version_created_at);
}

/**
 * People whose hire or leave date HR has just changed are late arrivals too: a hire date moved to today
 * after today's pre-hire moment has passed still gets the run while the day has not ended, as a person
 * created late does (called by the outbox subscriber, for the people of a batch of events).
 */
export async function lateTimeRuns(
  deps: WorkflowsDeps,
  changed: ReadonlyMap<TimeTrigger['timeBasedAttribute'], readonly string[]>,
): Promise<number> {
  if (changed.size === 0) return 0;
  const now = deps.clock.now();
  const ctx = systemContext(`workflows-late-${now.toISOString()}`);
  const rows = await timeWorkflowRows(deps);
  let zones: readonly string[] | null = null;
  let runs = 0;
  for (const row of rows) {
    const workflow = rowToWorkflow(row);
    const trigger = workflow.definition.trigger;
    if (trigger.type !== 'timeBasedAttribute') continue;
    const people = changed.get(trigger.timeBasedAttribute) ?? [];
    if (people.length === 0) continue;
    const scope = await scopePredicate(deps, workflow.definition.scope);
    if (!scope.ok) continue;
    zones ??= await postgresZones(deps.db);
    const zone = zoneSql(sql.ref('timezone'), zones, deps.settings.defaultTimezone);
    runs += await deps.db.transaction().execute(async (tx) => {
      const window = { since: sinceOf(row), now, scope: scope.value, zone, late: people };
      const made = await timeBasedRuns(tx, deps, ctx, workflow, trigger, window);
      if (made > 0) await kickExecutor(deps, tx);
      return made;
    });
  }
  return runs;
}

/**
 * People whose trigger moment (the attribute's calendar day + offset, at the local time of day in their
 * own zone) fell in (since, now]. Also people who arrived since the last pass after their moment had
 * passed, while the day itself has not ended: a pre-hire record HR sends three days before the start
 * still gets the pre-hire workflow, but a back-fill of people hired years ago gets nothing.
 */
async function timeBasedRuns(
  tx: Tx,
  _deps: WorkflowsDeps,
  ctx: RequestContext,
  workflow: Workflow,
  trigger: TimeTrigger,
  window: { since: Date; now: Date; scope: Sql; zone: Sql; late?: readonly string[] },
): Promise<number> {
  const { since, now, scope, zone, late } = window;
  const column = sql.ref(columnOf[trigger.timeBasedAttribute]);
  const offset = trigger.offsetInDays;
  // The day is within a day of the value, the moment within a day of the day: 3 days either side
  // keeps the index range safe for every zone and time of day.
  const lo = new Date(since.getTime() - (offset + 3) * DAY_MS);
  const hi = new Date(now.getTime() - (offset - 3) * DAY_MS);
  const day = calendarDaySql(column, zone);
  const { rows } = await sql<{ n: number }>`
    with candidates as (
      select id, created_at, ${day} as day, ${zone} as zone
        from users
       where deleted_at is null and ${column} is not null
         and ${late ? sql`id = any(${[...late]}::uuid[])` : sql`(${column} between ${lo} and ${hi} or created_at > ${since})`}
         and ${scope}
    ), due as (
      select id, created_at, day, zone,
             ${zonedInstantSql(sql.ref('day'), offset, trigger.timeOfDay, sql.ref('zone'))} as fire_at,
             ${zonedInstantSql(sql.ref('day'), 1, '00:00', sql.ref('zone'))} as day_ends
        from candidates
    ), made as (
      insert into workflow_runs (id, workflow_id, version, user_id, trigger, occurrence, status, due_at,
                                 scheduled_for, created_at, actor, correlation_id)
      select gen_random_uuid(), ${workflow.id}::uuid, ${workflow.version}::integer, due.id, 'timeBasedAttribute',
             ${trigger.timeBasedAttribute}::text || ':' || to_char(due.day, 'YYYY-MM-DD'), 'queued', ${now}::timestamptz,
             due.fire_at, ${now}::timestamptz, ${JSON.stringify(ctx.actor)}::jsonb, ${ctx.correlationId}::text
        from due
       where due.fire_at <= ${now}
         and (due.fire_at > ${since} or (${late ? sql`true` : sql`due.created_at > ${since}`} and ${now}::timestamptz < due.day_ends))
      on conflict (workflow_id, version, user_id, occurrence) do nothing
      returning 1
    ) select count(*)::integer as n from made`.execute(tx);
  return Number(rows[0]?.n ?? 0);
}

/**
 * People whose last sign-in (or creation, if they never signed in) is older than the period. The
 * occurrence is that last sign-in, so a person runs again only after signing in and going quiet again.
 * The first pass of a version looks at everyone; later passes only at people who crossed the line since.
 */
async function inactivityRuns(
  tx: Tx,
  ctx: RequestContext,
  workflow: Workflow,
  trigger: InactivityTrigger,
  window: { since: Date | null; now: Date; scope: Sql },
): Promise<number> {
  const { since, now, scope } = window;
  const period = trigger.inactivityPeriodInDays * DAY_MS;
  const upper = new Date(now.getTime() - period);
  const lower = since ? new Date(since.getTime() - period) : new Date(0);
  const { rows } = await sql<{ n: number }>`
    with scoped as (
      select id, created_at from users where deleted_at is null and account_enabled and ${scope}
    ), quiet as (
      select scoped.id, s.last_sign_in_at as seen from scoped join user_sign_ins s on s.user_id = scoped.id
       where s.last_sign_in_at > ${lower} and s.last_sign_in_at <= ${upper}
      union all
      select scoped.id, scoped.created_at from scoped
       where scoped.created_at > ${lower} and scoped.created_at <= ${upper}
         and not exists (select 1 from user_sign_ins s where s.user_id = scoped.id)
    ), made as (
      insert into workflow_runs (id, workflow_id, version, user_id, trigger, occurrence, status, due_at,
                                 scheduled_for, created_at, actor, correlation_id)
      select gen_random_uuid(), ${workflow.id}::uuid, ${workflow.version}::integer, quiet.id, 'userInactivity',
             'inactiveSince:' || to_char(quiet.seen at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'queued',
             ${now}::timestamptz, quiet.seen + ${`${trigger.inactivityPeriodInDays} days`}::interval,
             ${now}::timestamptz, ${JSON.stringify(ctx.actor)}::jsonb, ${ctx.correlationId}::text
        from quiet
       -- An earlier version already ran for this quiet spell: an edit does not run everyone again.
       where not exists (select 1 from workflow_runs r
                          where r.user_id = quiet.id and r.workflow_id = ${workflow.id}::uuid
                            and r.occurrence = 'inactiveSince:' || to_char(quiet.seen at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
      on conflict (workflow_id, version, user_id, occurrence) do nothing
      returning 1
    ) select count(*)::integer as n from made`.execute(tx);
  return Number(rows[0]?.n ?? 0);
}
