import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worker } from '../../test/inbound.ts';
import { createOutboundTestApp, eventually, type OutboundTestApp } from '../../test/outbound.ts';
import { type MemoryScimTarget, startMemoryScimTarget } from '../../test/peers/memory-scim-target.ts';

let t: OutboundTestApp;
let target: MemoryScimTarget;
let appId: string;

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

beforeAll(async () => {
  target = await startMemoryScimTarget({ token: 'target-token' });
  t = await createOutboundTestApp();
  appId = await t.createApp({
    name: 'SaaS app',
    connector: {
      type: 'scim',
      config: { baseUrl: target.url, auth: { type: 'bearer', token: 'target-token' } },
    },
    scope: 'all',
    deprovisionAction: 'disable',
  });
});
afterAll(async () => {
  await t?.close();
  await target?.close();
});

const hr = (people: Record<string, unknown>[]) => t.hr(people);

const targetUser = (userName: string) =>
  target.dump().users.find((u) => String(u.userName).toLowerCase() === userName.toLowerCase()) as
    | Record<string, unknown>
    | undefined;

describe('joiner, mover, leaver from an HR bulkUpload to a SCIM app', () => {
  it('creates the joiner in the target with the mapped attributes and the manager reference', async () => {
    const start = await t.api<{ cycle: { kind: string } }>('POST', `/outbound/apps/${appId}/start`);
    expect(start.status).toBe(202);
    expect(start.body.cycle.kind).toBe('initial');
    await hr([
      worker('M1', { given: 'Mara', family: 'Boss' }),
      worker('E1', { given: 'Eli', family: 'New', manager: 'M1' }),
    ]);
    const eli = await eventually(
      async () => {
        const u = targetUser('eli.new@example.com');
        const ent = u?.[ENTERPRISE] as { manager?: { value?: string } } | undefined;
        return ent?.manager?.value ? u : undefined;
      },
      30_000,
      'Eli with a manager in the target',
    );
    const mara = targetUser('mara.boss@example.com');
    expect(mara).toBeDefined();
    expect((eli[ENTERPRISE] as { manager: { value: string } }).manager.value).toBe(mara?.id);
    expect(eli.active).toBe(true);
    expect((eli.name as { givenName: string }).givenName).toBe('Eli');
    expect((eli.emails as Array<{ value: string; type: string }>)[0]).toMatchObject({
      value: 'eli.new@example.com',
      type: 'work',
    });
    expect((eli[ENTERPRISE] as { department: string }).department).toBe('Engineering');
    const status = await t.settle(appId);
    expect(status.linked.users).toBe(2);
    expect(status.state).toBe('idle');
  });

  it('moves the mover: only the changed attribute is sent', async () => {
    const before = target.stats().requests;
    await hr([worker('E1', { given: 'Eli', family: 'New', manager: 'M1', title: 'Staff Engineer' })]);
    await eventually(async () =>
      targetUser('eli.new@example.com')?.title === 'Staff Engineer' ? true : undefined,
    );
    await t.settle(appId);
    const after = target.stats().requests;
    const posts = (after['POST /Users'] ?? 0) - (before['POST /Users'] ?? 0);
    expect(posts).toBe(0);
    const patches =
      (after['PATCH /Users/:id'] ?? 0) +
      (after['PUT /Users/:id'] ?? 0) -
      (before['PATCH /Users/:id'] ?? 0) -
      (before['PUT /Users/:id'] ?? 0);
    expect(patches).toBe(1);
  });

  it('disables the leaver in the target', async () => {
    await hr([worker('E1', { given: 'Eli', family: 'New', manager: 'M1', active: false })]);
    await eventually(async () => (targetUser('eli.new@example.com')?.active === false ? true : undefined));
  });

  it('logs each export with its steps in the Graph shape', async () => {
    const r = await t.api<{ items: Array<Record<string, unknown>> }>('GET', `/outbound/logs?appId=${appId}`);
    expect(r.status).toBe(200);
    const create = r.body.items.find((i) => i.provisioningAction === 'create');
    expect(create).toBeDefined();
    const steps = ((create?.provisioningSteps ?? []) as Array<{ provisioningStepType: string }>).map(
      (s) => s.provisioningStepType,
    );
    expect(steps).toEqual(expect.arrayContaining(['import', 'scoping', 'matching', 'export']));
  });
});
