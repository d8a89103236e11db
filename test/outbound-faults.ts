// One private app (database, workers, memory SCIM target, optional fault proxy) per outbound fault test,
// and the checks those tests make of what the target holds.
import { sql } from 'kysely';
import { expect } from 'vitest';
import { systemContext } from '../src/core/index.ts';
import type { UserCreateInput } from '../src/directory/index.ts';
import { type AppStatusBody, createOutboundTestApp, eventually, type OutboundTestApp } from './outbound.ts';
import { type FaultProxy, startProxy } from './peers/fault-proxy.ts';
import { type MemoryScimTarget, startMemoryScimTarget } from './peers/memory-scim-target.ts';

const TOKEN = 'target-token';

export type Json = Record<string, unknown>;
export const asRecord = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface World {
  t: OutboundTestApp;
  target: MemoryScimTarget;
  proxy: FaultProxy | null;
  appId: string;
  users: Array<{ id: string; userName: string }>;
}

const worlds: World[] = [];
/** Closes every world the test made (call from afterEach). */
export async function closeWorlds(): Promise<void> {
  for (const w of worlds.splice(0)) {
    await w.t.close();
    await w.proxy?.close();
    await w.target.close();
  }
}

function person(prefix: string, i: number): UserCreateInput {
  return {
    userName: `${prefix}${i}@example.com`,
    displayName: `Person ${prefix} ${i}`,
    givenName: `Given${i}`,
    familyName: `Family-${prefix}`,
    emails: [{ value: `${prefix}${i}@example.com`, type: 'work', primary: true }],
    title: 'Engineer',
    department: 'Engineering',
    employeeId: `${prefix}-${i}`,
    accountEnabled: true,
  };
}

export async function world(options: {
  users: number;
  env?: Record<string, string>;
  proxy?: boolean;
  targetToken?: string;
  appToken?: string;
  connector?: Json;
  app?: Json;
}): Promise<World> {
  const target = await startMemoryScimTarget({ token: options.targetToken ?? TOKEN });
  const proxy = options.proxy ? await startProxy(target) : null;
  const t = await createOutboundTestApp({ JOINERY_OUTBOUND_RETRY_MAX_SECONDS: '2', ...options.env });
  const w: World = { t, target, proxy, appId: '', users: [] };
  worlds.push(w);
  const ctx = systemContext('test');
  for (let from = 0; from < options.users; from += 100) {
    const items = Array.from({ length: Math.min(100, options.users - from) }, (_, k) =>
      person('u', from + k),
    );
    const r = await t.app.directory.upsertUsers(ctx, items, { matchOn: 'userName' });
    if (!r.ok) throw new Error(`loading users failed: ${r.error.message}`);
    for (const o of r.value) {
      if (o.kind === 'failed') throw new Error(`loading a user failed: ${o.error.message}`);
      w.users.push({ id: o.user.id, userName: o.user.userName });
    }
  }
  // The outbox dispatcher has seen the loading: the app's first exports are the cycle's, not those events'.
  await eventually(
    async () => {
      const r = await sql<{ behind: boolean }>`
        select exists (select 1 from events where position is null)
            or coalesce((select max(position) from events), 0)
               > coalesce((select position from event_cursors where subscriber = 'outbound'), 0) as behind`.execute(
        t.app.database.db,
      );
      return r.rows[0]?.behind ? undefined : true;
    },
    30_000,
    'the event dispatcher to catch up',
  );
  w.appId = await t.createApp({
    name: 'Faulty SaaS',
    connector: {
      type: 'scim',
      config: {
        baseUrl: proxy?.url ?? target.url,
        auth: { type: 'bearer', token: options.appToken ?? TOKEN },
        ...options.connector,
      },
    },
    scope: 'all',
    deprovisionAction: 'disable',
    reconcileSchedule: null,
    ...options.app,
  });
  return w;
}

