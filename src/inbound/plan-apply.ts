import { sql } from 'kysely';
import { err, failure, ok, type RequestContext, type Result } from '../core/index.ts';
import type { Tx } from '../db/index.ts';
import { commitBatch } from './commit.ts';
import type { CompiledSource } from './compiled-source.ts';
import { waitSourceLock } from './drain.ts';
import type { Prepared } from './prepare.ts';
import { formatOf, getRun, type RunSummary } from './runs.ts';
import type { InboundDeps, PlanEntry, RecordResult, RunKind, Step } from './types.ts';

interface PlannedRow {
  n: number;
  person_key: string | null;
  data: Record<string, unknown>;
  steps: Step[] | null;
  plan: PlanEntry | null;
}

interface Drift {
  n: number;
  personKey: string | null;
  reason: string;
}

/** Why each planned change no longer holds: the user changed, was deleted, or a new one now matches. */
async function findDrift(tx: Tx, deps: InboundDeps, rows: readonly PlannedRow[]): Promise<Drift[]> {
  const drift: Drift[] = [];
  const updates = rows.flatMap((r) => (r.plan?.before ? [{ row: r, before: r.plan.before }] : []));
  const ids = updates.map((u) => u.before.id);
  const current = new Map<string, { version: number }>();
  if (ids.length > 0) {
    const found = await tx
      .selectFrom('users')
      .select(['id', 'version'])
      .where('id', '=', (eb) => eb.fn.any(eb.val(ids)))
      .forNoKeyUpdate()
      .execute();
    for (const f of found) current.set(f.id, f);
  }
  for (const { row: r, before } of updates) {
    const now = current.get(before.id);
    if (!now) drift.push({ n: r.n, personKey: r.person_key, reason: `user ${before.id} no longer exists` });
    else if (now.version !== before.version) {
      drift.push({
        n: r.n,
        personKey: r.person_key,
        reason: `user ${before.id} changed since the plan (version ${before.version} → ${now.version})`,
      });
    }
  }
  const creates = rows.filter((r) => r.plan && !r.plan.before && r.plan.matchedOn);
  const byAttribute = new Map<string, PlannedRow[]>();
  for (const r of creates) {
    const attr = r.plan?.matchedOn?.attribute as string;
    byAttribute.set(attr, [...(byAttribute.get(attr) ?? []), r]);
  }
  for (const [attribute, list] of byAttribute) {
    const taken = await deps.directory.sync.lockUsersBy(
      tx,
      attribute as 'employeeId',
      list.map((r) => r.plan?.matchedOn?.value as string),
    );
    for (const r of list) {
      const value = r.plan?.matchedOn?.value as string;
      const holder = taken.get(attribute === 'userName' ? value.toLowerCase() : value);
      if (holder) {
        drift.push({
          n: r.n,
          personKey: r.person_key,
          reason: `a user with ${attribute} "${value}" now exists (${holder.id})`,
        });
      }
    }
  }
  return drift.sort((a, b) => a.n - b.n);
}

/**
 * Applies a preview exactly as computed: the stored inputs are written (no re-mapping, so generated
 * values stay), in one transaction, after checking that no planned user changed underneath. Any drift
 * refuses the whole plan with the reasons; run a new preview then.
 */
