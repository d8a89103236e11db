import type { Db, Tx } from '../db/index.ts';
import type { Directory } from '../directory/index.ts';
import type { CompiledApp } from './compiled-app.ts';
import type { Connector, TargetAttributes } from './connector.ts';
import { type BatchContext, type Decided, decide, type Link, linkKey } from './decide.ts';
import type { ObjectType } from './enqueue.ts';
import { execute, heldOutcome, type Outcome } from './execute.ts';
import { groupsInScope, usersInScope } from './scope.ts';

type Conn = Db | Tx;

export interface WorkItem {
  type: ObjectType;
  id: string;
  force: boolean;
}

interface LinkRow {
  object_type: string;
  object_id: string;
  target_id: string;
  state: string;
  exported: unknown;
  members: unknown;
}

const toLink = (r: LinkRow): Link => ({
  targetId: r.target_id,
  state: r.state === 'disabled' ? 'disabled' : 'active',
  exported: (r.exported ?? {}) as TargetAttributes,
  members: Array.isArray(r.members) ? (r.members as string[]) : null,
});

/** Reads what a batch needs in a handful of queries: objects, scope, links, members and their links. */
export async function loadBatchContext(
  db: Conn,
  directory: Directory,
  app: CompiledApp,
  connector: Connector,
  items: readonly WorkItem[],
  now: Date,
): Promise<BatchContext> {
  const userIds = items.filter((i) => i.type === 'user').map((i) => i.id);
  const groupIds = items.filter((i) => i.type === 'group').map((i) => i.id);
  const [users, groups, scopedUsers, scopedGroups, memberLists] = await Promise.all([
    directory.usersByIds(userIds),
    directory.groupsByIds(groupIds),
    usersInScope(db, app.id, app.definition, userIds),
    groupsInScope(db, app.id, app.definition, groupIds),
    groupIds.length > 0 ? directory.directMembersOf(groupIds) : Promise.resolve(new Map()),
  ]);
  const members = new Map<string, string[]>();
  for (const [gid, list] of memberLists as Map<string, Array<{ type: string; id: string }>>)
    members.set(
      gid,
      list.filter((m) => m.type === 'user').map((m) => m.id),
    );
  // Managers and members are referenced by target id: read the links of everyone a batch points at.
  const referenced = new Set<string>(userIds);
  for (const u of users.values()) if (u.managerId) referenced.add(u.managerId);
  for (const list of members.values()) for (const m of list) referenced.add(m);
  const linkRows = await linksOf(db, app.id, [...referenced], groupIds);
  const links = new Map<string, Link>();
  const userTargets = new Map<string, string>();
  for (const r of linkRows) {
    const link = toLink(r);
    links.set(linkKey(r.object_type as ObjectType, r.object_id), link);
    if (r.object_type === 'user' && link.state === 'active') userTargets.set(r.object_id, link.targetId);
  }
  const skipMatch = await kindsWithoutStrangers(db, app.id, connector, items, links);
  return {
    app,
    connector,
    now,
    users,
    groups,
    scopedUsers,
    scopedGroups,
    links,
    userTargets,
    members,
    skipMatch,
  };
}

/**
 * The kinds for which the target holds exactly as many objects as Joinery has links: then an unlinked
 * object has nothing to match. One count request and one indexed count per kind with unlinked objects,
 * instead of one look-up per object (an initial cycle into an empty target halves its requests). A
 * crash between a create and its commit leaves one object more than links, which turns this off.
 */
async function kindsWithoutStrangers(
  db: Conn,
  appId: string,
  connector: Connector,
  items: readonly WorkItem[],
  links: ReadonlyMap<string, Link>,
): Promise<Set<ObjectType>> {
  const out = new Set<ObjectType>();
  if (!connector.count) return out;
  for (const type of ['user', 'group'] as const) {
    if (!items.some((i) => i.type === type && !links.has(linkKey(type, i.id)))) continue;
    const counted = await connector.count(type);
    if (!counted.ok || counted.value === null) continue;
    const row = await db
      .selectFrom('outbound_links')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('app_id', '=', appId)
      .where('object_type', '=', type)
      .executeTakeFirstOrThrow();
    if (Number(row.n) === counted.value) out.add(type);
  }
  return out;
}

async function linksOf(db: Conn, appId: string, userIds: string[], groupIds: string[]): Promise<LinkRow[]> {
  const out: LinkRow[] = [];
  for (const [type, ids] of [
    ['user', userIds],
    ['group', groupIds],
  ] as const) {
    if (ids.length === 0) continue;
    const rows = await db
      .selectFrom('outbound_links')
      .select(['object_type', 'object_id', 'target_id', 'state', 'exported', 'members'])
      .where('app_id', '=', appId)
      .where('object_type', '=', type)
      .where('object_id', 'in', ids)
      .execute();
    out.push(...(rows as unknown as LinkRow[]));
  }
  return out;
}

/**
 * Dependency order inside a batch: a user's manager before the user (so the reference resolves in the
 * same pass), all users before groups (so members have target ids). Waves run one after another; the
 * objects of one wave run concurrently, bounded by the app's limiter.
 */
export function waves(ctx: BatchContext, items: readonly WorkItem[]): WorkItem[][] {
  const users = items.filter((i) => i.type === 'user');
  const inBatch = new Set(users.map((u) => u.id));
  const depth = new Map<string, number>();
  const depthOf = (id: string, seen: Set<string>): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const manager = ctx.users.get(id)?.managerId;
    const d = manager && inBatch.has(manager) && !seen.has(manager) ? depthOf(manager, seen.add(id)) + 1 : 0;
    depth.set(id, d);
    return d;
  };
  const out: WorkItem[][] = [];
  for (const u of users) {
    const d = depthOf(u.id, new Set());
    const wave = out[d] ?? [];
    wave.push(u);
    out[d] = wave;
  }
  const groups = items.filter((i) => i.type === 'group');
  const result = out.filter((w) => w && w.length > 0);
  if (groups.length > 0) result.push(groups);
  return result;
}

/**
 * Decides and executes a batch, wave by wave. `gate` sees each wave's decisions before anything is
 * written and returns the ones to hold back (the deletion threshold).
 */
export async function runBatch(
  ctx: BatchContext,
  items: readonly WorkItem[],
  gate: (decided: readonly Decided[]) => Promise<{ held: ReadonlySet<Decided>; threshold: number }>,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const wave of waves(ctx, items)) {
    const decided = await Promise.all(wave.map((item) => decide(ctx, item.type, item.id, item.force)));
    const { held, threshold } = await gate(decided);
    outcomes.push(
      ...(await Promise.all(decided.map((d) => (held.has(d) ? heldOutcome(d, threshold) : execute(ctx, d))))),
    );
  }
  return outcomes;
}

export async function decideBatch(ctx: BatchContext, items: readonly WorkItem[]): Promise<Decided[]> {
  const out: Decided[] = [];
  for (const wave of waves(ctx, items))
    out.push(...(await Promise.all(wave.map((item) => decide(ctx, item.type, item.id, item.force)))));
  return out;
}
