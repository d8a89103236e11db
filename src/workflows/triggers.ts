import { sql } from 'kysely';
import {
  err,
  failure,
  isUuid,
  newId,
  ok,
  type RequestContext,
  type Result,
  systemContext,
} from '../core/index.ts';
import type { StoredEvent } from '../events/index.ts';
import { canonicalAttribute } from './definition.ts';
import { insertRuns, type RunRequest } from './runs.ts';
import { lateTimeRuns } from './scheduler.ts';
import { inGroupsSql, scopePredicate } from './scope-sql.ts';
import { getWorkflow, rowToWorkflow, type Workflow } from './store.ts';
import type { WorkflowsDeps } from './types.ts';

const canonical = canonicalAttribute;

/** The attributes an event says changed: `user.updated` lists them; enabling and disabling has events of its own. */
function changedAttributes(e: StoredEvent): string[] {
  if (e.type === 'user.enabled' || e.type === 'user.disabled') return ['accountEnabled'];
  if (e.type !== 'user.updated') return [];
  return Array.isArray(e.payload.changed) ? (e.payload.changed as string[]) : [];
}

/** People whose hire or leave date changed, by attribute: time-based workflows may be due for them now. */
function movedDates(events: readonly StoredEvent[]) {
  const out = new Map<'employeeHireDate' | 'employeeLeaveDateTime', string[]>();
  for (const e of events)
    for (const name of changedAttributes(e))
      if ((name === 'employeeHireDate' || name === 'employeeLeaveDateTime') && isUuid(e.aggregateId))
        out.set(name, [...new Set([...(out.get(name) ?? []), e.aggregateId])]);
  return out;
}

async function eventWorkflows(deps: WorkflowsDeps): Promise<Workflow[]> {
  const rows = await deps.db
    .selectFrom('workflows')
    .selectAll()
    .where('enabled', '=', true)
    .where('deleted_at', 'is', null)
    .where(sql<boolean>`definition -> 'trigger' ->> 'type' in ('attributeChange', 'membershipChange')`)
    .execute();
  return rows.map(rowToWorkflow);
}

/**
 * Attribute-change and membership-change triggers, fed by the outbox. Each event makes at most one run
 * per workflow and person (the occurrence is the event id), so a redelivered batch changes nothing.
 * A membership trigger looks at the person's membership when the event is handled: leaving a nested
 * group while still in a watched one (directly or through another group) is no leaving, and a person
 * who joined and left again before the event was handled has not joined. One batch makes one run per
 * person for a membership trigger (joining a nested group and its parent at once is one joining).
 */
