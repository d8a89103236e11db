import { err, failure, ok, type RequestContext, type Result } from '../core/index.ts';
import { decideBatch, loadBatchContext } from './batch.ts';
import type { AttributeChange, TargetAttributes } from './connector.ts';
import { type Cycle, cycleNotFound, getCycle, startJobCycle } from './cycles.ts';
import { type Decided, type Decision, linkKey } from './decide.ts';
import type { ObjectType } from './enqueue.ts';
import { execute, type Outcome } from './execute.ts';
import { type AppLoader, type ConnectorPool, commitBatch } from './exporter.ts';
import { releaseLease, takeLease } from './lease.ts';
import { wholeScopeIds } from './scope.ts';
import type { OutboundDeps, Step } from './types.ts';

export const PLAN_QUEUE = 'outbound.plan';
export const APPLY_QUEUE = 'outbound.apply';

/** One planned action; unchanged and skipped objects are only counted. */
export interface PlanItem {
  type: ObjectType;
  id: string;
  displayName: string | null;
  /** The directory object's version when planned (null: deleted). */
  version: number | null;
  /** The link as planned against: target id and exported attributes, or null when there was none. */
  linkFingerprint: string | null;
  decision: Decision;
  steps: Step[];
  desiredMembers?: string[];
}

export interface Plan {
  appVersion: number;
  items: PlanItem[];
}

const fingerprint = (link: { targetId: string; state: string; exported: TargetAttributes } | undefined) =>
  link ? JSON.stringify([link.targetId, link.state, link.exported]) : null;

/** Starts a dry run over the app's whole population; the job fills the plan. */
export async function startPlan(
  deps: OutboundDeps,
  ctx: RequestContext,
  load: AppLoader,
  appId: string,
): Promise<Result<Cycle>> {
  const loaded = await load(appId);
  if (!loaded.ok) return loaded;
  return startJobCycle(deps, ctx, appId, 'plan', PLAN_QUEUE);
}

/**
 * Computes the plan: every object in scope or linked, decided exactly as an export would (matching reads
 * the target; nothing is written), with attribute diffs. Stored in the cycle for review and apply.
 */
export async function computePlan(
  deps: OutboundDeps,
  pool: ConnectorPool,
  load: AppLoader,
  cycleId: string,
): Promise<void> {
  const cycle = await getCycle(deps, cycleId);
  if (!cycle.ok || cycle.value.status !== 'running') return;
  const loaded = await load(cycle.value.appId);
  const fail = async (message: string) => {
    await deps.db
      .updateTable('outbound_cycles')
      .set({ status: 'failed', error: message, finished_at: deps.clock.now() })
      .where('id', '=', cycleId)
      .execute();
  };
  if (!loaded.ok) return fail(loaded.error.message);
  const app = loaded.value;
  const connected = await pool.connect(app);
  if (!connected.ok) return fail(`could not connect: ${connected.failure.message}`);
  const { connector } = await pool.get(app);
  const counts: Record<string, number> = {};
  const items: PlanItem[] = [];
  for (const type of ['user', 'group'] as const) {
    let after: string | null = null;
    for (;;) {
      const ids = await wholeScopeIds(
        deps.db,
        app.id,
        app.app.definition,
        type,
        after,
        deps.limits.batchSize,
      );
      if (ids.length === 0) break;
      after = ids[ids.length - 1] ?? null;
      const ctx = await loadBatchContext(
        deps.db,
        deps.directory,
        app,
        connector,
        ids.map((id) => ({ type, id, force: false })),
        deps.clock.now(),
      );
      for (const d of await decideBatch(
        ctx,
        ids.map((id) => ({ type, id, force: false })),
      )) {
        const action = d.decision.action;
        counts[action] = (counts[action] ?? 0) + 1;
        if (action === 'unchanged' || action === 'skip') continue;
        items.push(planItem(d, fingerprint(ctx.links.get(linkKey(type, d.id)))));
      }
    }
  }
  const plan: Plan = { appVersion: app.version, items };
  await deps.db
    .updateTable('outbound_cycles')
    .set({
      status: 'planned',
      counts: JSON.stringify(counts),
      plan: JSON.stringify(plan),
      finished_at: deps.clock.now(),
    })
    .where('id', '=', cycleId)
    .execute();
}

