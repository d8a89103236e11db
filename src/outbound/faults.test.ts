// Outbound provisioning under target faults, end to end in one process: the whole app with its workers,
// a memory SCIM target over real HTTP, and where a test needs to see or shape the traffic, a small
// node:http proxy in front of the target (down and up again on the same port, per-request faults,
// concurrency counts). What the target holds at the end is checked against the directory and against
// what a plan computed before any export.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AppStatusBody,
  createOutboundTestApp,
  eventually,
  type OutboundTestApp,
} from '../../test/outbound.ts';
import { type MemoryScimTarget, startMemoryScimTarget } from '../../test/peers/memory-scim-target.ts';
import { systemContext } from '../core/index.ts';
import type { UserCreateInput } from '../directory/index.ts';

const TOKEN = 'target-token';
const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

type Json = Record<string, unknown>;
const asRecord = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------------
// A proxy in front of the memory target: real HTTP on its own port, which can go down (connections
// refused, open ones cut) and come back on the same port, fail chosen requests, and count concurrency.

interface ProxiedRequest {
  method: string;
  url: string;
  body: string;
}

interface Proxy {
  /** SCIM base URL through the proxy. */
  url: string;
  port: number;
  /** Most requests the target was working on at once (received, answer not yet sent back). */
  maxInFlight: number;
  /** Requests forwarded or failed by the proxy. */
  requests: number;
  /** Answers with this status instead of forwarding when it returns one. */
  fail: ((r: ProxiedRequest) => number | null) | null;
  /** Sees the target's answer first; 'drop' loses it (the target did the work, the client never hears). */
  intercept: ((r: ProxiedRequest, status: number) => 'drop' | 'pass') | null;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host']);

async function startProxy(target: MemoryScimTarget): Promise<Proxy> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let inFlight = 0;
  let server: http.Server | null = null;
  let port = 0;

  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      inFlight += 1;
      proxy.maxInFlight = Math.max(proxy.maxInFlight, inFlight);
      proxy.requests += 1;
      let answered = false;
      const answer = (status: number, headers: http.OutgoingHttpHeaders, payload: Buffer | string) => {
        if (answered) return;
        answered = true;
        // Counted out before the answer leaves: the client cannot send its next request earlier.
        inFlight -= 1;
        if (res.destroyed || res.writableEnded) return;
        res.writeHead(status, headers);
        res.end(payload);
      };
      const seen: ProxiedRequest = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        body: body.toString('utf8'),
      };
      const failing = proxy.fail?.(seen);
      if (failing) {
        answer(
          failing,
          { 'content-type': 'application/scim+json' },
          JSON.stringify({ schemas: [SCIM_ERROR], status: String(failing), detail: 'injected by the proxy' }),
        );
        return;
      }
      const headers: http.OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(req.headers))
        if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
      headers['content-length'] = String(body.length);
      const upstream = http.request(
        `${target.origin}${req.url ?? '/'}`,
        { method: req.method ?? 'GET', headers, agent },
        (r) => {
          const parts: Buffer[] = [];
          r.on('data', (c: Buffer) => parts.push(c));
          r.on('end', () => {
            const status = r.statusCode ?? 502;
            if (proxy.intercept?.(seen, status) === 'drop') {
              answered = true;
              inFlight -= 1;
              res.destroy();
              return;
            }
            const out: http.OutgoingHttpHeaders = {};
            for (const [k, v] of Object.entries(r.headers))
              if (!HOP_BY_HOP.has(k) && v !== undefined) out[k] = v;
            answer(status, out, Buffer.concat(parts));
          });
          r.on('error', () => answer(502, {}, 'upstream answer broken'));
        },
      );
      upstream.on('error', () => answer(502, {}, 'upstream unreachable'));
      upstream.end(body);
    });
  };

  const listen = async () => {
    const s = http.createServer({ keepAlive: true }, handle);
    s.keepAliveTimeout = 65_000;
    await new Promise<void>((done, fail) => {
      s.once('error', fail);
      s.listen(port, '127.0.0.1', () => {
        s.off('error', fail);
        done();
      });
    });
    port = (s.address() as AddressInfo).port;
    server = s;
  };
  const stop = async () => {
    const s = server;
    server = null;
    if (!s) return;
    const closed = new Promise<void>((done) => s.close(() => done()));
    s.closeAllConnections();
    await closed;
  };

  await listen();
  const proxy: Proxy = {
    url: `http://127.0.0.1:${port}/scim/v2`,
    port,
    maxInFlight: 0,
    requests: 0,
    fail: null,
    intercept: null,
    down: stop,
    up: listen,
    close: async () => {
      await stop();
      agent.destroy();
    },
  };
  return proxy;
}

// ---------------------------------------------------------------------------------------------------
// One private app (database, workers, target) per test.

interface World {
  t: OutboundTestApp;
  target: MemoryScimTarget;
  proxy: Proxy | null;
  appId: string;
  users: Array<{ id: string; userName: string }>;
}

const worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds.splice(0)) {
    await w.t.close();
    await w.proxy?.close();
    await w.target.close();
  }
});

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

async function world(options: {
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
async function recovered(w: World, timeoutMs: number): Promise<AppStatusBody> {
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
function expectExactlyTheDirectory(w: World): void {
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
async function planCreates(w: World): Promise<Map<string, Json>> {
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

function expectAsPlanned(w: World, planned: Map<string, Json>): void {
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
function watch(w: World, everyMs = 100): { seen: AppStatusBody[]; stop: () => Promise<AppStatusBody[]> } {
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

async function start(w: World): Promise<void> {
  const r = await w.t.api<{ cycle: { kind: string } }>('POST', `/outbound/apps/${w.appId}/start`);
  expect(r.status).toBe(202);
}

// ---------------------------------------------------------------------------------------------------

describe('outbound provisioning under target faults', { timeout: 90_000 }, () => {
  it('recovers from the target going down mid-cycle: quarantined while down, every user exactly once after', async () => {
    const w = await world({
      users: 300,
      proxy: true,
      env: { JOINERY_OUTBOUND_BATCH_SIZE: '25' },
      // One retry inside a call, so that calls fail within a second while the target is down.
      connector: { maxRetries: 1 },
    });
    const proxy = w.proxy as Proxy;
    const planned = await planCreates(w);
    // The target goes down as it creates the 50th user (between two batches of 25): that answer is lost,
    // open connections are cut and new ones refused.
    let created = 0;
    let wentDown: Promise<void> | undefined;
    proxy.intercept = (r, status) => {
      if (r.method !== 'POST' || status !== 201 || ++created !== 50) return 'pass';
      wentDown = proxy.down();
      return 'drop';
    };
    await start(w);
    await eventually(async () => (wentDown ? true : undefined), 30_000, 'the target to go down');
    await wentDown;
    proxy.intercept = null;
    const heldWhenDown = w.target.stats().users;
    const watching = watch(w);
    await sleep(6000);
    const whileDown = [...watching.seen];
    await proxy.up();
    const status = await recovered(w, 60_000);
    const all = await watching.stop();

    expect(heldWhenDown, 'the target went down mid-cycle').toBeLessThan(300);
    // Quarantined while down (soft: the end state below is checked either way).
    const reasons = new Set(whileDown.flatMap((s) => (s.quarantine ? [s.quarantine.reason] : [])));
    const summary = whileDown.map(
      (s) => `${s.state}/${s.quarantine?.reason ?? '-'}/pending ${s.pending}/escrowed ${s.escrowed}`,
    );
    expect
      .soft(
        [...reasons].filter((r) => r === 'TargetUnreachable' || r === 'EncounteredEscrowProportionThreshold'),
        `quarantine while the target was down (statuses seen: ${[...new Set(summary)].join(', ')})`,
      )
      .not.toEqual([]);
    expect
      .soft(
        whileDown.some((s) => s.state === 'quarantined'),
        'state quarantined while down',
      )
      .toBe(true);
    // Lifted after: the last status seen is idle, with no quarantine.
    expect(all.at(-1)?.quarantine ?? null).toBeNull();
    expect(status.state).toBe('idle');
    expect(status.escrowed).toBe(0);
    expect(status.lastCycle?.status).toBe('done');
    expectExactlyTheDirectory(w);
    expectAsPlanned(w, planned);
    // The user whose create answer was lost was found by matching on the retry, and linked.
    const linked = await w.t.api<{ items: unknown[] }>('GET', `/outbound/logs?appId=${w.appId}&action=link`);
    expect(linked.body.items.length, 'creates replayed as a link').toBeGreaterThanOrEqual(1);
  });

  it('rides out a 429 storm: everything arrives exactly once, escrowed meanwhile, never quarantined', async () => {
    const w = await world({ users: 150, env: { JOINERY_OUTBOUND_BATCH_SIZE: '50' } });
    await start(w);
    await eventually(
      async () => (w.target.stats().users >= 20 ? true : undefined),
      30_000,
      '20 users in the target',
    );
    const watching = watch(w);
    // Every request fails until 60 have: calls exhaust their in-call retries (Retry-After 1 s each).
    w.target.setFault({ status: 429, retryAfterSeconds: 1, count: 60 });
    const status = await recovered(w, 60_000);
    const seen = await watching.stop();

    expect(w.target.stats().faultsInjected).toBe(60);
    expect(
      seen.filter((s) => s.quarantine !== null).map((s) => s.quarantine),
      'quarantines during throttling',
    ).toEqual([]);
    expect(
      Math.max(...seen.map((s) => s.escrowed)),
      'escrowed objects shown while throttled',
    ).toBeGreaterThan(0);
    const throttled = seen.flatMap((s) => s.recentErrors).map((e) => e.error?.code);
    expect(throttled).toContain('rate_limited');
    expect(status.escrowed).toBe(0);
    expectExactlyTheDirectory(w);
  });

  it('quarantines on refused credentials, and fixing the token then starting lifts it and provisions', async () => {
    const w = await world({
      users: 20,
      targetToken: 'right-token',
      appToken: 'wrong-token',
      // A realistic first quarantine wait: starting the app again must not wait for it.
      env: { JOINERY_OUTBOUND_QUARANTINE_RETRY_SECONDS: '60' },
    });
    await start(w);
    const quarantined = await eventually(
      async () => {
        const s = await w.t.status(w.appId);
        return s.quarantine ? s : undefined;
      },
      20_000,
      'the quarantine',
    );
    expect(quarantined.state).toBe('quarantined');
    expect(quarantined.quarantine?.reason).toBe('EncounteredQuarantineException');
    expect(quarantined.quarantine?.message).toContain('401');
    expect(quarantined.quarantine?.message).not.toContain('wrong-token');
    expect(w.target.stats().users).toBe(0);

    const got = await w.t.api<{ definition: Json }>('GET', `/outbound/apps/${w.appId}`);
    expect(got.status).toBe(200);
    const definition = got.body.definition;
    const connector = asRecord(definition.connector);
    const config = asRecord(connector.config);
    expect(asRecord(config.auth).token).toBe('********');
    const put = await w.t.api<{ quarantine: unknown }>('PUT', `/outbound/apps/${w.appId}`, {
      ...definition,
      connector: { ...connector, config: { ...config, auth: { type: 'bearer', token: 'right-token' } } },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    await start(w);
    const afterStart = await w.t.status(w.appId);
    expect(afterStart.quarantine).toBeNull();
    const status = await recovered(w, 20_000);
    expect(status.lastCycle?.kind).toBe('full');
    expectExactlyTheDirectory(w);
  });

  it('keeps to the rate limit: 20 requests/s and never more than 2 requests in flight', async () => {
    const users = 60;
    const rate = 20;
    const w = await world({
      users,
      proxy: true,
      app: { rateLimit: { requestsPerSecond: rate, concurrency: 2 } },
    });
    const proxy = w.proxy as Proxy;
    const began = Date.now();
    await start(w);
    await recovered(w, 60_000);
    const elapsed = Date.now() - began;

    expect(proxy.maxInFlight, 'requests in flight at the target at once').toBeLessThanOrEqual(2);
    // Every request goes through the token bucket, whose burst is one second's worth: at least a create
    // per user plus the connect, so the run cannot be shorter than what the bucket lets through.
    expect(proxy.requests).toBeGreaterThanOrEqual(users + 1);
    const floorMs = ((proxy.requests - rate) / rate) * 1000;
    expect(elapsed, `${proxy.requests} requests`).toBeGreaterThanOrEqual(floorMs * 0.95);
    expectExactlyTheDirectory(w);
  });

  it('escrows a user the target keeps refusing, with growing attempts, and delivers it once the fault stops', async () => {
    const w = await world({
      users: 30,
      proxy: true,
      // No retry inside a call: each engine attempt is one request.
      connector: { maxRetries: 0 },
    });
    const proxy = w.proxy as Proxy;
    const victim = w.users[7] as { id: string; userName: string };
    const mentionsVictim = (r: ProxiedRequest) =>
      decodeURIComponent(r.url).includes(victim.userName) || r.body.includes(`"${victim.userName}"`);
    let refused = 0;
    proxy.fail = (r) => {
      if (!mentionsVictim(r)) return null;
      refused += 1;
      return 500;
    };
    await start(w);
    const attempts: number[] = [];
    const escrowed = await eventually(
      async () => {
        const s = await w.t.status(w.appId);
        const mine = s.recentErrors.find((e) => e.objectId === victim.id);
        if (mine && attempts.at(-1) !== mine.attempts) attempts.push(mine.attempts);
        return mine && mine.attempts >= 3 ? s : undefined;
      },
      30_000,
      'three attempts at the refused user',
    );
    expect(attempts, 'attempts seen').toEqual([...attempts].sort((a, b) => a - b));
    expect(attempts.at(-1)).toBeGreaterThanOrEqual(3);
    const mine = escrowed.recentErrors.find((e) => e.objectId === victim.id);
    expect(mine?.error?.code).toBe('server');
    expect(escrowed.escrowed).toBe(1);
    expect(escrowed.linked.users).toBe(w.users.length - 1);
    expect(escrowed.quarantine).toBeNull();
    const names = new Set(w.target.dump().users.map((u) => String(u.userName)));
    expect(names.has(victim.userName)).toBe(false);
    expect(names.size).toBe(w.users.length - 1);
    expect(refused).toBeGreaterThanOrEqual(3);

    proxy.fail = null;
    const status = await recovered(w, 20_000);
    expect(status.escrowed).toBe(0);
    expect(status.recentErrors).toEqual([]);
    expectExactlyTheDirectory(w);
  });
});
