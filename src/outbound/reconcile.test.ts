import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboundTestApp, eventually, type OutboundTestApp } from '../../test/outbound.ts';
import { type MemoryScimTarget, startMemoryScimTarget } from '../../test/peers/memory-scim-target.ts';
import { systemContext } from '../core/index.ts';

let t: OutboundTestApp;
const ctx = systemContext('test');
const targets: MemoryScimTarget[] = [];

beforeAll(async () => {
  t = await createOutboundTestApp();
});
afterAll(async () => {
  await t?.close();
  for (const target of targets) await target.close();
});

async function newTarget(): Promise<MemoryScimTarget> {
  const target = await startMemoryScimTarget();
  targets.push(target);
  return target;
}

async function users(prefix: string, n: number, extra: Record<string, unknown> = {}) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const r = await t.app.directory.createUser(ctx, {
      userName: `${prefix}${i}@example.com`,
      title: 'Clerk',
      ...extra,
    });
    if (!r.ok) throw new Error(r.error.message);
    out.push(r.value);
  }
  return out;
}

const scimApp = (name: string, target: MemoryScimTarget, extra: Record<string, unknown> = {}) => ({
  name,
  scope: 'all',
  connector: { type: 'scim', config: { baseUrl: target.url, auth: { type: 'bearer', token: 'x' } } },
  ...extra,
});

async function target_patch(target: MemoryScimTarget, id: string, ops: unknown[]) {
  const res = await fetch(`${target.url}/Users/${id}`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/scim+json' },
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: ops }),
  });
  expect(res.status).toBeLessThan(300);
}

describe('reconciliation', () => {
  it('repairs drift, recreates what vanished from the target and counts orphans without deleting them', async () => {
    const target = await newTarget();
    // Only the "rec" users are in this app's scope; everyone else the suite creates stays out.
    const appId = await t.createApp(
      scimApp('reconcile', target, {
        scoping: [{ clauses: [{ attribute: 'userName', operator: 'REGEX MATCH', value: '^rec' }] }],
      }),
    );
    await users('rec', 3);
    await eventually(async () => (target.stats().users === 3 ? true : undefined));
    await t.settle(appId);
    const [a, b] = target.dump().users as Array<{ id: string; userName: string }>;
    if (!a || !b) throw new Error('expected users in the target');
    // Someone edits A in the target, deletes B there, and creates an account Joinery never made.
    await target_patch(target, a.id, [{ op: 'replace', path: 'title', value: 'Edited by hand' }]);
    await fetch(`${target.url}/Users/${b.id}`, { method: 'DELETE' });
    await fetch(`${target.url}/Users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'stranger@example.com',
      }),
    });
    const started = await t.api<{ cycle: { id: string } }>('POST', `/outbound/apps/${appId}/reconcile`);
    expect(started.status).toBe(202);
    const cycle = await eventually(async () => {
      const c = await t.api<{ status: string; counts: Record<string, number> }>(
        'GET',
        `/outbound/cycles/${started.body.cycle.id}`,
      );
      return c.body.status === 'done' ? c.body : undefined;
    });
    expect(cycle.counts).toMatchObject({ drift: 1, missing: 1, orphans: 1 });
    const now = target.dump().users as Array<{ userName: string; title?: string }>;
    expect(now.find((u) => u.userName === a.userName)?.title).toBe('Clerk');
    expect(now.some((u) => u.userName === b.userName)).toBe(true);
    expect(now.some((u) => u.userName === 'stranger@example.com')).toBe(true);
    expect(now.filter((u) => u.userName === b.userName)).toHaveLength(1);
  });
});

describe('deletion threshold', () => {
  it('holds deprovisions past the threshold until an admin approves them', async () => {
    const target = await newTarget();
    const appId = await t.createApp(
      scimApp('threshold', target, {
        scope: 'assigned',
        deletionThreshold: 2,
        deprovisionAction: 'delete',
      }),
    );
    const group = await t.app.directory.createGroup(ctx, { displayName: 'threshold-group' });
    if (!group.ok) throw new Error(group.error.message);
    const people = await users('thr', 5);
    await t.app.directory.addMembers(
      ctx,
      group.value.id,
      people.map((p) => ({ type: 'user' as const, id: p.id })),
    );
    const assigned = await t.api('POST', `/outbound/apps/${appId}/assignments`, {
      principalType: 'group',
      principalId: group.value.id,
    });
    expect(assigned.status).toBe(201);
    await eventually(async () => (target.stats().users === 5 ? true : undefined));
    await t.settle(appId);

    // The group loses its assignment: five people leave scope at once, more than the threshold of 2.
    expect((await t.api('DELETE', `/outbound/apps/${appId}/assignments/${group.value.id}`)).status).toBe(204);
    const held = await eventually(async () => {
      const s = await t.status(appId);
      return s.state === 'held' ? s : undefined;
    });
    expect(held.hold).toMatchObject({ threshold: 2 });
    expect(target.stats().users).toBe(5);

    const approved = await t.api('POST', `/outbound/apps/${appId}/approveDeletions`);
    expect(approved.status).toBe(204);
    await eventually(async () => (target.stats().users === 0 ? true : undefined));
    const again = await t.api<{ error: { code: string } }>(
      'POST',
      `/outbound/apps/${appId}/approveDeletions`,
    );
    expect(again.body.error.code).toBe('outbound.not_held');
  });
});
