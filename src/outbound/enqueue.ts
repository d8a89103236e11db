import { sql } from 'kysely';
import type { Db, Tx } from '../db/index.ts';
import type { StoredEvent } from '../events/index.ts';
import type { AppDefinition } from './app-schema.ts';
import { groupsInScope, usersInScope, usersUnderGroups } from './scope.ts';
import type { OutboundDeps } from './types.ts';

export const EXPORT_QUEUE = 'outbound.export';

type Conn = Db | Tx;
export type ObjectType = 'user' | 'group';

/**
 * Puts objects on an app's pending list (or makes them due now if they are already there). A new change
 * resets the due time but keeps the attempt count, so escrow still grows for a target that keeps failing.
 */
export async function enqueue(
  db: Conn,
  appId: string,
  type: ObjectType,
  ids: readonly string[],
  now: Date,
  options: { cycleId?: string | null; force?: boolean } = {},
): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    insert into outbound_pending (app_id, object_type, object_id, cycle_id, enqueued_at, due_at, force)
    select ${appId}, ${type}, t.id, ${options.cycleId ?? null}, ${now}, ${now}, ${options.force ?? false}
      from unnest(${[...new Set(ids)]}::uuid[]) as t(id)
    on conflict (app_id, object_type, object_id) do update
       set enqueued_at = excluded.enqueued_at, due_at = excluded.due_at,
           cycle_id = coalesce(excluded.cycle_id, outbound_pending.cycle_id),
           force = outbound_pending.force or excluded.force`.execute(db);
}

/**
 * Wakes the app's exporter, now or later. The queue's `short` policy keeps one *queued* job per singleton
 * key, so an immediate wake-up and a delayed one must not share a key: a retry scheduled for tomorrow
 * would otherwise swallow every wake-up until then. Delayed wake-ups get one key per minute they fire in.
 */
export const kickExport = (deps: OutboundDeps, appId: string, startAfterSeconds?: number) => {
  const delay = startAfterSeconds && startAfterSeconds > 0 ? Math.ceil(startAfterSeconds) : 0;
  const minute = Math.floor((deps.clock.now().getTime() + delay * 1000) / 60_000);
  return deps.jobs.send(
    EXPORT_QUEUE,
    { appId },
    delay > 0 ? { singletonKey: `${appId}@${minute}`, startAfterSeconds: delay } : { singletonKey: appId },
  );
};

async function linkedIds(
  db: Conn,
  appId: string,
  type: ObjectType,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('outbound_links')
    .select('object_id')
    .where('app_id', '=', appId)
    .where('object_type', '=', type)
    .where('object_id', 'in', [...ids])
    .execute();
  return new Set(rows.map((r) => r.object_id));
}

/** The users and groups a batch of directory events touched, and the groups whose members moved. */
function touched(events: readonly StoredEvent[]) {
  const users = new Set<string>();
  const groups = new Set<string>();
  const memberGroups = new Set<string>();
  for (const e of events) {
    if (e.aggregateType === 'user') users.add(e.aggregateId);
    else if (e.aggregateType === 'group') {
      groups.add(e.aggregateId);
      if (e.type.startsWith('membership.')) {
        const memberId = typeof e.payload.memberId === 'string' ? e.payload.memberId : null;
        if (memberId && e.payload.memberType === 'user') users.add(memberId);
        if (memberId && e.payload.memberType === 'group') memberGroups.add(memberId);
      }
      // A deleted or restored group moves its members in or out of assignment scope.
      if (e.type === 'group.deleted' || e.type === 'group.restored') memberGroups.add(e.aggregateId);
    }
  }
  return { users, groups, memberGroups };
}

/**
 * Incremental provisioning: the outbox subscriber. Each directory change queues the objects it affects
 * for every enabled app that has (or should have) them, and wakes that app's exporter: seconds from a
 * change to the target, not a polling cycle.
 */
export async function enqueueFromEvents(
  deps: OutboundDeps,
  events: readonly StoredEvent[],
  apps: ReadonlyArray<{ id: string; createdAt: string; definition: AppDefinition }>,
): Promise<void> {
  const relevant = events.filter(
    (e) => e.type.startsWith('user.') || e.type.startsWith('group.') || e.type.startsWith('membership.'),
  );
  if (relevant.length === 0 || apps.length === 0) return;
  const now = deps.clock.now();
  const affected = async (news: readonly StoredEvent[]) => {
    const { users, groups, memberGroups } = touched(news);
    const nested = memberGroups.size > 0 ? await usersUnderGroups(deps.db, [...memberGroups]) : [];
    return { userIds: [...new Set([...users, ...nested])], groupIds: [...groups] };
  };
  // Read once for every app older than the whole batch (the usual case), per app otherwise.
  let shared: Awaited<ReturnType<typeof affected>> | undefined;
  const oldest = Math.min(...relevant.map((e) => new Date(e.occurredAt).getTime()));
  for (const app of apps) {
    const def = app.definition;
    if (!def.enabled) continue;
    // What happened before the app existed is its initial cycle's business, not an incremental export
    // (a new install replays the whole outbox to a new subscriber).
    const created = new Date(app.createdAt).getTime();
    let userIds: string[];
    let groupIds: string[];
    if (created <= oldest) {
      shared ??= await affected(relevant);
      ({ userIds, groupIds } = shared);
    } else {
      const news = relevant.filter((e) => new Date(e.occurredAt).getTime() >= created);
      if (news.length === 0) continue;
      ({ userIds, groupIds } = await affected(news));
    }
    let queued = false;
    if (def.provisionUsers && userIds.length > 0) {
      const [scoped, linked] = await Promise.all([
        usersInScope(deps.db, app.id, def, userIds),
        linkedIds(deps.db, app.id, 'user', userIds),
      ]);
      const ids = userIds.filter((id) => scoped.has(id) || linked.has(id));
      await enqueue(deps.db, app.id, 'user', ids, now);
      queued ||= ids.length > 0;
    }
    if (groupIds.length > 0) {
      const [scoped, linked] = await Promise.all([
        groupsInScope(deps.db, app.id, def, groupIds),
        linkedIds(deps.db, app.id, 'group', groupIds),
      ]);
      const ids = groupIds.filter((id) => scoped.has(id) || linked.has(id));
      await enqueue(deps.db, app.id, 'group', ids, now);
      queued ||= ids.length > 0;
    }
    if (queued) await kickExport(deps, app.id);
  }
}
