import { sql } from 'kysely';
import type { Tx } from '../db/index.ts';
import type { InboundDeps, RecordResult, RunMode } from './types.ts';

/**
 * Stores each record's result (its provisioning log entry) and rolls the counts up into its run; a run
 * whose every record has a result is complete. One statement per table per batch.
 */
export async function saveResults(
  tx: Tx,
  deps: InboundDeps,
  results: readonly RecordResult[],
  mode: RunMode,
): Promise<void> {
  if (results.length === 0) return;
  const now = deps.clock.now();
  const rows = results.map((r) => ({
    run_id: r.runId,
    n: r.n,
    status: r.status,
    lifecycle: r.plan?.lifecycle ?? r.lifecycle,
    user_id: r.userId,
    display_name: r.displayName,
    changed: r.changed,
    error: r.error,
    steps: r.steps,
    plan: mode === 'preview' ? r.plan : null,
    duration_ms: r.durationMs,
  }));
  await sql`
    update inbound_records r
       set status = v.status, lifecycle = v.lifecycle, user_id = v.user_id, display_name = v.display_name,
           changed = v.changed, error = v.error, steps = v.steps, plan = v.plan, duration_ms = v.duration_ms,
           processed_at = ${now}
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
           as v(run_id uuid, n integer, status text, lifecycle text, user_id uuid, display_name text,
                changed jsonb, error jsonb, steps jsonb, plan jsonb, duration_ms integer)
     where r.run_id = v.run_id and r.n = v.n`.execute(tx);
  const perRun = new Map<string, Record<string, number>>();
  for (const r of results) {
    const counts = perRun.get(r.runId) ?? {};
    const key = r.status === 'planned' ? (r.plan?.outcome ?? 'planned') : r.status;
    counts[key] = (counts[key] ?? 0) + 1;
    perRun.set(r.runId, counts);
  }
  await addCounts(tx, deps, perRun, mode === 'preview' ? 'planned' : 'completed');
}

/** Adds per-status counts to runs and completes those whose counts reach their total (two statements). */
export async function addCounts(
  tx: Tx,
  deps: InboundDeps,
  perRun: ReadonlyMap<string, Record<string, number>>,
  doneStatus: 'planned' | 'completed',
): Promise<void> {
  if (perRun.size === 0) return;
  const runs = await tx
    .selectFrom('inbound_runs')
    .select(['id', 'counts', 'total'])
    .where('id', '=', (eb) => eb.fn.any(eb.val([...perRun.keys()])))
    .orderBy('id')
    .forUpdate()
    .execute();
  const rows = runs.map((run) => {
    const counts: Record<string, number> = { ...(run.counts ?? {}) };
    for (const [k, v] of Object.entries(perRun.get(run.id) ?? {})) counts[k] = (counts[k] ?? 0) + v;
    const done = Object.values(counts).reduce((a, b) => a + b, 0) >= run.total;
    return { id: run.id, counts, done };
  });
  await sql`
    update inbound_runs u
       set counts = v.counts,
           status = case when v.done then ${doneStatus} else u.status end,
           completed_at = case when v.done then ${deps.clock.now()}::timestamptz else u.completed_at end
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(id uuid, counts jsonb, done boolean)
     where u.id = v.id`.execute(tx);
}
