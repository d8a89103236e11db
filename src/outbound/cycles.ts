import { sql } from 'kysely';
import { err, failure, newId, ok, type RequestContext, type Result } from '../core/index.ts';
import { appNotFound, getApp, type OutboundApp } from './apps.ts';
import { kickExport } from './enqueue.ts';
import { enqueueWholeScope } from './scope.ts';
import type { OutboundDeps } from './types.ts';

export type CycleKind = 'initial' | 'full' | 'reconcile' | 'plan' | 'apply';

export interface Cycle {
  id: string;
  appId: string;
  kind: CycleKind;
  status: 'running' | 'done' | 'failed' | 'planned' | 'applying' | 'applied';
  counts: Record<string, number>;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

interface CycleRow {
  id: string;
  app_id: string;
  kind: string;
  status: string;
  counts: unknown;
  error: string | null;
  started_at: Date | string;
  finished_at: Date | string | null;
}

export const rowToCycle = (r: CycleRow): Cycle => ({
  id: r.id,
  appId: r.app_id,
  kind: r.kind as CycleKind,
  status: r.status as Cycle['status'],
  counts: (r.counts ?? {}) as Record<string, number>,
  error: r.error,
  startedAt: new Date(r.started_at).toISOString(),
  finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
});

export const cycleNotFound = (id: string) =>
  failure('outbound.cycle_not_found', `cycle "${id}" does not exist`, { id });

export async function getCycle(deps: OutboundDeps, id: string): Promise<Result<Cycle>> {
  const row = await deps.db
    .selectFrom('outbound_cycles')
    .select(['id', 'app_id', 'kind', 'status', 'counts', 'error', 'started_at', 'finished_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? ok(rowToCycle(row as unknown as CycleRow)) : err(cycleNotFound(id));
}

export async function listCycles(deps: OutboundDeps, appId: string, limit = 50): Promise<Cycle[]> {
  const rows = await deps.db
    .selectFrom('outbound_cycles')
    .select(['id', 'app_id', 'kind', 'status', 'counts', 'error', 'started_at', 'finished_at'])
    .where('app_id', '=', appId)
    .orderBy('started_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => rowToCycle(r as unknown as CycleRow));
}

/**
 * Starts a full cycle: every object in scope and every linked object is queued (with the cycle's id),
 * and the exporter works through them. The first one is `initial`; later ones are `full`. Starting also
 * lifts a quarantine (Entra's "restart provisioning").
 */
export async function startCycle(
  deps: OutboundDeps,
  ctx: RequestContext,
  appId: string,
): Promise<Result<Cycle>> {
  const found = await getApp(deps, appId);
  if (!found.ok) return found;
  const app = found.value;
  if (!app.definition.enabled)
    return err(
      failure('outbound.app_disabled', `application "${app.definition.name}" is paused; enable it first`, {
        id: appId,
      }),
    );
  const now = deps.clock.now();
  const id = newId();
  const cycle = await deps.db.transaction().execute(async (tx) => {
    const any = await tx
      .selectFrom('outbound_cycles')
      .select('id')
      .where('app_id', '=', appId)
      .where('kind', 'in', ['initial', 'full'])
      .limit(1)
      .executeTakeFirst();
    const kind: CycleKind = any ? 'full' : 'initial';
    // A newer cycle supersedes a running one: its objects are all queued again under the new id.
    await tx
      .updateTable('outbound_cycles')
      .set({ status: 'done', finished_at: now, error: 'superseded by a newer cycle' })
      .where('app_id', '=', appId)
      .where('status', '=', 'running')
      .where('kind', 'in', ['initial', 'full', 'reconcile'])
      .execute();
    const row = await tx
      .insertInto('outbound_cycles')
      .values({
        id,
        app_id: appId,
        kind,
        status: 'running',
        counts: '{}',
        actor: JSON.stringify(ctx.actor),
        started_at: now,
      })
      .returning(['id', 'app_id', 'kind', 'status', 'counts', 'error', 'started_at', 'finished_at'])
      .executeTakeFirstOrThrow();
    await enqueueWholeScope(tx, appId, app.definition, id, now);
    await tx.updateTable('outbound_apps').set({ quarantine: null }).where('id', '=', appId).execute();
    return rowToCycle(row as unknown as CycleRow);
  });
  await kickExport(deps, appId);
  return ok(cycle);
}

/**
 * A cycle whose work is one job (plan, reconcile): the cycle row and the job are written in one
 * transaction, so neither exists without the other.
 */
export async function startJobCycle(
  deps: OutboundDeps,
  ctx: RequestContext,
  appId: string,
  kind: 'plan' | 'reconcile',
  queue: string,
): Promise<Result<Cycle>> {
  const found = await getApp(deps, appId);
  if (!found.ok) return found;
  const id = newId();
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .insertInto('outbound_cycles')
      .values({
        id,
        app_id: appId,
        kind,
        status: 'running',
        counts: '{}',
        actor: JSON.stringify(ctx.actor),
        started_at: deps.clock.now(),
      })
      .execute();
    await deps.jobs.send(queue, { cycleId: id }, { tx });
  });
  return getCycle(deps, id);
}

export interface AppStatus {
  state: 'idle' | 'running' | 'quarantined' | 'paused' | 'held';
  pending: number;
  escrowed: number;
  linked: { users: number; groups: number };
  quarantine: OutboundApp['quarantine'];
  hold: OutboundApp['hold'];
  lastCycle: Cycle | null;
  /** The oldest escrowed failures, for the status page. */
  recentErrors: Array<{
    objectType: string;
    objectId: string;
    attempts: number;
    error: unknown;
    dueAt: string;
  }>;
}

export async function appStatus(deps: OutboundDeps, appId: string): Promise<Result<AppStatus>> {
  const found = await getApp(deps, appId);
  if (!found.ok) return err(appNotFound(appId));
  const app = found.value;
  const now = deps.clock.now();
  const counts = await sql<{ pending: number; escrowed: number; due: number }>`
    select count(*)::int as pending, count(*) filter (where attempts > 0)::int as escrowed,
           count(*) filter (where due_at <= ${now})::int as due
      from outbound_pending where app_id = ${appId}`.execute(deps.db);
  const links = await sql<{ object_type: string; n: number }>`
    select object_type, count(*)::int as n from outbound_links where app_id = ${appId} group by object_type`.execute(
    deps.db,
  );
  const [lastCycle] = (await listCycles(deps, appId, 1)).filter(Boolean);
  const errors = await deps.db
    .selectFrom('outbound_pending')
    .select(['object_type', 'object_id', 'attempts', 'last_error', 'due_at'])
    .where('app_id', '=', appId)
    .where('attempts', '>', 0)
    .orderBy('due_at')
    .limit(20)
    .execute();
  const c = counts.rows[0] ?? { pending: 0, escrowed: 0, due: 0 };
  const linked = { users: 0, groups: 0 };
  for (const r of links.rows) {
    if (r.object_type === 'user') linked.users = Number(r.n);
    if (r.object_type === 'group') linked.groups = Number(r.n);
  }
  const running = lastCycle?.status === 'running' || Number(c.due) > 0;
  const state: AppStatus['state'] = !app.definition.enabled
    ? 'paused'
    : app.quarantine
      ? 'quarantined'
      : app.hold && !app.hold.approvedAt
        ? 'held'
        : running
          ? 'running'
          : 'idle';
  return ok({
    state,
    pending: Number(c.pending),
    escrowed: Number(c.escrowed),
    linked,
    quarantine: app.quarantine,
    hold: app.hold,
    lastCycle: lastCycle ?? null,
    recentErrors: errors.map((e) => ({
      objectType: e.object_type,
      objectId: e.object_id,
      attempts: e.attempts,
      error: e.last_error,
      dueAt: new Date(e.due_at).toISOString(),
    })),
  });
}

/** Releases deprovisions held by the deletion threshold (audited by the caller's module). */
export async function approveDeletions(deps: OutboundDeps, appId: string): Promise<Result<null>> {
  const found = await getApp(deps, appId);
  if (!found.ok) return found;
  const hold = found.value.hold;
  if (!hold || hold.approvedAt)
    return err(failure('outbound.not_held', 'no deprovisions are held for this application', { id: appId }));
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .updateTable('outbound_apps')
      .set({ hold: JSON.stringify({ ...hold, approvedAt: now.toISOString() }) })
      .where('id', '=', appId)
      .execute();
    await tx
      .updateTable('outbound_pending')
      .set({ due_at: now })
      .where('app_id', '=', appId)
      .where('attempts', '=', 0)
      .execute();
  });
  await kickExport(deps, appId);
  return ok(null);
}
