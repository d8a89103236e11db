import type { Result } from '../core/index.ts';
import { type OutboundApp, openConnectorConfig } from './apps.ts';
import { loadBatchContext, runBatch } from './batch.ts';
import {
  closeCycles,
  enqueueDependents,
  insertLog,
  logRows,
  type PendingRow,
  settlePending,
  updateCycles,
  writeLinks,
} from './commit.ts';
import type { CompiledApp } from './compiled-app.ts';
import type { Capabilities, Connector, ConnectorResult } from './connector.ts';
import type { Decided } from './decide.ts';
import { kickExport } from './enqueue.ts';
import type { Outcome } from './execute.ts';
import { leaseLeft, releaseLease, takeLease } from './lease.ts';
import { clearQuarantine, quarantineApp, quarantineCause } from './quarantine.ts';
import { createLimiter, type Limiter, limitConnector } from './rate-limit.ts';
import type { OutboundDeps } from './types.ts';

export type AppLoader = (id: string) => Promise<Result<CompiledApp & { app: OutboundApp }>>;

interface Live {
  version: number;
  connector: Connector;
  limiter: Limiter;
  capabilities: Capabilities | null;
}

/** Per-process connectors, one per app version (sockets and OAuth tokens are reused across batches). */
export function createConnectorPool(deps: OutboundDeps) {
  const live = new Map<string, Live>();
  return {
    async get(app: CompiledApp): Promise<Live> {
      const current = live.get(app.id);
      if (current && current.version === app.version) return current;
      if (current) await current.connector.close();
      const limiter = createLimiter(app.definition.rateLimit);
      const raw = app.connector.create(openConnectorConfig(deps, app), {
        logger: deps.logger.child({ app: app.id, connector: app.connector.type }),
      });
      const fresh: Live = {
        version: app.version,
        connector: limitConnector(raw, limiter),
        limiter,
        capabilities: null,
      };
      live.set(app.id, fresh);
      return fresh;
    },
    async connect(app: CompiledApp, force = false): Promise<ConnectorResult<Capabilities>> {
      const l = await this.get(app);
      if (l.capabilities && !force) return { ok: true, value: l.capabilities };
      const r = await l.connector.connect();
      l.capabilities = r.ok ? r.value : null;
      return r;
    },
    async closeAll(): Promise<void> {
      for (const l of live.values()) await l.connector.close();
      live.clear();
    },
  };
}
export type ConnectorPool = ReturnType<typeof createConnectorPool>;

/** Where the exporter's walk through the pending queue got to, per kind. */
type QueueCursor = Map<'user' | 'group', { enqueuedAt: Date; id: string }>;

async function takeDueAfter(
  deps: OutboundDeps,
  appId: string,
  now: Date,
  cursor: QueueCursor,
): Promise<PendingRow[]> {
  const out: PendingRow[] = [];
  // Users before groups, so members have target ids when their groups are written; groups fill a batch
  // only once the due users fit in it (and run after them, see waves()).
  for (const type of ['user', 'group'] as const) {
    const want = deps.limits.batchSize - out.length;
    if (want <= 0) break;
    const after = cursor.get(type);
    let q = deps.db
      .selectFrom('outbound_pending')
      .select(['object_type', 'object_id', 'force', 'attempts', 'cycle_id', 'enqueued_at'])
      .where('app_id', '=', appId)
      .where('object_type', '=', type)
      .where('due_at', '<=', now);
    if (after)
      q = q.where((eb) =>
        eb(eb.refTuple('enqueued_at', 'object_id'), '>', eb.tuple(after.enqueuedAt, after.id)),
      );
    const rows = await q.orderBy('enqueued_at').orderBy('object_id').limit(want).execute();
    for (const r of rows)
      out.push({
        type: r.object_type,
        id: r.object_id,
        force: r.force,
        attempts: r.attempts,
        cycleId: r.cycle_id,
        enqueuedAt: new Date(r.enqueued_at),
      });
    const last = rows[rows.length - 1];
    if (last) cursor.set(type, { enqueuedAt: new Date(last.enqueued_at), id: last.object_id });
  }
  return out;
}

