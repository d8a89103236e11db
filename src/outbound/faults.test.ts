// Outbound provisioning under target faults, end to end in one process: the whole app with its workers,
// a memory SCIM target over real HTTP, and where a test needs to see or shape the traffic, a small
// node:http proxy in front of the target (down and up again on the same port, per-request faults,
// concurrency counts). What the target holds at the end is checked against the directory and against
// what a plan computed before any export.
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/outbound.ts';
import {
  asRecord,
  closeWorlds,
  expectAsPlanned,
  expectExactlyTheDirectory,
  type Json,
  planCreates,
  recovered,
  sleep,
  start,
  watch,
  world,
} from '../../test/outbound-faults.ts';
import type { FaultProxy, ProxiedRequest } from '../../test/peers/fault-proxy.ts';

afterEach(closeWorlds);
describe('outbound provisioning under target faults', { timeout: 90_000 }, () => {
  it('recovers from the target going down mid-cycle: quarantined while down, every user exactly once after', async () => {
    const w = await world({
      users: 300,
      proxy: true,
      env: { JOINERY_OUTBOUND_BATCH_SIZE: '25' },
      // One retry inside a call, so that calls fail within a second while the target is down.
      connector: { maxRetries: 1 },
    });
    const proxy = w.proxy as FaultProxy;
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
    const proxy = w.proxy as FaultProxy;
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
    const proxy = w.proxy as FaultProxy;
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