const planItem = (d: Decided, linkFingerprint: string | null): PlanItem => ({
  type: d.type,
  id: d.id,
  displayName: d.displayName,
  version: d.version,
  linkFingerprint,
  decision: d.decision,
  steps: d.steps,
  ...(d.desiredMembers ? { desiredMembers: d.desiredMembers } : {}),
});

export interface PlanView {
  cycle: Cycle;
  items: Array<{
    objectType: ObjectType;
    objectId: string;
    displayName: string | null;
    action: Decision['action'];
    targetId: string | null;
    set?: TargetAttributes;
    remove?: readonly string[];
    attributes?: TargetAttributes;
    addMembers?: readonly string[];
    removeMembers?: readonly string[];
    reason?: string;
    error?: string;
  }>;
}

function viewItem(i: PlanItem): PlanView['items'][number] {
  const d = i.decision;
  const base = { objectType: i.type, objectId: i.id, displayName: i.displayName, action: d.action };
  switch (d.action) {
    case 'create':
      return {
        ...base,
        targetId: null,
        attributes: d.attributes,
        ...(d.members ? { addMembers: d.members } : {}),
      };
    case 'update': {
      const change: AttributeChange = d.change ?? { set: {}, remove: [] };
      return {
        ...base,
        targetId: d.targetId,
        set: change.set,
        remove: change.remove,
        addMembers: d.addMembers ?? [],
        removeMembers: d.removeMembers ?? [],
      };
    }
    case 'disable':
    case 'delete':
      return { ...base, targetId: d.targetId, reason: d.reason };
    case 'fail':
      return { ...base, targetId: null, error: d.failure.message };
    default:
      return { ...base, targetId: null };
  }
}

async function loadPlan(
  deps: OutboundDeps,
  cycleId: string,
): Promise<Result<{ cycle: Cycle; plan: Plan | null }>> {
  const cycle = await getCycle(deps, cycleId);
  if (!cycle.ok) return cycle;
  const row = await deps.db
    .selectFrom('outbound_cycles')
    .select('plan')
    .where('id', '=', cycleId)
    .executeTakeFirst();
  return ok({ cycle: cycle.value, plan: (row?.plan as Plan | null) ?? null });
}

export async function viewPlan(
  deps: OutboundDeps,
  cycleId: string,
  offset: number,
  limit: number,
): Promise<Result<PlanView & { total: number }>> {
  const loaded = await loadPlan(deps, cycleId);
  if (!loaded.ok) return loaded;
  const { cycle, plan } = loaded.value;
  if (cycle.kind !== 'plan')
    return err(
      failure('outbound.not_a_plan', `cycle "${cycleId}" is a ${cycle.kind} cycle, not a plan`, {
        id: cycleId,
      }),
    );
  const items = plan?.items ?? [];
  return ok({ cycle, total: items.length, items: items.slice(offset, offset + limit).map(viewItem) });
}

/**
 * Checks that the plan still describes the world (the app's definition, every planned object's version
 * and link), then queues its exact execution. A stale plan is refused with the reasons; nothing is written.
 */