export async function applyPlan(
  deps: InboundDeps,
  ctx: RequestContext,
  loadSource: (id: string) => Promise<Result<CompiledSource>>,
  runId: string,
): Promise<Result<RunSummary>> {
  const found = await getRun(deps, runId);
  if (!found.ok) return found;
  const run = found.value;
  if (run.mode !== 'preview') {
    return err(
      failure('inbound.not_a_plan', `run ${runId} was not a preview: only previews can be applied`, {
        runId,
      }),
    );
  }
  if (run.status === 'applied') {
    return err(
      failure('inbound.plan_already_applied', `the plan of run ${runId} was already applied`, { runId }),
    );
  }
  if (run.status !== 'planned') {
    return err(
      failure('inbound.not_a_plan', `run ${runId} is still ${run.status}: wait until it is planned`, {
        runId,
      }),
    );
  }
  const source = await loadSource(run.sourceId);
  if (!source.ok) return source;
  const outcome = await deps.db.transaction().execute(async (tx): Promise<Result<null>> => {
    await waitSourceLock(tx, run.sourceId);
    const locked = await tx
      .selectFrom('inbound_runs')
      .select('status')
      .where('id', '=', runId)
      .forUpdate()
      .executeTakeFirst();
    if (locked?.status !== 'planned') {
      return err(
        failure('inbound.plan_already_applied', `the plan of run ${runId} was already applied`, { runId }),
      );
    }
    const { rows } = await sql<PlannedRow>`
      select n, person_key, data, steps, plan from inbound_records
       where run_id = ${runId} and status = 'planned' and plan is not null order by n`.execute(tx);
    const drift = await findDrift(tx, deps, rows);
    if (drift.length > 0) {
      return err(
        failure(
          'inbound.plan_stale',
          `the directory changed since the plan was made (${drift.length} record${drift.length === 1 ? '' : 's'}): ${drift
            .slice(0, 5)
            .map((d) => d.reason)
            .join('; ')}${drift.length > 5 ? '; ...' : ''}`,
          { runId, drift: drift.slice(0, 100) },
        ),
      );
    }
    const counts: Record<string, number> = {};
    for (const chunk of chunks(rows, deps.limits.batchSize)) {
      const prepared = await preparedFromPlan(tx, deps, runId, run.kind, chunk);
      const results = await commitBatch(tx, deps, source.value, prepared, ctx);
      await saveApplied(tx, deps, results);
      for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
    }
    await tx
      .updateTable('inbound_runs')
      .set({
        status: 'applied',
        hold: JSON.stringify({
          applied: counts,
          appliedAt: deps.clock.now().toISOString(),
          appliedBy: ctx.actor,
        }),
      })
      .where('id', '=', runId)
      .execute();
    return ok(null);
  });
  if (!outcome.ok) return outcome;
  return getRun(deps, runId);
}

/** Batches of at most `size`, cut before a person's second record so one write never holds a user twice. */
function chunks(rows: readonly PlannedRow[], size: number): PlannedRow[][] {
  const out: PlannedRow[][] = [];
  let current: PlannedRow[] = [];
  let people = new Set<string>();
  for (const row of rows) {
    const key = row.plan?.before?.id ?? row.person_key;
    if (current.length >= size || (key !== null && people.has(key))) {
      out.push(current);
      current = [];
      people = new Set();
    }
    current.push(row);
    if (key !== null) people.add(key);
  }
  if (current.length > 0) out.push(current);
  return out;
}

async function preparedFromPlan(
  tx: Tx,
  deps: InboundDeps,
  runId: string,
  kind: RunKind,
  rows: readonly PlannedRow[],
): Promise<Prepared[]> {
  const users = await deps.directory.sync.lockUsersById(
    tx,
    rows.flatMap((r) => (r.plan?.before ? [r.plan.before.id] : [])),
  );
  return rows.map((r) => {
    const plan = r.plan as PlanEntry;
    const before = plan.before ? (users.get(plan.before.id) ?? null) : null;
    return {
      record: { runId, n: r.n, personKey: r.person_key, format: formatOf(kind), data: r.data },
      steps: (r.steps ?? []).filter((s) => s.name !== 'export'),
      started: performance.now(),
      final: null,
      item: { before, input: plan.input, restore: plan.restore },
      plan,
      pendingManagerKey: plan.pendingManagerKey,
      clearsManager: plan.input.managerId === null,
      displayName: plan.displayName,
    };
  });
}

/** Applied plan records keep their plan and get the applied result and steps. */
async function saveApplied(tx: Tx, deps: InboundDeps, results: readonly RecordResult[]): Promise<void> {
  if (results.length === 0) return;
  const rows = results.map((r) => ({
    run_id: r.runId,
    n: r.n,
    status: r.status,
    lifecycle: r.lifecycle,
    user_id: r.userId,
    changed: r.changed,
    error: r.error,
    steps: r.steps,
  }));
  await sql`
    update inbound_records r
       set status = v.status, lifecycle = v.lifecycle, user_id = v.user_id, changed = v.changed,
           error = v.error, steps = v.steps, processed_at = ${deps.clock.now()}
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
           as v(run_id uuid, n integer, status text, lifecycle text, user_id uuid, changed jsonb, error jsonb, steps jsonb)
     where r.run_id = v.run_id and r.n = v.n`.execute(tx);
}
