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

async function setup(prefix: string) {
  const target = await startMemoryScimTarget();
  targets.push(target);
  const appId = await t.createApp({
    name: prefix,
    scope: 'all',
    scoping: [{ clauses: [{ attribute: 'userName', operator: 'REGEX MATCH', value: `^${prefix}` }] }],
    connector: { type: 'scim', config: { baseUrl: target.url, auth: { type: 'bearer', token: 'x' } } },
    enabled: false,
  });
  const def = (await t.api<{ definition: Record<string, unknown> }>('GET', `/outbound/apps/${appId}`)).body
    .definition;
  return { target, appId, enable: () => t.api('PUT', `/outbound/apps/${appId}`, { ...def, enabled: true }) };
}

async function users(prefix: string, n: number) {
  for (let i = 0; i < n; i++) {
    const r = await t.app.directory.createUser(ctx, {
      userName: `${prefix}${i}@example.com`,
      title: 'Clerk',
    });
    if (!r.ok) throw new Error(r.error.message);
  }
}

const post = (target: MemoryScimTarget, userName: string) =>
  fetch(`${target.url}/Users`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/scim+json' },
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName }),
  });

const lookups = (target: MemoryScimTarget) => target.stats().requests['GET /Users'] ?? 0;

describe('matching before create', () => {
  it('creates without a look-up per object while the target holds only what Joinery linked', async () => {
    const { target, appId, enable } = await setup('fresh');
    await users('fresh', 30);
    await enable();
    await t.api('POST', `/outbound/apps/${appId}/start`);
    await eventually(async () => (target.stats().users === 30 ? true : undefined));
    await t.settle(appId);
    expect(target.stats().requests['POST /Users']).toBe(30);
    // One count per batch (and the connect check), not 30 filtered searches.
    expect(lookups(target)).toBeLessThanOrEqual(3);
  });

  it('looks each object up when the target holds accounts Joinery does not know, and links instead of doubling', async () => {
    const { target, appId, enable } = await setup('known');
    await post(target, 'known0@example.com');
    await users('known', 3);
    await enable();
    await t.api('POST', `/outbound/apps/${appId}/start`);
    await t.settle(appId);
    const names = target
      .dump()
      .users.map((u) => u.userName)
      .sort();
    expect(names).toEqual(['known0@example.com', 'known1@example.com', 'known2@example.com']);
    expect(target.stats().requests['POST /Users']).toBe(3); // 1 by the test, 2 by Joinery
    const logs = await t.api<{ items: Array<{ joinery: { action: string } }> }>(
      'GET',
      `/outbound/logs?appId=${appId}`,
    );
    // Out-of-scope users created by other tests are logged as skips; only this app's three people count.
    const actions = logs.body.items.map((i) => i.joinery.action).filter((a) => a !== 'skip');
    expect(actions.sort()).toEqual(['create', 'create', 'link']);
  });

  it('falls back to matching when a create without look-up meets a conflict', async () => {
    const { target, appId, enable } = await setup('race');
    await users('race', 1);
    await enable();
    await t.api('POST', `/outbound/apps/${appId}/start`);
    await eventually(async () => (target.stats().users === 1 ? true : undefined));
    await t.settle(appId);
    // Counts stay equal (one linked object gone, one stranger added) while the stranger holds the
    // userName Joinery is about to create: only the create's conflict can reveal it.
    const [linked] = target.dump().users as Array<{ id: string }>;
    await fetch(`${target.url}/Users/${linked?.id}`, { method: 'DELETE' });
    await post(target, 'race1@example.com');
    const r = await t.app.directory.createUser(ctx, { userName: 'race1@example.com', title: 'Clerk' });
    if (!r.ok) throw new Error(r.error.message);
    await eventually(async () => {
      const logs = await t.api<{
        items: Array<{ sourceIdentity: { id: string }; joinery: { action: string } }>;
      }>('GET', `/outbound/logs?appId=${appId}&objectId=${r.value.id}`);
      return logs.body.items.some((i) => i.joinery.action === 'link') ? true : undefined;
    });
    expect(target.dump().users.filter((u) => u.userName === 'race1@example.com')).toHaveLength(1);
  });
});
