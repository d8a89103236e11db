import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MemoryScimTarget, startMemoryScimTarget } from '../peers/memory-scim-target.ts';
import { listAllUsers } from './http.ts';
import {
  type AppStatus,
  createApp,
  getStatus,
  loadPeople,
  logsOf,
  person,
  startCycle,
} from './outbound-client.ts';
import { killAll, type RunningServer, startServer } from './process.ts';
import { createStore, type E2eStore } from './store.ts';

const PEOPLE = 3000;
/** Small batches, so that the kill lands between a batch's writes to the target and its commit. */
const BATCH_SIZE = 100;
/**
 * SIGKILL once the target holds this many users (of PEOPLE): half-way through a batch's creates, so that
 * some users exist in the target without a link (their batch never committed).
 */
const KILL_AT = 650;
const TOKEN = 'crash-target-token';
const SETTLE_TIMEOUT_MS = 90_000;

describe('outbound crash recovery: kill -9 during the initial cycle', { timeout: 240_000 }, () => {
  let store: E2eStore;
  let target: MemoryScimTarget;

  beforeAll(async () => {
    store = await createStore();
    target = await startMemoryScimTarget({ token: TOKEN });
  });

  afterEach(async () => {
    await killAll();
  });

  afterAll(async () => {
    await killAll();
    await target?.close();
    await store?.cleanup();
  });

  it('provisions every user exactly once after a restart: replayed creates are matched, not doubled', async () => {
    // A short lease: the dead process's claim on the app runs out while the new one starts.
    const env = store.env({
      JOINERY_OUTBOUND_LEASE_SECONDS: '2',
      JOINERY_OUTBOUND_BATCH_SIZE: String(BATCH_SIZE),
      JOINERY_OUTBOUND_RETRY_BASE_SECONDS: '1',
      JOINERY_OUTBOUND_QUARANTINE_RETRY_SECONDS: '1',
      JOINERY_EVENT_POLL_MS: '50',
    });
    let server: RunningServer = await startServer(env);
    const token = await store.adminToken();
    const people = Array.from({ length: PEOPLE }, (_, i) => person(i));
    await loadPeople(server.url, token, people);
    const appId = await createApp(server.url, token, {
      name: 'Crash target',
      connector: { type: 'scim', config: { baseUrl: target.url, auth: { type: 'bearer', token: TOKEN } } },
      scope: 'all',
      deprovisionAction: 'disable',
      reconcileSchedule: null,
    });

    // 1. The initial cycle; kill -9 once the target holds some of the users but not all.
    const cycle = await startCycle(server.url, token, appId);
    expect(cycle.kind).toBe('initial');
    const waitDeadline = Date.now() + 60_000;
    while (target.writes().length < KILL_AT) {
      if (Date.now() > waitDeadline || server.process.exit)
        throw new Error(
          `${KILL_AT} users not in the target: ${JSON.stringify(target.stats())}\n${server.process.describe()}`,
        );
      await new Promise((r) => setTimeout(r, 2));
    }
    const killedAt = Date.now();
    const exit = await server.process.kill();
    const heldAtKill = target.stats().users;
    expect(exit.signal).toBe('SIGKILL');
    expect(heldAtKill, 'users in the target when the process died').toBeLessThan(PEOPLE);

    // 2. Restart on the same store; nothing is sent to it but status requests.
    server = await startServer(env);
    const listeningAt = Date.now();
    await server.process.waitFor(
      () => server.process.logLines().find((l) => l.msg === 'resuming outbound exports left pending'),
      'the "resuming outbound exports left pending" log line',
      30_000,
    );
    let last: AppStatus | undefined;
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    for (;;) {
      last = await getStatus(server.url, token, appId).catch(() => last);
      if (last && last.state === 'idle' && last.pending === 0 && last.linked.users === PEOPLE) break;
      if (Date.now() > deadline || server.process.exit)
        throw new Error(
          `not settled ${SETTLE_TIMEOUT_MS} ms after the restart: ${JSON.stringify(last)}; target ${JSON.stringify(target.stats())}\n${server.process.describe()}`,
        );
      await new Promise((r) => setTimeout(r, 250));
    }
    const settledMs = Date.now() - killedAt;
    const firstWriteAfter = target.writes(listeningAt)[0]?.at;
    const resumed =
      firstWriteAfter === undefined
        ? 'no write after the restart'
        : `first write ${firstWriteAfter - listeningAt} ms after listening`;

    // 3. The target: every user exactly once, each created by exactly one POST.
    const held = target.dump().users;
    const names = held.map((u) => String(u.userName).toLowerCase());
    const twice = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
    expect(twice, 'userNames held more than once').toEqual([]);
    expect(new Set(names)).toEqual(new Set(people.map((p) => p.userName)));
    const stats = target.stats();
    const creates = target.writes().filter((w) => w.method === 'POST' && w.kind === 'User');
    expect(creates.length, 'users created in the target').toBe(PEOPLE);
    expect(stats.requests['POST /Users'], 'POST /Users requests (a refused duplicate is one too)').toBe(
      PEOPLE,
    );

    // Each target user is the directory user it claims to be (externalId is the directory id).
    const directory = await listAllUsers(server.url, token);
    expect(directory.length).toBe(PEOPLE);
    const idOf = new Map(directory.map((u) => [u.userName.toLowerCase(), u.id]));
    const wrong = held.filter((u) => idOf.get(String(u.userName).toLowerCase()) !== u.externalId);
    expect(wrong.map((u) => u.userName).slice(0, 10), 'target users with the wrong externalId').toEqual([]);

    // The app: idle, everyone linked, the initial cycle done.
    expect(last.quarantine).toBeNull();
    expect(last.escrowed).toBe(0);
    expect(last.lastCycle?.id).toBe(cycle.id);
    expect(last.lastCycle?.status).toBe('done');
    const links = await logsOf(server.url, token, appId, { action: 'link' });
    const failures = await logsOf(server.url, token, appId, { status: 'failure' });

    expect(
      links.length,
      'users created before the kill whose batch never committed, matched after',
    ).toBeGreaterThan(0);
    expect(
      failures.map((f) => f.provisioningStatusInfo),
      'failed exports',
    ).toEqual([]);
    expect(await server.process.stop()).toEqual({ code: 0, signal: null });
    console.info(
      `[outbound-crash ${store.engine}] killed with ${heldAtKill} of ${PEOPLE} users in the target; ` +
        `${links.length} replayed creates matched and linked after the restart; ${failures.length} failed exports; ` +
        `restart listening ${listeningAt - killedAt} ms after the kill, ${resumed} (${new Date(firstWriteAfter ?? 0).toISOString()}); ` +
        `settled ${settledMs} ms after the kill`,
    );
  });
});