export async function applyPlan(
  deps: OutboundDeps,
  ctx: RequestContext,
  load: AppLoader,
  cycleId: string,
): Promise<Result<Cycle>> {
  const loaded = await loadPlan(deps, cycleId);
  if (!loaded.ok) return err(cycleNotFound(cycleId));
  const { cycle, plan } = loaded.value;
  if (cycle.kind !== 'plan')
    return err(
      failure('outbound.not_a_plan', `cycle "${cycleId}" is a ${cycle.kind} cycle, not a plan`, {
        id: cycleId,
      }),
    );
  if (cycle.status === 'running')
    return err(failure('outbound.plan_not_ready', 'the plan is still being computed', { id: cycleId }));
  if (cycle.status === 'applied' || cycle.status === 'done')
    return err(failure('outbound.plan_already_applied', 'this plan was already applied', { id: cycleId }));
  if (!plan || cycle.status !== 'planned')
    return err(failure('outbound.plan_not_ready', `the plan is ${cycle.status}`, { id: cycleId }));
  const app = await load(cycle.appId);
  if (!app.ok) return app;
  const reasons: string[] = [];
  if (app.value.version !== plan.appVersion)
    reasons.push(`the application changed (version ${plan.appVersion} → ${app.value.version})`);
  for (const type of ['user', 'group'] as const) {
    const items = plan.items.filter((i) => i.type === type);
    for (let n = 0; n < items.length && reasons.length < 50; n += 1000) {
      const chunk = items.slice(n, n + 1000);
      const ids = chunk.map((i) => i.id);
      const objects =
        type === 'user' ? await deps.directory.usersByIds(ids) : await deps.directory.groupsByIds(ids);
      const links = await deps.db
        .selectFrom('outbound_links')
        .select(['object_id', 'target_id', 'state', 'exported'])
        .where('app_id', '=', cycle.appId)
        .where('object_type', '=', type)
        .where('object_id', 'in', ids)
        .execute();
      const linkBy = new Map(
        links.map((l) => [
          l.object_id,
          fingerprint({ targetId: l.target_id, state: l.state, exported: l.exported as TargetAttributes }),
        ]),
      );
      for (const i of chunk) {
        const o = objects.get(i.id);
        const version = o && !o.deletedAt ? o.version : null;
        if (version !== i.version)
          reasons.push(
            `${type} ${i.displayName ?? i.id} changed since the plan (version ${i.version ?? 'deleted'} → ${version ?? 'deleted'})`,
          );
        else if ((linkBy.get(i.id) ?? null) !== i.linkFingerprint)
          reasons.push(`${type} ${i.displayName ?? i.id}: its target object changed since the plan`);
      }
    }
  }
  if (reasons.length > 0)
    return err(
      failure('outbound.plan_stale', `the plan is stale; make a new one: ${reasons.slice(0, 5).join('; ')}`, {
        id: cycleId,
        reasons: reasons.slice(0, 50),
      }),
    );
  await deps.db.transaction().execute(async (tx) => {
    await tx
      .updateTable('outbound_cycles')
      .set({ status: 'applying', actor: JSON.stringify(ctx.actor) })
      .where('id', '=', cycleId)
      .execute();
    await deps.jobs.send(APPLY_QUEUE, { cycleId }, { tx });
  });
  return getCycle(deps, cycleId);
}

/** The apply job: the planned decisions, executed as planned, under the app's lease. */
export async function executePlan(
  deps: OutboundDeps,
  pool: ConnectorPool,
  load: AppLoader,
  cycleId: string,
): Promise<void> {
  const loaded = await loadPlan(deps, cycleId);
  if (!loaded.ok || !loaded.value.plan || loaded.value.cycle.status !== 'applying') return;
  const { cycle, plan } = loaded.value;
  const app = await load(cycle.appId);
  if (!app.ok) return;
  if (!(await takeLease(deps.db, cycle.appId, deps.processId, deps.clock.now(), deps.limits.leaseSeconds)))
    throw Object.assign(new Error('the application is being exported; the plan applies after'), {
      retryable: true,
    });
  const counts: Record<string, number> = {};
  try {
    const connected = await pool.connect(app.value);
    if (!connected.ok) throw Object.assign(new Error(connected.failure.message), { retryable: true });
    const { connector } = await pool.get(app.value);
    for (let n = 0; n < plan.items.length; n += deps.limits.batchSize) {
      const chunk = plan.items.slice(n, n + deps.limits.batchSize);
      const ctx = await loadBatchContext(
        deps.db,
        deps.directory,
        app.value,
        connector,
        chunk.map((i) => ({ type: i.type, id: i.id, force: false })),
        deps.clock.now(),
      );
      // The plan resolved references when it was made, so its actions are independent of each other.
      const outcomes: Outcome[] = await Promise.all(
        chunk.map((item) =>
          execute(ctx, {
            type: item.type,
            id: item.id,
            displayName: item.displayName,
            version: item.version,
            decision: item.decision,
            steps: [...item.steps],
            ...(item.desiredMembers ? { desiredMembers: item.desiredMembers } : {}),
          }),
        ),
      );
      for (const outcome of outcomes) {
        const key = `applied.${outcome.status === 'failure' ? 'failed' : outcome.action}`;
        counts[key] = (counts[key] ?? 0) + 1;
      }
      await commitBatch(deps, app.value, [], outcomes, cycleId);
    }
  } finally {
    await releaseLease(deps.db, cycle.appId, deps.processId);
  }
  await deps.db
    .updateTable('outbound_cycles')
    .set({
      status: 'applied',
      counts: JSON.stringify({ ...cycle.counts, ...counts }),
      finished_at: deps.clock.now(),
    })
    .where('id', '=', cycleId)
    .execute();
}
