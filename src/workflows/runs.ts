import { sql } from 'kysely';
import { recordAudit } from '../audit/index.ts';
import { err, failure, newId, ok, type RequestContext, type Result } from '../core/index.ts';
import type { Tx } from '../db/index.ts';
import { kickExecutor } from './queues.ts';
import type { RunStatus, TaskStatus, TriggerKind, WorkflowsDeps } from './types.ts';

export interface RunRequest {
  workflowId: string;
  version: number;
  userId: string;
  trigger: TriggerKind;
  /** What happened, once: `employeeHireDate:2026-03-02`, `event:123`, `onDemand:<request>`. */
  occurrence: string;
  scheduledFor?: Date;
}

/**
 * Inserts runs in the caller's transaction; one already made for the same (workflow, person, occurrence)
 * is left alone, whatever version made it, so a trigger seen twice runs once (an event redelivered after
 * the workflow was edited included). Wakes the executor when any is new.
 */
export async function insertRuns(
  tx: Tx,
  deps: WorkflowsDeps,
  ctx: RequestContext,
  requests: readonly RunRequest[],
): Promise<string[]> {
  if (requests.length === 0) return [];
  const now = deps.clock.now();
  const rows = requests.map((r) => ({
    id: newId(),
    workflow_id: r.workflowId,
    version: r.version,
    user_id: r.userId,
    trigger: r.trigger,
    occurrence: r.occurrence,
    scheduled_for: (r.scheduledFor ?? now).toISOString(),
  }));
  const { rows: created } = await sql<{ id: string }>`
    insert into workflow_runs (id, workflow_id, version, user_id, trigger, occurrence, status, due_at,
                               scheduled_for, created_at, actor, correlation_id)
    select v.id, v.workflow_id, v.version, v.user_id, v.trigger, v.occurrence, 'queued', ${now},
           v.scheduled_for, ${now}, ${JSON.stringify(ctx.actor)}::jsonb, ${ctx.correlationId}
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
           as v(id uuid, workflow_id uuid, version integer, user_id uuid, trigger text, occurrence text,
                scheduled_for timestamptz)
     where not exists (select 1 from workflow_runs r
                        where r.user_id = v.user_id and r.workflow_id = v.workflow_id
                          and r.occurrence = v.occurrence)
    on conflict (workflow_id, version, user_id, occurrence) do nothing
    returning id`.execute(tx);
  if (created.length > 0) await kickExecutor(deps, tx);
  return created.map((r) => r.id);
}

export interface TaskResult {
  position: number;
  task: string;
  status: TaskStatus;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  result: Record<string, unknown> | null;
  error: Record<string, unknown> | null;
}

