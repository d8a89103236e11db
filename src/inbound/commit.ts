import { sql } from 'kysely';
import type { RequestContext } from '../core/index.ts';
import type { AuditChange, Tx } from '../db/index.ts';
import type { SyncKey, SyncOutcome, User } from '../directory/index.ts';
import { emitEvents, type NewEvent } from '../events/index.ts';
import type { CompiledSource } from './compiled-source.ts';
import type { Prepared } from './prepare.ts';
import { directoryAttributeOf } from './source-schema.ts';
import type { InboundDeps, Lifecycle, ModifiedProperty, RecordResult, RecordStatus } from './types.ts';

const isEmpty = (v: unknown) =>
  v === null ||
  v === undefined ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && Object.keys(v).length === 0);

const REDACTED = '[Redacted]';

/**
 * Entra's modifiedProperties; a new user's empty lists and extension bag are defaults, not changes.
 * Attributes written by a Redact expression show a marker, never their values.
 */
function modified(
  changes: AuditChange[],
  created: boolean,
  redacted: ReadonlySet<string>,
): ModifiedProperty[] {
  return changes
    .filter((c) => !(created && isEmpty(c.after)))
    .map((c) =>
      redacted.has(c.attribute)
        ? {
            displayName: c.attribute,
            oldValue: c.before == null ? null : REDACTED,
            newValue: c.after == null ? null : REDACTED,
          }
        : { displayName: c.attribute, oldValue: c.before ?? null, newValue: c.after ?? null },
    );
}

function redactedAttributes(source: CompiledSource): Set<string> {
  return new Set(source.mappings.redactedTargets.flatMap((t) => directoryAttributeOf(t) ?? []));
}

/** Joiner, mover, leaver, rehire or conversion, from what the write did. */
function classify(outcome: SyncOutcome): { status: RecordStatus; lifecycle: Lifecycle | null } {
  switch (outcome.kind) {
    case 'created':
      return { status: 'created', lifecycle: 'joiner' };
    case 'unchanged':
      return { status: 'unchanged', lifecycle: null };
    case 'failed':
      return { status: 'failed', lifecycle: null };
    case 'updated': {
      const { before, user } = outcome;
      if (outcome.restored || (!before.accountEnabled && user.accountEnabled)) {
        return { status: user.accountEnabled ? 'enabled' : 'updated', lifecycle: 'rehire' };
      }
      if (before.accountEnabled && !user.accountEnabled) return { status: 'disabled', lifecycle: 'leaver' };
      if (outcome.changes.some((c) => c.attribute === 'employeeType'))
        return { status: 'updated', lifecycle: 'conversion' };
      return { status: 'updated', lifecycle: 'mover' };
    }
  }
}

const exportDescription: Record<RecordStatus, string> = {
  created: 'Created the user',
  updated: 'Updated the user',
  enabled: 'Enabled the user',
  disabled: 'Disabled the user',
  unchanged: 'No attribute changed: nothing written',
  skipped: 'Skipped',
  failed: 'The directory refused the change',
  pending: '',
  planned: 'Planned (preview): nothing written',
  rejected: 'Rejected',
};

/**
 * Writes a prepared batch through the directory in `tx`, then in the same transaction: links reports
 * waiting for managers written here, records waiting links, and raises one lifecycle event per joiner,
 * mover, leaver, rehire or conversion. Returns each record's result for the provisioning log.
 */
