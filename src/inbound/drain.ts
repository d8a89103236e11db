import { sql } from 'kysely';
import { type RequestContext, type Result, systemContext } from '../core/index.ts';
import type { Tx } from '../db/index.ts';
import { isManagerCycle } from '../directory/index.ts';
import { commitBatch } from './commit.ts';
import type { CompiledSource } from './compiled-source.ts';
import { type Prepared, prepareBatch } from './prepare.ts';
import { saveResults } from './results.ts';
import { formatOf } from './runs.ts';
import { checkThreshold } from './threshold.ts';
import type { InboundDeps, InputRecord, RecordResult, RunKind, RunMode } from './types.ts';

/** Per source: one drainer at a time across every process, so one person's records apply in order. */
export const sourceLock = (tx: Tx, sourceId: string) =>
  sql<{
    locked: boolean;
  }>`select pg_try_advisory_xact_lock(hashtext(${`joinery.inbound:${sourceId}`})) as locked`.execute(tx);

export const waitSourceLock = (tx: Tx, sourceId: string) =>
  sql`select pg_advisory_xact_lock(hashtext(${`joinery.inbound:${sourceId}`}))`.execute(tx);

type Step = 'busy' | 'idle' | 'paused' | 'more' | { created: number };

interface PendingRow {
  run_id: string;
  n: number;
  person_key: string | null;
  data: Record<string, unknown>;
  kind: string;
  mode: string;
  run_status: string;
  total: number;
  actor: Record<string, unknown>;
  correlation_id: string | null;
}

/** Users created by one drain between two ANALYZE runs. */
const ANALYZE_EVERY = 10_000;

/**
 * An initial HR load grows `users` from nothing faster than autovacuum re-plans it (and PGlite has no
 * autovacuum at all): with statistics of a small table, every key look-up of a batch becomes a scan of
 * all users (measured: the largest single cost of a 100k load). Refreshing them every few thousand
 * creates keeps the look-ups on their indexes; ANALYZE samples, so it costs ~0.1 s at 100k users.
 */
async function refreshStatistics(deps: InboundDeps): Promise<void> {
  await sql`analyze users`.execute(deps.db);
  deps.logger.debug('refreshed users statistics after a bulk of creates');
}

/**
 * Processes pending records of one source in arrival order until none is left, a run is held by the
 * deletion threshold, or the source is paused. Every batch is one transaction: the directory writes,
 * lifecycle events and the records' results commit together, so a crash mid-batch replays the batch
 * and nothing is applied twice.
 */
export async function drainSource(
  deps: InboundDeps,
  loadSource: (id: string) => Promise<Result<CompiledSource & { enabled: boolean }>>,
  sourceId: string,
): Promise<void> {
  let createdSinceAnalyze = 0;
  let createdTotal = 0;
  for (;;) {
    // PGlite runs each query synchronously inside WASM: without a turn of the event loop between
    // batches, HTTP requests (health checks, uploads' 202s) would not even be read until the drain ends.
    await new Promise<void>((resolve) => setImmediate(resolve));
    // Read outside the batch transaction: on PGlite (one connection) a query on db inside it would wait forever.
    const loaded = await loadSource(sourceId);
    if (!loaded.ok) {
      // Records wait (nothing is lost) until the definition is fixed; the log says why.
      if (loaded.error.code !== 'inbound.source_not_found') {
        deps.logger.error(
          { sourceId, error: loaded.error },
          'inbound source cannot be compiled; its records wait',
        );
      }
      return;
    }
    if (!loaded.value.enabled) return;
    const source = loaded.value;
    const step = await deps.db.transaction().execute((tx) => drainOnce(tx, deps, source, sourceId));
    if (step === 'busy' || step === 'paused') return;
    if (typeof step === 'object') {
      createdSinceAnalyze += step.created;
      createdTotal += step.created;
      // Early and then every ANALYZE_EVERY: the first thousands of an empty directory change its shape most.
      if (createdSinceAnalyze >= Math.min(ANALYZE_EVERY, Math.max(1000, createdTotal / 2))) {
        await refreshStatistics(deps);
        createdSinceAnalyze = 0;
      }
    }
    if (step === 'idle') {
      // Records committed while our last (empty) batch held the lock may have found it busy: look once
      // more now that it is released, so none is left waiting for the next upload.
      const left = await deps.db
        .selectFrom('inbound_records')
        .select('n')
        .where('source_id', '=', sourceId)
        .where('status', '=', 'pending')
        .limit(1)
        .executeTakeFirst();
      if (!left) return;
    }
  }
}

