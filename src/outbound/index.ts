import cronParser from 'cron-parser';
import { sql } from 'kysely';
import { type RequestContext, systemContext } from '../core/index.ts';
import type { StoredEvent } from '../events/index.ts';
import {
  createApp,
  createAppCache,
  deleteApp,
  getApp,
  listApps,
  type OutboundApp,
  redactApp,
  updateApp,
} from './apps.ts';
import { assign, listAssignments, unassign } from './assignments.ts';
import { approveDeletions, appStatus, getCycle, listCycles, startCycle } from './cycles.ts';
import { EXPORT_QUEUE, enqueueFromEvents, kickExport, type ObjectType } from './enqueue.ts';
import { createConnectorPool, exportApp } from './exporter.ts';
import { type OutboundLogQuery, queryLogs } from './logs.ts';
import { provisionOnDemand } from './on-demand.ts';
import { APPLY_QUEUE, applyPlan, computePlan, executePlan, PLAN_QUEUE, startPlan, viewPlan } from './plan.ts';
import { RECONCILE_QUEUE, reconcile, startReconcile } from './reconcile.ts';
import type { OutboundDeps } from './types.ts';

export type { AppDefinitionInput } from './app-schema.ts';
export type { OutboundApp, Quarantine } from './apps.ts';
export type { Assignment } from './assignments.ts';
/**
 * Outbound provisioning: applications, the connector contract, the engine (cycles, plans, escrow,
 * quarantine) and its logs. Connectors (src/connectors/*) implement the contract and know no database.
 */
export * from './connector.ts';
export type { AppStatus, Cycle } from './cycles.ts';
export type { OutboundLogEntry, OutboundLogQuery } from './logs.ts';
export type { OnDemandResult } from './on-demand.ts';
export type { PlanView } from './plan.ts';
export type { OutboundDeps, OutboundLimits } from './types.ts';
export { APPLY_QUEUE, EXPORT_QUEUE, PLAN_QUEUE, RECONCILE_QUEUE };
export const TICK_QUEUE = 'outbound.tick';

export function createOutbound(deps: OutboundDeps) {
  const load = createAppCache(deps);
  const pool = createConnectorPool(deps);
  const view = (app: OutboundApp) => redactApp(deps, app);
  const mapView = <T extends { ok: boolean }>(r: T) =>
    (r.ok ? { ...r, value: view((r as unknown as { value: OutboundApp }).value) } : r) as T;

  return {
    createApp: async (ctx: RequestContext, raw: unknown) => mapView(await createApp(deps, ctx, raw)),
    updateApp: async (ctx: RequestContext, id: string, raw: unknown) =>
      mapView(await updateApp(deps, ctx, id, raw)),
    deleteApp: (ctx: RequestContext, id: string) => deleteApp(deps, ctx, id),
    getApp: async (id: string) => mapView(await getApp(deps, id)),
    listApps: async () => (await listApps(deps)).map(view),
    connectorTypes: () =>
      Object.values(deps.connectors).map((c) => ({
        type: c.type,
        description: c.description,
        secretPaths: c.secretPaths,
      })),

    assign: (ctx: RequestContext, appId: string, raw: unknown) => assign(deps, ctx, appId, raw),
    unassign: (ctx: RequestContext, appId: string, principalId: string) =>
      unassign(deps, ctx, appId, principalId),
    listAssignments: (appId: string) => listAssignments(deps, appId),

    startCycle: (ctx: RequestContext, appId: string) => startCycle(deps, ctx, appId),
    status: (appId: string) => appStatus(deps, appId),
    getCycle: (id: string) => getCycle(deps, id),
    listCycles: (appId: string) => listCycles(deps, appId),
    approveDeletions: (appId: string) => approveDeletions(deps, appId),
    provisionOnDemand: (appId: string, objectType: ObjectType, objectId: string) =>
      provisionOnDemand(deps, pool, load, appId, objectType, objectId),
    startPlan: (ctx: RequestContext, appId: string) => startPlan(deps, ctx, load, appId),
    viewPlan: (cycleId: string, offset: number, limit: number) => viewPlan(deps, cycleId, offset, limit),
    applyPlan: (ctx: RequestContext, cycleId: string) => applyPlan(deps, ctx, load, cycleId),
    startReconcile: (ctx: RequestContext, appId: string) => startReconcile(deps, ctx, appId),
    logs: (q: OutboundLogQuery) => queryLogs(deps, q),

    /** Job handlers (registered in app.ts). */
    exportApp: (appId: string) => exportApp(deps, pool, load, appId),
    computePlan: (cycleId: string) => computePlan(deps, pool, load, cycleId),
    executePlan: (cycleId: string) => executePlan(deps, pool, load, cycleId),
    reconcile: (cycleId: string) => reconcile(deps, pool, load, cycleId),

    /** The outbox subscriber: directory changes become pending exports within seconds. */
    async handleEvents(events: StoredEvent[]): Promise<void> {
      const apps = await listApps(deps);
      await enqueueFromEvents(deps, events, apps);
    },

    /**
     * The minutely safety net: wakes apps with due work (a lost wake-up, an expired lease after a crash)
     * and starts reconciliations whose schedule fired since the last one.
     */
    async tick(): Promise<void> {
      const now = deps.clock.now();
      const due = await sql<{ app_id: string }>`
        select distinct app_id from outbound_pending where due_at <= ${now}`.execute(deps.db);
      for (const r of due.rows) await kickExport(deps, r.app_id);
      for (const app of await listApps(deps)) {
        const schedule = app.definition.reconcileSchedule;
        if (!schedule || !app.definition.enabled) continue;
        const linked = await deps.db
          .selectFrom('outbound_links')
          .select('app_id')
          .where('app_id', '=', app.id)
          .limit(1)
          .executeTakeFirst();
        if (!linked) continue;
        const last = await deps.db
          .selectFrom('outbound_cycles')
          .select('started_at')
          .where('app_id', '=', app.id)
          .where('kind', '=', 'reconcile')
          .orderBy('started_at', 'desc')
          .limit(1)
          .executeTakeFirst();
        const fired = cronParser.parseExpression(schedule, { currentDate: now, tz: 'UTC' }).prev().toDate();
        const lastAt = last ? new Date(last.started_at) : new Date(app.createdAt);
        if (lastAt.getTime() < fired.getTime())
          await startReconcile(deps, systemContext(`reconcile-${app.id}`), app.id);
      }
    },

    /** On start: apps with pending work get an export job (crash recovery needs no new change). */
    async resumePending(): Promise<number> {
      const rows = await sql<{ app_id: string }>`select distinct app_id from outbound_pending`.execute(
        deps.db,
      );
      for (const r of rows.rows) await kickExport(deps, r.app_id);
      return rows.rows.length;
    },

    close: () => pool.closeAll(),
  };
}

export type Outbound = ReturnType<typeof createOutbound>;