export interface WorkflowRun {
  id: string;
  workflowId: string;
  version: number;
  userId: string;
  trigger: string;
  occurrence: string;
  status: RunStatus;
  nextTask: number;
  attempts: number;
  scheduledFor: string | null;
  dueAt: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: Record<string, unknown> | null;
  actor: Record<string, unknown>;
  tasks?: TaskResult[];
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

interface RunRow {
  id: string;
  workflow_id: string;
  version: number;
  user_id: string;
  trigger: string;
  occurrence: string;
  status: RunStatus;
  next_task: number;
  attempts: number;
  scheduled_for: Date | string | null;
  due_at: Date | string;
  created_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
  error: Record<string, unknown> | null;
  actor: Record<string, unknown>;
}

export const rowToRun = (r: RunRow): WorkflowRun => ({
  id: r.id,
  workflowId: r.workflow_id,
  version: r.version,
  userId: r.user_id,
  trigger: r.trigger,
  occurrence: r.occurrence,
  status: r.status,
  nextTask: r.next_task,
  attempts: r.attempts,
  scheduledFor: iso(r.scheduled_for),
  dueAt: iso(r.due_at) as string,
  createdAt: iso(r.created_at) as string,
  startedAt: iso(r.started_at),
  finishedAt: iso(r.finished_at),
  error: r.error,
  actor: r.actor,
});

export const runNotFound = (id: string) =>
  failure('workflows.run_not_found', `workflow run ${id} does not exist`, { id });

export async function getRun(deps: WorkflowsDeps, id: string): Promise<Result<WorkflowRun>> {
  const row = await deps.db.selectFrom('workflow_runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return err(runNotFound(id));
  const tasks = await deps.db
    .selectFrom('workflow_task_results')
    .selectAll()
    .where('run_id', '=', id)
    .orderBy('position')
    .execute();
  return ok({
    ...rowToRun(row as unknown as RunRow),
    tasks: tasks.map((t) => ({
      position: t.position,
      task: t.task,
      status: t.status,
      attempts: t.attempts,
      startedAt: iso(t.started_at),
      finishedAt: iso(t.finished_at),
      result: t.result,
      error: t.error,
    })),
  });
}

export interface RunQuery {
  workflowId?: string;
  userId?: string;
  status?: RunStatus;
  cursor?: string;
  limit: number;
}

const encode = (r: { created_at: Date | string; id: string }) =>
  Buffer.from(`run:${new Date(r.created_at).toISOString()}|${r.id}`).toString('base64url');

function decode(cursor: string): { at: string; id: string } | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^run:([^|]+)\|([0-9a-f-]{36})$/.exec(text);
  return m && !Number.isNaN(Date.parse(m[1] as string)) ? { at: m[1] as string, id: m[2] as string } : null;
}

/** Newest first, keyset-paged by (created_at, id). */
export async function listRuns(
  deps: WorkflowsDeps,
  query: RunQuery,
): Promise<Result<{ items: WorkflowRun[]; nextCursor: string | null }>> {
  let q = deps.db.selectFrom('workflow_runs').selectAll();
  if (query.workflowId) q = q.where('workflow_id', '=', query.workflowId);
  if (query.userId) q = q.where('user_id', '=', query.userId);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.cursor) {
    const c = decode(query.cursor);
    if (!c) return err(failure('request.invalid', 'invalid cursor', { in: 'query', field: 'cursor' }));
    q = q.where(sql<boolean>`(created_at, id) < (${c.at}::timestamptz, ${c.id}::uuid)`);
  }
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return ok({
    items: page.map((r) => rowToRun(r as unknown as RunRow)),
    nextCursor: rows.length > query.limit && last ? encode(last) : null,
  });
}

/** A failed run starts again at the task that failed; the tasks that completed are not repeated. */
export async function retryRun(
  deps: WorkflowsDeps,
  ctx: RequestContext,
  id: string,
): Promise<Result<WorkflowRun>> {
  const result = await deps.db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('workflow_runs')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return err(runNotFound(id));
    const workflow = await tx
      .selectFrom('workflows')
      .select('deleted_at')
      .where('id', '=', row.workflow_id)
      .executeTakeFirst();
    // A deleted workflow's runs stay readable but act no more (its queued runs were cancelled).
    if (!workflow || workflow.deleted_at)
      return err(
        failure('workflows.run_not_retryable', `workflow run ${id} belongs to a deleted workflow`, {
          id,
          status: row.status,
        }),
      );
    if (row.status !== 'failed')
      return err(
        failure(
          'workflows.run_not_retryable',
          `workflow run ${id} is ${row.status}; only failed runs can be retried`,
          {
            id,
            status: row.status,
          },
        ),
      );
    const now = deps.clock.now();
    const updated = await tx
      .updateTable('workflow_runs')
      .set({
        status: 'queued',
        due_at: now,
        attempts: 0,
        error: null,
        finished_at: null,
        claimed_until: null,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, deps.clock, ctx, [
      {
        action: 'workflow.run.retry',
        targetType: 'workflow_run',
        targetId: id,
        details: { userId: row.user_id },
      },
    ]);
    await kickExecutor(deps, tx);
    return ok(rowToRun(updated as unknown as RunRow));
  });
  return result;
}

/** Stops a run that has not finished; tasks already done stay done. */
export async function cancelRun(
  deps: WorkflowsDeps,
  ctx: RequestContext,
  id: string,
): Promise<Result<WorkflowRun>> {
  return deps.db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('workflow_runs')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return err(runNotFound(id));
    if (row.status !== 'queued' && row.status !== 'waiting' && row.status !== 'failed')
      return err(
        failure(
          'workflows.run_not_retryable',
          `workflow run ${id} is ${row.status} and cannot be cancelled`,
          {
            id,
            status: row.status,
          },
        ),
      );
    const updated = await tx
      .updateTable('workflow_runs')
      .set({ status: 'cancelled', finished_at: deps.clock.now() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, deps.clock, ctx, [
      {
        action: 'workflow.run.cancel',
        targetType: 'workflow_run',
        targetId: id,
        details: { userId: row.user_id },
      },
    ]);
    return ok(rowToRun(updated as unknown as RunRow));
  });
}