/** Every user in the directory is linked, nothing is pending, no cycle runs and the app is idle. */
export async function recovered(w: World, timeoutMs: number): Promise<AppStatusBody> {
  let last: AppStatusBody | undefined;
  try {
    return await eventually(
      async () => {
        last = await w.t.status(w.appId);
        return last.pending === 0 &&
          last.linked.users === w.users.length &&
          last.state === 'idle' &&
          last.quarantine === null
          ? last
          : undefined;
      },
      timeoutMs,
      'the app to be idle with every user linked',
    );
  } catch (error) {
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}; last status ${JSON.stringify(last)}; target ${JSON.stringify(w.target.stats())}`,
    );
  }
}

/** The target holds exactly the directory's users: each userName once, each created once. */
export function expectExactlyTheDirectory(w: World): void {
  const dump = w.target.dump().users;
  const names = dump.map((u) => String(u.userName).toLowerCase());
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  expect(twice, 'userNames held twice').toEqual([]);
  expect(new Set(names)).toEqual(new Set(w.users.map((u) => u.userName.toLowerCase())));
  const posts = w.target.writes().filter((x) => x.method === 'POST' && x.kind === 'User');
  expect(posts.length, 'users created in the target (a replayed create must link, not create)').toBe(
    w.users.length,
  );
  const byExternalId = new Map(dump.map((u) => [String(u.externalId), u]));
  for (const u of w.users) expect(byExternalId.get(u.id)?.userName, `user ${u.id}`).toBe(u.userName);
}

/** Reads a flat mapping path (`name.givenName`, `emails[type eq "work"].value`, `urn:...:User:x`). */
function readPath(resource: Json, path: string): unknown {
  const urn = /^(urn:.+):([^:]+)$/.exec(path);
  if (urn) return asRecord(resource[urn[1] as string])[urn[2] as string];
  const typed = /^(\w+)\[type eq "([^"]+)"\]\.(\w+)$/.exec(path);
  if (typed) {
    const list = resource[typed[1] as string];
    const element = Array.isArray(list)
      ? list.map(asRecord).find((e) => String(e.type).toLowerCase() === typed[2])
      : undefined;
    return element?.[typed[3] as string];
  }
  const [head, sub] = path.split('.') as [string, string | undefined];
  return sub === undefined ? resource[head] : asRecord(resource[head])[sub];
}

interface PlanItem {
  objectType: string;
  objectId: string;
  action: string;
  attributes?: Json;
}

/** A dry run before any export: what each user should look like in the (empty) target. */
export async function planCreates(w: World): Promise<Map<string, Json>> {
  const started = await w.t.api<{ cycle: { id: string } }>('POST', `/outbound/apps/${w.appId}/plan`);
  expect(started.status).toBe(202);
  const id = started.body.cycle.id;
  await eventually(
    async () => {
      const c = await w.t.api<{ status: string }>('GET', `/outbound/cycles/${id}`);
      if (c.body.status === 'failed') throw new Error(`the plan failed: ${JSON.stringify(c.body)}`);
      return c.body.status === 'planned' ? true : undefined;
    },
    30_000,
    'the plan',
  );
  const plan = await w.t.api<{ items: PlanItem[]; total: number }>(
    'GET',
    `/outbound/plans/${id}?limit=10000`,
  );
  expect(plan.status).toBe(200);
  const creates = new Map<string, Json>();
  for (const item of plan.body.items)
    if (item.objectType === 'user' && item.action === 'create' && item.attributes)
      creates.set(item.objectId, item.attributes);
  expect(creates.size, 'planned creates').toBe(w.users.length);
  return creates;
}

export function expectAsPlanned(w: World, planned: Map<string, Json>): void {
  const byExternalId = new Map(w.target.dump().users.map((u) => [String(u.externalId), u]));
  const wrong: string[] = [];
  for (const [id, attributes] of planned) {
    const actual = byExternalId.get(id);
    if (!actual) {
      wrong.push(`${id}: missing`);
      continue;
    }
    for (const [path, value] of Object.entries(attributes)) {
      const got = readPath(actual, path);
      const want = value === null ? undefined : value;
      if (JSON.stringify(got) !== JSON.stringify(want))
        wrong.push(`${id} ${path}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
    }
  }
  expect(wrong.slice(0, 20), `${wrong.length} attributes not as planned`).toEqual([]);
}

/** Polls the status until `stop` says so; returns every status seen. */
export function watch(
  w: World,
  everyMs = 100,
): { seen: AppStatusBody[]; stop: () => Promise<AppStatusBody[]> } {
  const seen: AppStatusBody[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      seen.push(await w.t.status(w.appId));
      await sleep(everyMs);
    }
  })();
  return {
    seen,
    stop: async () => {
      running = false;
      await loop;
      return seen;
    },
  };
}

export async function start(w: World): Promise<void> {
  const r = await w.t.api<{ cycle: { kind: string } }>('POST', `/outbound/apps/${w.appId}/start`);
  expect(r.status).toBe(202);
}
