import { sql } from 'kysely';
import type { RequestContext, Result } from '../core/index.ts';
import type { TargetAttributes } from './connector.ts';
import { type Cycle, getCycle, startJobCycle } from './cycles.ts';
import { diffAttributes } from './desired.ts';
import { enqueue, kickExport } from './enqueue.ts';
import type { AppLoader, ConnectorPool } from './exporter.ts';
import type { OutboundDeps } from './types.ts';

export const RECONCILE_QUEUE = 'outbound.reconcile';
/** Orphans kept by name in the cycle (the count is exact). */
const ORPHAN_SAMPLE = 100;

export async function startReconcile(
  deps: OutboundDeps,
  ctx: RequestContext,
  appId: string,
): Promise<Result<Cycle>> {
  return startJobCycle(deps, ctx, appId, 'reconcile', RECONCILE_QUEUE);
}

/**
 * Reconciliation: reads every object the target holds and compares it with what Joinery last wrote.
 * Drift (someone edited the target) and links whose object vanished queue a forced export, which reads
 * the object and writes the difference back (or recreates it). Target objects no link knows are orphans:
 * counted and listed, never deleted (they may belong to someone else).
 */
export async function reconcile(
  deps: OutboundDeps,
  pool: ConnectorPool,
  load: AppLoader,
  cycleId: string,
): Promise<void> {
  const cycle = await getCycle(deps, cycleId);
  if (!cycle.ok || cycle.value.status !== 'running') return;
  const appId = cycle.value.appId;
  const fail = (message: string) =>
    deps.db
      .updateTable('outbound_cycles')
      .set({ status: 'failed', error: message, finished_at: deps.clock.now() })
      .where('id', '=', cycleId)
      .execute();
  const loaded = await load(appId);
  if (!loaded.ok) return void (await fail(loaded.error.message));
  const app = loaded.value;
  const connected = await pool.connect(app);
  if (!connected.ok) return void (await fail(`could not connect: ${connected.failure.message}`));
  if (!connected.value.list) return void (await fail('the target cannot list its objects'));
  const { connector } = await pool.get(app);
  const counts: Record<string, number> = { listed: 0, drift: 0, orphans: 0, missing: 0 };
  const orphans: Array<{ type: string; targetId: string }> = [];
  const now = deps.clock.now();
  const types = [
    ...(app.app.definition.provisionUsers ? (['user'] as const) : []),
    ...(app.app.definition.provisionGroups ? (['group'] as const) : []),
  ];
  for (const type of types) {
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const page = await connector.list(type, cursor);
      if (!page.ok) return void (await fail(`listing ${type}s failed: ${page.failure.message}`));
      cursor = page.value.next;
      const ids = page.value.objects.map((o) => o.id);
      counts.listed = (counts.listed ?? 0) + ids.length;
      const links =
        ids.length === 0
          ? []
          : await deps.db
              .selectFrom('outbound_links')
              .select(['object_id', 'target_id', 'exported'])
              .where('app_id', '=', appId)
              .where('object_type', '=', type)
              .where('target_id', 'in', ids)
              .execute();
      const byTarget = new Map(links.map((l) => [l.target_id, l]));
      const drifted: string[] = [];
      for (const o of page.value.objects) {
        seen.add(o.id);
        const link = byTarget.get(o.id);
        if (!link) {
          counts.orphans = (counts.orphans ?? 0) + 1;
          if (orphans.length < ORPHAN_SAMPLE) orphans.push({ type, targetId: o.id });
          continue;
        }
        const exported = link.exported as TargetAttributes;
        // Compare only what the target returns: a write-only attribute (a password) is not drift.
        const comparable = Object.fromEntries(Object.entries(exported).filter(([k]) => k in o.attributes));
        if (diffAttributes(o.attributes, comparable)) drifted.push(link.object_id);
      }
      counts.drift = (counts.drift ?? 0) + drifted.length;
      await enqueue(deps.db, appId, type, drifted, now, { cycleId, force: true });
    } while (cursor);
    // Links whose object the target no longer has: a forced export finds it gone and recreates it.
    let after: string | null = null;
    for (;;) {
      let q = deps.db
        .selectFrom('outbound_links')
        .select(['object_id', 'target_id'])
        .where('app_id', '=', appId)
        .where('object_type', '=', type)
        .orderBy('object_id')
        .limit(1000);
      if (after) q = q.where('object_id', '>', after);
      const rows = await q.execute();
      if (rows.length === 0) break;
      after = rows[rows.length - 1]?.object_id ?? null;
      const missing = rows.filter((r) => !seen.has(r.target_id)).map((r) => r.object_id);
      counts.missing = (counts.missing ?? 0) + missing.length;
      await enqueue(deps.db, appId, type, missing, now, { cycleId, force: true });
    }
  }
  // Merged, not replaced: the exporter may already be counting this cycle's forced exports.
  await sql`update outbound_cycles
               set counts = counts || ${JSON.stringify(counts)}::jsonb, plan = ${JSON.stringify({ orphans })}::jsonb
             where id = ${cycleId}`.execute(deps.db);
  // The cycle closes when the forced exports it queued are done (see closeCycles).
  await kickExport(deps, appId);
}