async function drainOnce(tx: Tx, deps: InboundDeps, source: CompiledSource, sourceId: string): Promise<Step> {
  const { rows } = await sourceLock(tx, sourceId);
  if (!rows[0]?.locked) return 'busy';
  const pending = await sql<PendingRow>`
    select r.run_id, r.n, r.person_key, r.data, u.kind, u.mode, u.status as run_status, u.total, u.actor, u.correlation_id
      from inbound_records r join inbound_runs u on u.id = r.run_id
     where r.source_id = ${sourceId} and r.status = 'pending'
     order by r.seq
     limit ${deps.limits.batchSize}`.execute(tx);
  const first = pending.rows[0];
  if (!first) return 'idle';
  if (first.run_status === 'held') return 'paused';

  // One batch: consecutive records of one mode and one run kind, at most one record per person
  // (a person's later record waits for the next batch, keeping arrival order), stopping before a
  // run the deletion threshold holds.
  const batch: PendingRow[] = [];
  const people = new Set<string>();
  const checked = new Set<string>();
  const starting: string[] = [];
  for (const row of pending.rows) {
    if (row.mode !== first.mode || row.kind !== first.kind || row.run_status === 'held') break;
    if (row.person_key !== null && people.has(row.person_key)) break;
    if (row.run_status === 'accepted' && !checked.has(row.run_id)) {
      checked.add(row.run_id);
      if (row.mode === 'apply') {
        // An accepted run has every record pending; when all of them are in this page, reuse them.
        const loaded = pending.rows.filter((r) => r.run_id === row.run_id);
        const verdict = await checkThreshold(tx, deps, source, {
          id: row.run_id,
          kind: row.kind as RunKind,
          ...(loaded.length === row.total ? { records: loaded.map((r) => r.data) } : {}),
        });
        if (verdict.hold) {
          await tx
            .updateTable('inbound_runs')
            .set({ status: 'held', hold: JSON.stringify(verdict) })
            .where('id', '=', row.run_id)
            .execute();
          deps.logger.warn(
            { runId: row.run_id, sourceId, ...verdict },
            'inbound run held by the deletion threshold',
          );
          break;
        }
      }
      starting.push(row.run_id);
    }
    if (row.person_key !== null) people.add(row.person_key);
    batch.push(row);
  }
  if (starting.length > 0) {
    await tx
      .updateTable('inbound_runs')
      .set({ status: 'processing', started_at: deps.clock.now() })
      .where('id', '=', (eb) => eb.fn.any(eb.val(starting)))
      .execute();
  }
  if (batch.length === 0) return 'more';
  const records: InputRecord[] = batch.map((r) => ({
    runId: r.run_id,
    n: r.n,
    personKey: r.person_key,
    format: formatOf(r.kind as RunKind),
    data: r.data,
  }));
  const ctx = contextOf(batch[0] as PendingRow);
  const results = await processBatch(tx, deps, source, records, ctx, first.mode as RunMode);
  await saveResults(tx, deps, results, first.mode as RunMode);
  return { created: first.mode === 'apply' ? results.filter((r) => r.status === 'created').length : 0 };
}

function contextOf(row: PendingRow): RequestContext {
  const actor = row.actor as unknown as RequestContext['actor'];
  return actor?.type
    ? { actor, correlationId: row.correlation_id ?? `inbound-${row.run_id}` }
    : systemContext(`inbound-${row.run_id}`);
}

/**
 * Prepares and writes one batch. A preview writes inside a savepoint and rolls it back, so the plan is
 * exactly what applying would do now (uniqueness, managers, generated values). A batch that would close
 * a manager loop is replayed record by record, so only the culprit fails.
 */
export async function processBatch(
  tx: Tx,
  deps: InboundDeps,
  source: CompiledSource,
  records: readonly InputRecord[],
  ctx: RequestContext,
  mode: RunMode,
): Promise<RecordResult[]> {
  const attempt = async (subset: readonly InputRecord[]) => {
    await sql`savepoint inbound_batch`.execute(tx);
    try {
      const prepared = await prepareBatch(tx, deps, source, subset);
      const results = await commitBatch(tx, deps, source, prepared, ctx);
      if (mode === 'preview') {
        await sql`rollback to savepoint inbound_batch`.execute(tx);
        return results.map(asPlanned);
      }
      await sql`release savepoint inbound_batch`.execute(tx);
      return results;
    } catch (error) {
      await sql`rollback to savepoint inbound_batch`.execute(tx);
      throw error;
    }
  };
  try {
    return await attempt(records);
  } catch (error) {
    if (!isManagerCycle(error)) throw error;
  }
  const out: RecordResult[] = [];
  for (const record of records) {
    try {
      out.push(...(await attempt([record])));
    } catch (error) {
      if (!isManagerCycle(error)) throw error;
      out.push(cycleResult(record, error.message));
    }
  }
  return out;
}

function asPlanned(r: RecordResult): RecordResult {
  if (r.status === 'failed' || r.status === 'skipped') return { ...r, plan: null };
  const steps = r.steps.map((s) =>
    s.name === 'export' ? { ...s, description: `Would be: ${s.description}` } : s,
  );
  const plan = r.plan ? { ...r.plan, outcome: r.status, lifecycle: r.lifecycle } : null;
  return { ...r, status: 'planned', steps, plan };
}

function cycleResult(record: InputRecord, message: string): RecordResult {
  return {
    runId: record.runId,
    n: record.n,
    status: 'failed',
    lifecycle: null,
    userId: null,
    displayName: null,
    changed: [],
    error: { code: 'directory.manager_cycle', message },
    steps: [{ name: 'referenceResolution', status: 'failure', description: message }],
    plan: null,
    durationMs: 0,
  };
}

export type { Prepared };