export async function commitBatch(
  tx: Tx,
  deps: InboundDeps,
  source: CompiledSource,
  prepared: readonly Prepared[],
  ctx: RequestContext,
): Promise<RecordResult[]> {
  const writing = prepared.filter((p) => p.final === null && p.item !== null);
  const outcomes = await deps.directory.sync.syncUsers(
    tx,
    ctx,
    writing.map((p) => p.item as NonNullable<typeof p.item>),
  );
  const outcomeOf = new Map(writing.map((p, i) => [p, outcomes[i] as SyncOutcome]));
  const now = deps.clock.now();
  const events: NewEvent[] = [];
  const waiting: { userId: string; key: string }[] = [];
  const dropWaiting: string[] = [];
  const written: User[] = [];
  const redacted = redactedAttributes(source);
  const results = prepared.map((p): RecordResult => {
    const base = {
      runId: p.record.runId,
      n: p.record.n,
      displayName: p.displayName,
      steps: p.steps,
      plan: p.plan,
      durationMs: 0,
    };
    const outcome = outcomeOf.get(p);
    if (!outcome) {
      const status = p.final?.status ?? 'skipped';
      return { ...base, status, lifecycle: null, userId: null, changed: [], error: p.final?.error ?? null };
    }
    const { status, lifecycle } = classify(outcome);
    if (outcome.kind === 'failed') {
      p.steps.push({
        name: 'export',
        status: 'failure',
        description: `${exportDescription.failed}: ${outcome.error.message}`,
      });
      return {
        ...base,
        status,
        lifecycle,
        userId: p.item?.before?.id ?? null,
        changed: [],
        error: {
          code: outcome.error.code,
          message: outcome.error.message,
          ...(outcome.error.details ? { details: outcome.error.details } : {}),
        },
      };
    }
    const user = outcome.user;
    written.push(user);
    const changed =
      outcome.kind === 'unchanged' ? [] : modified(outcome.changes, outcome.kind === 'created', redacted);
    p.steps.push({
      name: 'export',
      status: 'success',
      description: exportDescription[status],
      ...(changed.length > 0 ? { details: { modifiedProperties: changed.map((c) => c.displayName) } } : {}),
    });
    if (p.pendingManagerKey) waiting.push({ userId: user.id, key: p.pendingManagerKey });
    else if (p.clearsManager || user.managerId) dropWaiting.push(user.id);
    if (lifecycle) {
      events.push({
        type: `lifecycle.${lifecycle}`,
        aggregateType: 'user',
        aggregateId: user.id,
        payload: {
          sourceId: source.id,
          runId: p.record.runId,
          userName: user.userName,
          ...(lifecycle === 'mover' || lifecycle === 'conversion'
            ? { changed: changed.map((c) => c.displayName) }
            : {}),
        },
      });
    }
    return { ...base, status, lifecycle, userId: user.id, changed, error: null };
  });

  if (dropWaiting.length > 0) {
    await tx
      .deleteFrom('inbound_pending_managers')
      .where('source_id', '=', source.id)
      .where('user_id', '=', (eb) => eb.fn.any(eb.val(dropWaiting)))
      .execute();
  }
  if (waiting.length > 0) {
    await sql`
      insert into inbound_pending_managers (source_id, user_id, manager_key, created_at)
      select ${source.id}, v.user_id, v.manager_key, ${now}
        from jsonb_to_recordset(${JSON.stringify(waiting.map((w) => ({ user_id: w.userId, manager_key: w.key })))}::jsonb)
             as v(user_id uuid, manager_key text)
      on conflict (source_id, user_id) do update set manager_key = excluded.manager_key, created_at = excluded.created_at`.execute(
      tx,
    );
  }
  await linkWaitingReports(tx, deps, source, written, ctx);
  await emitEvents(tx, deps.clock, ctx, events);
  const end = performance.now();
  for (const [i, r] of results.entries()) r.durationMs = Math.round(end - (prepared[i] as Prepared).started);
  return results;
}

/** Reports that named one of `managers` before it existed get their manager now (any arrival order). */
async function linkWaitingReports(
  tx: Tx,
  deps: InboundDeps,
  source: CompiledSource,
  managers: readonly User[],
  ctx: RequestContext,
): Promise<void> {
  const attribute = (source.config.matching[0] as { target: SyncKey }).target;
  const byKey = new Map<string, string>();
  for (const m of managers) {
    const key = m[attribute];
    if (key && !m.deletedAt) byKey.set(attribute === 'userName' ? key.toLowerCase() : key, m.id);
  }
  if (byKey.size === 0) return;
  const rows = await tx
    .selectFrom('inbound_pending_managers')
    .select(['user_id', 'manager_key'])
    .where('source_id', '=', source.id)
    .where('manager_key', '=', (eb) => eb.fn.any(eb.val([...byKey.keys()])))
    .execute();
  if (rows.length === 0) return;
  const pairs = rows.flatMap((r) => {
    const managerId = byKey.get(r.manager_key);
    return managerId && managerId !== r.user_id ? [{ userId: r.user_id, managerId }] : [];
  });
  await deps.directory.sync.setManagers(tx, ctx, pairs);
  await tx
    .deleteFrom('inbound_pending_managers')
    .where('source_id', '=', source.id)
    .where('user_id', '=', (eb) => eb.fn.any(eb.val(rows.map((r) => r.user_id))))
    .execute();
}
