import { sql } from 'kysely';
import type { Tx } from '../db/index.ts';
import type { CompiledApp } from './compiled-app.ts';
import type { Outcome } from './execute.ts';
import type { OutboundLimits } from './types.ts';

export interface PendingRow {
  type: 'user' | 'group';
  id: string;
  force: boolean;
  attempts: number;
  cycleId: string | null;
  /** As read: a row re-queued since (a newer change) is left for the next pass. */
  enqueuedAt: Date;
}

/** Escrow: the wait before retrying an object that failed `attempts` times, doubling up to the cap. */
export function retryDelaySeconds(limits: OutboundLimits, attempts: number, retryAfterMs?: number): number {
  const grown = Math.min(limits.retryMaxSeconds, limits.retryBaseSeconds * 2 ** Math.max(0, attempts - 1));
  return Math.max(grown, (retryAfterMs ?? 0) / 1000);
}

export function logRows(
  appId: string,
  outcomes: readonly Outcome[],
  cycleOf: (o: Outcome) => string | null,
  now: Date,
) {
  return outcomes.map((o) => ({
    app_id: appId,
    cycle_id: cycleOf(o),
    object_type: o.decided.type,
    object_id: o.decided.id,
    display_name: o.decided.displayName,
    target_id: o.targetId,
    action: o.action,
    status: o.status,
    steps: o.decided.steps,
    modified: o.modified,
    error: o.failure,
    occurred_at: now.toISOString(),
  }));
}