export async function handleEvents(deps: WorkflowsDeps, events: readonly StoredEvent[]): Promise<void> {
  const relevant = events.filter(
    (e) =>
      e.type === 'user.updated' ||
      e.type === 'user.enabled' ||
      e.type === 'user.disabled' ||
      ((e.type === 'membership.added' || e.type === 'membership.removed') && e.payload.memberType === 'user'),
  );
  if (relevant.length === 0) return;
  await lateTimeRuns(deps, movedDates(relevant));
  const workflows = await eventWorkflows(deps);
  if (workflows.length === 0) return;
  const requests: RunRequest[] = [];
  for (const workflow of workflows) {
    const trigger = workflow.definition.trigger;
    const candidates = new Map<string, StoredEvent>();
    if (trigger.type === 'attributeChange') {
      const watched = new Set(trigger.triggerAttributes.map(canonical));
      for (const e of relevant)
        if (changedAttributes(e).some((name) => watched.has(canonical(name))))
          candidates.set(`${e.aggregateId}|${e.id}`, e);
    } else if (trigger.type === 'membershipChange') {
      const type = trigger.changeType === 'add' ? 'membership.added' : 'membership.removed';
      const groups = await watchedGroups(deps, workflow.definition.scope.groupIds ?? []);
      const seen = new Set<string>();
      for (const e of relevant) {
        const userId = String(e.payload.memberId);
        if (e.type !== type || !groups.has(String(e.payload.groupId)) || seen.has(userId)) continue;
        seen.add(userId);
        candidates.set(`${userId}|${e.id}`, e);
      }
    }
    if (candidates.size === 0) continue;
    // The rule still applies. For a membership trigger the groups are the change itself: a person who
    // joined is in them now, one who left is not.
    const scope = await scopePredicate(deps, {
      rule: workflow.definition.scope.rule,
      groupIds: trigger.type === 'membershipChange' ? undefined : workflow.definition.scope.groupIds,
    });
    if (!scope.ok) continue;
    const groupIds = workflow.definition.scope.groupIds ?? [];
    const membership =
      trigger.type !== 'membershipChange' || groupIds.length === 0
        ? sql`true`
        : trigger.changeType === 'add'
          ? inGroupsSql(groupIds)
          : sql`not ${inGroupsSql(groupIds)}`;
    const people = [...new Set([...candidates.keys()].map((k) => k.split('|')[0] as string))].filter(isUuid);
    const { rows } = await sql<{ id: string }>`
      select id from users
       where id = any(${people}::uuid[]) and deleted_at is null and ${scope.value} and ${membership}`.execute(
      deps.db,
    );
    const inScope = new Set(rows.map((r) => r.id));
    for (const [key, e] of candidates) {
      const userId = key.split('|')[0] as string;
      if (!inScope.has(userId)) continue;
      requests.push({
        workflowId: workflow.id,
        version: workflow.version,
        userId,
        trigger: trigger.type,
        occurrence: `event:${e.id}`,
        scheduledFor: e.occurredAt,
      });
    }
  }
  if (requests.length === 0) return;
  const ctx = systemContext(`workflows-events-${relevant[0]?.id ?? 0}`);
  await deps.db.transaction().execute((tx) => insertRuns(tx, deps, ctx, requests));
}

/** The groups and every group nested in them, at any depth. */
async function watchedGroups(deps: WorkflowsDeps, groupIds: readonly string[]): Promise<Set<string>> {
  if (groupIds.length === 0) return new Set();
  const { rows } = await sql<{ id: string }>`
    with recursive tree(id) as (
      select unnest(${[...groupIds]}::uuid[])
      union
      select n.member_group_id from group_members n join tree on n.group_id = tree.id
       where n.member_group_id is not null
    ) select id::text as id from tree`.execute(deps.db);
  return new Set(rows.map((r) => r.id));
}

/**
 * Runs a workflow now for the chosen people, whatever its trigger and scope and even while it is
 * disabled (as Entra's on-demand run does). Each call is its own occurrence.
 */
export async function activate(
  deps: WorkflowsDeps,
  ctx: RequestContext,
  workflowId: string,
  userIds: readonly string[],
): Promise<Result<{ runIds: string[] }>> {
  const found = await getWorkflow(deps, workflowId);
  if (!found.ok) return found;
  const workflow = found.value;
  const wanted = [...new Set(userIds)];
  if (wanted.length === 0) return ok({ runIds: [] });
  const bad = wanted.find((id) => !isUuid(id));
  const existing = bad
    ? []
    : await deps.db
        .selectFrom('users')
        .select('id')
        .where('id', 'in', wanted)
        .where('deleted_at', 'is', null)
        .execute();
  const known = new Set(existing.map((r) => r.id));
  const missing = bad ?? wanted.find((id) => !known.has(id));
  if (missing)
    return err(failure('directory.user_not_found', `user ${missing} does not exist`, { id: missing }));
  const runIds = await deps.db.transaction().execute((tx) =>
    insertRuns(
      tx,
      deps,
      ctx,
      wanted.map((userId) => ({
        workflowId: workflow.id,
        version: workflow.version,
        userId,
        trigger: 'onDemand' as const,
        // Each call is its own occurrence: a client may well send one correlation id with many calls.
        occurrence: `onDemand:${newId()}`,
      })),
    ),
  );
  return ok({ runIds });
}