/**
 * The next batch: onwards from the cursor, and once that runs dry, once more from the start (escrowed
 * rows that fell due keep their old place in the queue; new and re-queued ones sort after the cursor).
 */
async function takeDue(
  deps: OutboundDeps,
  appId: string,
  now: Date,
  cursor: QueueCursor,
): Promise<PendingRow[]> {
  const rows = await takeDueAfter(deps, appId, now, cursor);
  if (rows.length > 0 || cursor.size === 0) return rows;
  cursor.clear();
  return takeDueAfter(deps, appId, now, cursor);
}

/** How many deprovisions the app made in the last hour (since the last approval). */
async function recentDeprovisions(deps: OutboundDeps, app: OutboundApp, now: Date): Promise<number> {
  const hourAgo = new Date(now.getTime() - 3_600_000);
  const approved = app.hold?.approvedAt ? new Date(app.hold.approvedAt) : null;
  const since = approved && approved > hourAgo ? approved : hourAgo;
  const row = await deps.db
    .selectFrom('outbound_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('app_id', '=', app.id)
    .where('action', 'in', ['disable', 'delete'])
    .where('status', '=', 'success')
    .where('occurred_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The deletion threshold: deprovisions past it wait for approval (Entra's accidental-deletion guard). */
function deletionGate(deps: OutboundDeps, app: OutboundApp, now: Date) {
  let used: number | null = null;
  return async (decided: readonly Decided[]) => {
    const threshold = app.definition.deletionThreshold;
    const deprovisions = decided.filter(
      (d) => d.decision.action === 'disable' || d.decision.action === 'delete',
    );
    if (threshold === null || deprovisions.length === 0)
      return { held: new Set<Decided>(), threshold: threshold ?? 0 };
    used ??= await recentDeprovisions(deps, app, now);
    // An approval releases the held burst: deprovisions pass for an hour after it.
    const approvedAt = app.hold?.approvedAt ? new Date(app.hold.approvedAt).getTime() : null;
    const approvedNow = approvedAt !== null && now.getTime() - approvedAt < 3_600_000;
    if (approvedNow || used + deprovisions.length <= threshold) {
      used += deprovisions.length;
      return { held: new Set<Decided>(), threshold };
    }
    const pending = await deps.db
      .selectFrom('outbound_pending')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('app_id', '=', app.id)
      .executeTakeFirstOrThrow();
    const since = app.hold && !app.hold.approvedAt ? app.hold.since : now.toISOString();
    const hold = { since, pending: Number(pending.n), threshold };
    await deps.db
      .updateTable('outbound_apps')
      .set({ hold: JSON.stringify(hold) })
      .where('id', '=', app.id)
      .execute();
    deps.logger.warn(
      { app: app.id, threshold, wanted: used + deprovisions.length },
      'deprovisions held: deletion threshold',
    );
    return { held: new Set(deprovisions), threshold };
  };
}

/**
 * Exports an app's due pending objects, batch after batch, until none is due. One exporter per app at a
 * time (lease). Quarantined apps wait for their retry time; a failed connect quarantines.
 */
export async function exportApp(
  deps: OutboundDeps,
  pool: ConnectorPool,
  load: AppLoader,
  appId: string,
): Promise<void> {
  const owner = deps.processId;
  if (!(await takeLease(deps.db, appId, owner, deps.clock.now(), deps.limits.leaseSeconds))) {
    // Someone holds the lease: a live exporter (it loops until nothing is due) or a crashed process
    // whose lease runs out. Look again just after it would expire, so recovery does not wait for the tick.
    await kickExport(deps, appId, (await leaseLeft(deps.db, appId, deps.clock.now())) + 1);
    return;
  }
  const startedAt = Date.now();
  const cursor: QueueCursor = new Map();
  try {
    for (;;) {
      const loaded = await load(appId);
      if (!loaded.ok) return;
      const compiled = loaded.value;
      const { app } = compiled;
      if (!app.definition.enabled) return;
      const now = deps.clock.now();
      if (app.quarantine && new Date(app.quarantine.retryAt) > now) {
        await kickExport(deps, appId, (new Date(app.quarantine.retryAt).getTime() - now.getTime()) / 1000);
        return;
      }
      const rows = await takeDue(deps, appId, now, cursor);
      if (rows.length === 0) {
        await deps.db.transaction().execute((tx) => closeCycles(tx, appId, now));
        await scheduleNextDue(deps, appId, now);
        return;
      }
      const connected = await pool.connect(compiled, app.quarantine !== null);
      if (!connected.ok) {
        const f = connected.failure;
        const reason =
          f.code === 'auth' || f.code === 'forbidden'
            ? 'EncounteredQuarantineException'
            : 'TargetUnreachable';
        const q = await quarantineApp(
          deps.db,
          appId,
          app.quarantine,
          { reason, message: f.message },
          now,
          deps.limits.quarantineRetrySeconds,
        );
        deps.logger.warn(
          { app: appId, reason, message: f.message, retryAt: q.retryAt },
          'application quarantined',
        );
        await kickExport(deps, appId, (new Date(q.retryAt).getTime() - now.getTime()) / 1000);
        return;
      }
      const { connector } = await pool.get(compiled);
      const ctx = await loadBatchContext(deps.db, deps.directory, compiled, connector, rows, now);
      const outcomes = await runBatch(ctx, rows, deletionGate(deps, app, now));
      await commitBatch(deps, compiled, rows, outcomes);
      const cause = quarantineCause(outcomes);
      if (cause) {
        const q = await quarantineApp(
          deps.db,
          appId,
          app.quarantine,
          cause,
          deps.clock.now(),
          deps.limits.quarantineRetrySeconds,
        );
        deps.logger.warn({ app: appId, ...cause, retryAt: q.retryAt }, 'application quarantined');
        await kickExport(deps, appId, (new Date(q.retryAt).getTime() - now.getTime()) / 1000);
        return;
      }
      if (app.quarantine) {
        await clearQuarantine(deps.db, appId);
        deps.logger.info({ app: appId }, 'application left quarantine');
      }
      // Stay within the job's expiry: hand over to a fresh job after a few minutes of work.
      if (Date.now() - startedAt > 240_000) {
        await kickExport(deps, appId);
        return;
      }
      if (!(await takeLease(deps.db, appId, owner, deps.clock.now(), deps.limits.leaseSeconds))) return;
    }
  } finally {
    await releaseLease(deps.db, appId, owner);
  }
}

/** Links, pending rows, log entries, cycle counts and follow-ups of one batch: one transaction. */
export async function commitBatch(
  deps: OutboundDeps,
  app: CompiledApp,
  rows: readonly PendingRow[],
  outcomes: readonly Outcome[],
  /** The cycle the log entries belong to when the rows do not say (plan apply). */
  cycleId: string | null = null,
): Promise<void> {
  const now = deps.clock.now();
  const byKey = new Map(outcomes.map((o) => [`${o.decided.type}:${o.decided.id}`, o]));
  const cycleOf = new Map(rows.map((r) => [`${r.type}:${r.id}`, r.cycleId]));
  const inBatch = new Set(rows.map((r) => r.id));
  await deps.db.transaction().execute(async (tx) => {
    await writeLinks(tx, app.id, outcomes, now);
    await settlePending(tx, app.id, rows, byKey, deps.limits, now);
    await insertLog(
      tx,
      logRows(app.id, outcomes, (o) => cycleOf.get(`${o.decided.type}:${o.decided.id}`) ?? cycleId, now),
    );
    await enqueueDependents(tx, app, outcomes, inBatch, now);
    await updateCycles(tx, rows, byKey);
    // A short batch means the queue is nearly drained: the moment a cycle can have finished.
    if (rows.length < deps.limits.batchSize) await closeCycles(tx, app.id, now);
  });
}

async function scheduleNextDue(deps: OutboundDeps, appId: string, now: Date): Promise<void> {
  const next = await deps.db
    .selectFrom('outbound_pending')
    .select((eb) => eb.fn.min('due_at').as('due'))
    .where('app_id', '=', appId)
    .executeTakeFirst();
  if (!next?.due) return;
  const wait = (new Date(next.due as Date).getTime() - now.getTime()) / 1000;
  await kickExport(deps, appId, Math.max(1, wait));
}