export async function insertLog(tx: Tx, rows: ReturnType<typeof logRows>): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into outbound_log (app_id, cycle_id, object_type, object_id, display_name, target_id, action, status,
                              steps, modified, error, occurred_at)
    select v.app_id, v.cycle_id, v.object_type, v.object_id, v.display_name, v.target_id, v.action, v.status,
           v.steps, v.modified, v.error, v.occurred_at
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(
        app_id uuid, cycle_id uuid, object_type text, object_id uuid, display_name text, target_id text,
        action text, status text, steps jsonb, modified jsonb, error jsonb, occurred_at timestamptz)`.execute(
    tx,
  );
}

/** Writes the links an export changed: one upsert and one delete for the whole batch. */
export async function writeLinks(
  tx: Tx,
  appId: string,
  outcomes: readonly Outcome[],
  now: Date,
): Promise<void> {
  const upserts = outcomes.flatMap((o) =>
    o.link.kind === 'upsert'
      ? [
          {
            object_type: o.decided.type,
            object_id: o.decided.id,
            target_id: o.link.link.targetId,
            state: o.link.link.state,
            exported: o.link.link.exported,
            members: o.link.link.members,
          },
        ]
      : [],
  );
  if (upserts.length > 0)
    await sql`
      insert into outbound_links (app_id, object_type, object_id, target_id, state, exported, members, updated_at)
      select ${appId}, v.object_type, v.object_id, v.target_id, v.state, v.exported, v.members, ${now}
        from jsonb_to_recordset(${JSON.stringify(upserts)}::jsonb)
             as v(object_type text, object_id uuid, target_id text, state text, exported jsonb, members jsonb)
      on conflict (app_id, object_type, object_id) do update
         set target_id = excluded.target_id, state = excluded.state, exported = excluded.exported,
             members = excluded.members, updated_at = excluded.updated_at`.execute(tx);
  const deletes = outcomes.filter((o) => o.link.kind === 'delete');
  for (const type of ['user', 'group'] as const) {
    const ids = deletes.filter((o) => o.decided.type === type).map((o) => o.decided.id);
    if (ids.length > 0)
      await tx
        .deleteFrom('outbound_links')
        .where('app_id', '=', appId)
        .where('object_type', '=', type)
        .where('object_id', 'in', ids)
        .execute();
  }
}

/**
 * Settles the pending rows of a batch: done rows go; rows that failed in a way retrying can help are
 * escrowed (attempts + 1, due after a growing delay); rows re-queued by a newer change meanwhile stay
 * due. Non-retryable failures go too: only a change to the object or the app can fix them, and either
 * queues the object again.
 */
export async function settlePending(
  tx: Tx,
  appId: string,
  rows: readonly PendingRow[],
  outcomes: ReadonlyMap<string, Outcome>,
  limits: OutboundLimits,
  now: Date,
): Promise<void> {
  const settled = rows.map((r) => {
    const o = outcomes.get(`${r.type}:${r.id}`);
    const held = o?.held === true;
    const escrow = held || (o?.status === 'failure' && o.failure?.retryable === true);
    const attempts = held ? r.attempts : escrow ? r.attempts + 1 : 0;
    // Held deprovisions wait for approval, which makes them due again; a day is only the fallback.
    const delay = held ? 86_400 : retryDelaySeconds(limits, attempts, o?.failure?.retryAfterMs);
    const due = escrow ? new Date(now.getTime() + delay * 1000) : now;
    return {
      object_type: r.type,
      object_id: r.id,
      seen: r.enqueuedAt.toISOString(),
      escrow,
      attempts,
      due_at: due.toISOString(),
      last_error: o?.failure ?? null,
    };
  });
  await sql`
    delete from outbound_pending p
     using jsonb_to_recordset(${JSON.stringify(settled.filter((s) => !s.escrow))}::jsonb)
           as v(object_type text, object_id uuid, seen timestamptz)
     where p.app_id = ${appId} and p.object_type = v.object_type and p.object_id = v.object_id
       and p.enqueued_at = v.seen`.execute(tx);
  const escrowed = settled.filter((s) => s.escrow);
  if (escrowed.length > 0)
    await sql`
      update outbound_pending p
         set attempts = v.attempts, due_at = v.due_at, last_error = v.last_error
        from jsonb_to_recordset(${JSON.stringify(escrowed)}::jsonb)
             as v(object_type text, object_id uuid, seen timestamptz, attempts integer, due_at timestamptz,
                  last_error jsonb)
       where p.app_id = ${appId} and p.object_type = v.object_type and p.object_id = v.object_id
         and p.enqueued_at = v.seen`.execute(tx);
}

/** A user outcome that changes who the user's groups have as members in the target. */
const changesMembership = (o: Outcome) =>
  o.linkedNow ||
  o.unlinkedNow ||
  (o.status === 'success' && o.action === 'disable') ||
  (o.decided.decision.action === 'update' && o.decided.decision.reenable && o.status === 'success');

/**
 * Follow-ups of users whose target identity changed: linked direct reports whose manager reference is
 * missing or points at an old id (a renamed LDAP entry), and the app's groups that have them as members
 * (a new, deleted, disabled or re-enabled account changes the target's member list).
 */
export async function enqueueDependents(
  tx: Tx,
  app: CompiledApp,
  outcomes: readonly Outcome[],
  alreadyInBatch: ReadonlySet<string>,
  now: Date,
): Promise<void> {
  const users = outcomes.filter((o) => o.decided.type === 'user');
  const inBatch = [...alreadyInBatch];
  const linked = users.flatMap((o) =>
    o.linkedNow && o.targetId ? [{ id: o.decided.id, target: o.targetId }] : [],
  );
  const [reference] = [...app.referenceTargets];
  if (reference && linked.length > 0)
    await sql`
      insert into outbound_pending (app_id, object_type, object_id, enqueued_at, due_at)
      select ${app.id}::uuid, 'user', u.id, ${now}::timestamptz, ${now}::timestamptz
        from jsonb_to_recordset(${JSON.stringify(linked)}::jsonb) as v(id uuid, target text)
        join users u on u.manager_id = v.id and u.deleted_at is null
        join outbound_links l on l.app_id = ${app.id} and l.object_type = 'user' and l.object_id = u.id
       where (l.exported ->> ${reference}) is distinct from v.target
         and not (u.id = any(${inBatch}::uuid[]))
      on conflict (app_id, object_type, object_id) do update set due_at = excluded.due_at, enqueued_at = excluded.enqueued_at`.execute(
      tx,
    );
  const moved = users.filter(changesMembership).map((o) => o.decided.id);
  if (!app.definition.provisionGroups || moved.length === 0) return;
  const scoped =
    app.definition.scope === 'all'
      ? sql`exists (select 1 from groups g where g.id = m.group_id and g.deleted_at is null)`
      : sql`exists (select 1 from outbound_assignments a where a.app_id = ${app.id} and a.principal_id = m.group_id)`;
  await sql`
    insert into outbound_pending (app_id, object_type, object_id, enqueued_at, due_at)
    select distinct ${app.id}::uuid, 'group', m.group_id, ${now}::timestamptz, ${now}::timestamptz
      from group_members m
     where m.member_user_id = any(${moved}::uuid[])
       and (${scoped} or exists (select 1 from outbound_links l where l.app_id = ${app.id}
                                   and l.object_type = 'group' and l.object_id = m.group_id))
       and not (m.group_id = any(${inBatch}::uuid[]))
    on conflict (app_id, object_type, object_id) do update set due_at = excluded.due_at, enqueued_at = excluded.enqueued_at`.execute(
    tx,
  );
}

/** Adds a batch's outcomes to its cycles' counts. */
export async function updateCycles(
  tx: Tx,
  rows: readonly PendingRow[],
  outcomes: ReadonlyMap<string, Outcome>,
) {
  const counts = new Map<string, Record<string, number>>();
  for (const r of rows) {
    if (!r.cycleId) continue;
    const o = outcomes.get(`${r.type}:${r.id}`);
    if (!o) continue;
    const c = counts.get(r.cycleId) ?? {};
    const key = o.status === 'failure' ? 'failed' : o.action;
    c[key] = (c[key] ?? 0) + 1;
    counts.set(r.cycleId, c);
  }
  for (const [cycleId, c] of counts) {
    const row = await tx
      .selectFrom('outbound_cycles')
      .select('counts')
      .where('id', '=', cycleId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) continue;
    const merged: Record<string, number> = { ...(row.counts as Record<string, number>) };
    for (const [k, v] of Object.entries(c)) merged[k] = (merged[k] ?? 0) + v;
    await tx
      .updateTable('outbound_cycles')
      .set({ counts: JSON.stringify(merged) })
      .where('id', '=', cycleId)
      .execute();
  }
}

/**
 * Closes the app's running cycles that have nothing left to try. Called when the queue runs low, not
 * per batch: the existence check walks the cycle's index entries, which include the rows deleted since
 * the last vacuum, so per batch it would cost O(cycle size) each time.
 */
export async function closeCycles(tx: Tx, appId: string, now: Date): Promise<void> {
  await sql`
    update outbound_cycles c set status = 'done', finished_at = ${now}
     where c.app_id = ${appId} and c.status = 'running' and c.kind in ('initial', 'full', 'reconcile')
       and not exists (select 1 from outbound_pending p where p.cycle_id = c.id and p.attempts = 0)`.execute(
    tx,
  );
}
