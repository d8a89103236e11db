import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundTestApp, eventually, type OutboundTestApp } from '../../test/outbound.ts';
import { type MemoryScimTarget, startMemoryScimTarget } from '../../test/peers/memory-scim-target.ts';
import { systemContext } from '../core/index.ts';

let t: OutboundTestApp;
let target: MemoryScimTarget;
const ctx = systemContext('test');

interface PlanItem {
  objectType: string;
  objectId: string;
  action: string;
  targetId: string | null;
  attributes?: Record<string, unknown>;
  set?: Record<string, unknown>;
  remove?: string[];
}
interface PlanBody {
  cycle: { id: string; status: string; counts: Record<string, number> };
  total: number;
  items: PlanItem[];
}

beforeAll(async () => {
  target = await startMemoryScimTarget();
  t = await createOutboundTestApp();
});
afterAll(async () => {
  await t?.close();
  await target?.close();
});

async function user(userName: string, extra: Record<string, unknown> = {}) {
  const r = await t.app.directory.createUser(ctx, { userName, displayName: userName, ...extra });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

async function app(name: string, extra: Record<string, unknown> = {}, on: MemoryScimTarget = target) {
  return t.createApp({
    name,
    connector: { type: 'scim', config: { baseUrl: on.url, auth: { type: 'bearer', token: 'x' } } },
    scope: 'assigned',
    ...extra,
  });
}

async function planOf(appId: string): Promise<PlanBody> {
  const started = await t.api<{ cycle: { id: string } }>('POST', `/outbound/apps/${appId}/plan`);
  expect(started.status).toBe(202);
  const id = started.body.cycle.id;
  return eventually(async () => {
    const r = await t.api<PlanBody>('GET', `/outbound/plans/${id}`);
    return r.status === 200 && r.body.cycle.status === 'planned' ? r.body : undefined;
  });
}

describe('plan and apply', () => {
  it('plans creates, updates and disables with attribute diffs, writing nothing', async () => {
    const appId = await app('plan app');
    const ann = await user('ann@example.com', {
      title: 'Analyst',
      emails: [{ value: 'ann@example.com', type: 'work', primary: true }],
    });
    const bob = await user('bob@example.com', { title: 'Builder' });
    const cat = await user('cat@example.com');
    for (const u of [ann, bob, cat])
      expect(
        (
          await t.api('POST', `/outbound/apps/${appId}/assignments`, {
            principalType: 'user',
            principalId: u.id,
          })
        ).status,
      ).toBe(201);
    await t.settle(appId);
    expect(target.stats().users).toBe(3);

    // Now: Ann moves, Bob is unassigned (disable), Dan is new. The app stays paused: a paused app exports
    // nothing by itself, so the plan sees every change still to do.
    const def = (await t.api<{ definition: Record<string, unknown> }>('GET', `/outbound/apps/${appId}`)).body
      .definition;
    expect((await t.api('PUT', `/outbound/apps/${appId}`, { ...def, enabled: false })).status).toBe(200);
    await t.app.directory.updateUser(ctx, ann.id, { title: 'Senior Analyst' });
    const dan = await user('dan@example.com', { title: 'Designer' });
    await t.api('POST', `/outbound/apps/${appId}/assignments`, {
      principalType: 'user',
      principalId: dan.id,
    });
    expect((await t.api('DELETE', `/outbound/apps/${appId}/assignments/${bob.id}`)).status).toBe(204);
    const writesBefore = target.stats().writes;

    const plan = await planOf(appId);
    const byUser = new Map(plan.items.map((i) => [i.objectId, i]));
    expect(byUser.get(ann.id)).toMatchObject({ action: 'update', set: { title: 'Senior Analyst' } });
    expect(byUser.get(bob.id)).toMatchObject({ action: 'disable' });
    expect(byUser.get(dan.id)).toMatchObject({
      action: 'create',
      attributes: { userName: 'dan@example.com', title: 'Designer' },
    });
    expect(byUser.has(cat.id)).toBe(false);
    expect(plan.cycle.counts).toMatchObject({ update: 1, disable: 1, create: 1, unchanged: 1 });
    expect(target.stats().writes).toBe(writesBefore);
  });

  it('applies a plan exactly, and refuses a stale one with the reason', async () => {
    // Its own target: the first test's app keeps exporting its late changes to the shared one.
    const own = await startMemoryScimTarget();
    const appId = await app('apply app', { enabled: false }, own);
    const eve = await user('eve@example.com', { title: 'Engineer' });
    const fay = await user('fay@example.com', { title: 'Founder' });
    for (const u of [eve, fay])
      await t.api('POST', `/outbound/apps/${appId}/assignments`, {
        principalType: 'user',
        principalId: u.id,
      });
    // A paused app exports nothing by itself, but can be planned and its plan applied: review first.
    const plan = await planOf(appId);
    expect(plan.items.map((i) => i.action).sort()).toEqual(['create', 'create']);

    await t.app.directory.updateUser(ctx, fay.id, { title: 'Chair' });
    const stale = await t.api<{ error: { code: string; message: string } }>(
      'POST',
      `/outbound/plans/${plan.cycle.id}/apply`,
    );
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('outbound.plan_stale');
    expect(stale.body.error.message).toContain('fay@example.com');

    const fresh = await planOf(appId);
    const applied = await t.api('POST', `/outbound/plans/${fresh.cycle.id}/apply`);
    expect(applied.status).toBe(202);
    await eventually(async () => {
      const c = await t.api<{ status: string }>('GET', `/outbound/cycles/${fresh.cycle.id}`);
      return c.body.status === 'applied' ? true : undefined;
    });
    const users = own
      .dump()
      .users.map((u) => [u.userName, u.title])
      .sort();
    expect(users).toEqual([
      ['eve@example.com', 'Engineer'],
      ['fay@example.com', 'Chair'],
    ]);
    const again = await t.api<{ error: { code: string } }>('POST', `/outbound/plans/${fresh.cycle.id}/apply`);
    expect(again.body.error.code).toBe('outbound.plan_already_applied');
    await own.close();
  });
});

describe('provision on demand', () => {
  it('provisions one user now and answers the step trace', async () => {
    target.reset();
    const appId = await app('on-demand app', { scope: 'all' });
    const gus = await user('gus@example.com', { title: 'Guide' });
    const r = await t.api<{
      action: string;
      status: string;
      targetId: string;
      steps: Array<{ name: string; status: string; description: string }>;
    }>('POST', `/outbound/apps/${appId}/provisionOnDemand`, { objectId: gus.id });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('success');
    expect(['create', 'update', 'link', 'unchanged']).toContain(r.body.action);
    expect(r.body.steps.map((s) => s.name)).toEqual(
      expect.arrayContaining(['connect', 'import', 'scoping', 'matching', 'export']),
    );
    expect(r.body.steps[0]?.name).toBe('connect');
    expect(target.dump().users.some((u) => u.userName === 'gus@example.com')).toBe(true);
  });

  it('explains an out-of-scope user without writing', async () => {
    const own = await startMemoryScimTarget();
    const appId = await t.createApp({
      name: 'on-demand assigned',
      connector: { type: 'scim', config: { baseUrl: own.url, auth: { type: 'bearer', token: 'x' } } },
      scope: 'assigned',
    });
    const hal = await user('hal@example.com');
    const writes = own.stats().writes;
    const r = await t.api<{
      action: string;
      steps: Array<{ name: string; status: string; description: string }>;
    }>('POST', `/outbound/apps/${appId}/provisionOnDemand`, { objectId: hal.id });
    expect(r.body.action).toBe('skip');
    expect(r.body.steps.find((s) => s.name === 'scoping')?.description).toContain('not assigned');
    expect(own.stats().writes).toBe(writes);
    await own.close();
  });

  it('answers a clear error for an unknown user and a failed connect', async () => {
    const appId = await app('on-demand errors', { scope: 'all' });
    const missing = await t.api<{ error: { code: string } }>(
      'POST',
      `/outbound/apps/${appId}/provisionOnDemand`,
      {
        objectId: '01890000-0000-7000-8000-000000000000',
      },
    );
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('outbound.object_not_found');
    const down = await t.createApp({
      name: 'unreachable',
      scope: 'all',
      connector: {
        type: 'scim',
        config: {
          baseUrl: 'http://127.0.0.1:9/scim/v2',
          auth: { type: 'bearer', token: 'x' },
          maxRetries: 0,
          timeoutMs: 1000,
        },
      },
    });
    const ivy = await user('ivy@example.com');
    const r = await t.api<{ status: string; steps: Array<{ name: string; status: string }> }>(
      'POST',
      `/outbound/apps/${down}/provisionOnDemand`,
      { objectId: ivy.id },
    );
    expect(r.body.status).toBe('failure');
    expect(r.body.steps).toEqual([expect.objectContaining({ name: 'connect', status: 'failure' })]);
  });
});
