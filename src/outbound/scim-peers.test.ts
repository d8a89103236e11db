import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { ENTERPRISE, worker } from '../../test/inbound.ts';
import { createOutboundTestApp, eventually, type OutboundTestApp } from '../../test/outbound.ts';
import { startScimmyTarget } from '../../test/peers/scimmy-target.ts';

/**
 * Joiner, mover, leaver, groups with members and nested-group assignment scope, from an HR bulkUpload
 * through the outbound engine (real workers) to two real SCIM service providers over HTTP: SCIMMY
 * (scimmy-routers on express) and a second Joinery instance's own SCIM server (@hono/node-server).
 * What the targets hold is read from their stores / their SCIM API, outside the code under test.
 */

type Resource = Record<string, unknown> & { id: string };

interface Peer {
  /** Connector config of an app that provisions into this peer. */
  config: Record<string, unknown>;
  users(): Promise<Resource[]>;
  groups(): Promise<Resource[]>;
  close(): Promise<void>;
}

async function scimmyPeer(): Promise<Peer> {
  const target = await startScimmyTarget({ patch: true, maxResults: 200 });
  return {
    config: { baseUrl: target.url, auth: { type: 'bearer', token: target.token } },
    users: async () => (await target.users()) as Resource[],
    groups: async () => (await target.groups()) as Resource[],
    close: () => target.close(),
  };
}

/** A second Joinery, on its own database, serving its SCIM API on 127.0.0.1. */
async function joineryPeer(): Promise<Peer> {
  const target: TestApp = await createTestApp();
  const token = await target.token(['scim']);
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: target.app.http.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  const list = async (path: string) => {
    const res = await target.call('GET', `/scim/v2/${path}?count=1000`, { token });
    expect(res.status).toBe(200);
    return ((await res.json()) as { Resources?: Resource[] }).Resources ?? [];
  };
  return {
    config: { baseUrl: `http://127.0.0.1:${port}/scim/v2`, auth: { type: 'bearer', token } },
    users: () => list('Users'),
    groups: () => list('Groups'),
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await target.close();
    },
  };
}

let t: OutboundTestApp;

beforeAll(async () => {
  t = await createOutboundTestApp();
});
afterAll(async () => {
  await t?.close();
});

const hr = (people: Record<string, unknown>[]) => t.hr(people);

const userId = (employeeId: string) => t.userId(employeeId);

async function newGroup(displayName: string): Promise<string> {
  const g = await t.api<{ id: string }>('POST', '/groups', { displayName });
  expect(g.status, JSON.stringify(g.body)).toBe(201);
  return g.body.id;
}
async function addMembers(groupId: string, members: Array<{ type: 'user' | 'group'; id: string }>) {
  const r = await t.api('POST', `/groups/${groupId}/members`, { members });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}
async function removeMember(groupId: string, memberId: string) {
  const r = await t.api('DELETE', `/groups/${groupId}/members/${memberId}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}
async function assign(appId: string, principalType: 'user' | 'group', principalId: string) {
  const r = await t.api('POST', `/outbound/apps/${appId}/assignments`, { principalType, principalId });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

const byUserName = (list: Resource[], userName: string) =>
  list.find((u) => String(u.userName).toLowerCase() === userName.toLowerCase());
const memberIds = (g: Resource | undefined) =>
  ((g?.members as Array<{ value: string }> | undefined) ?? []).map((m) => m.value).sort();
const enterprise = (u: Resource | undefined) =>
  (u?.[ENTERPRISE] ?? {}) as { department?: string; manager?: { value?: string } };

const peers: Array<{
  label: string;
  start: () => Promise<Peer>;
  prefix: string;
  deprovision: 'disable' | 'delete';
}> = [
  { label: 'SCIMMY (scimmy-routers on express)', start: scimmyPeer, prefix: 's', deprovision: 'disable' },
  {
    label: "a second Joinery's SCIM server over HTTP",
    start: joineryPeer,
    prefix: 'j',
    deprovision: 'delete',
  },
];

for (const { label, start, prefix, deprovision } of peers)
  describe(`HR to ${label}, deprovisionAction ${deprovision}`, () => {
    let peer: Peer;
    let appId: string;
    let parent: string;
    let child: string;
    const P = prefix.toUpperCase();
    const mara = `${prefix}mara.boss@example.com`;
    const eli = `${prefix}eli.new@example.com`;
    const nia = `${prefix}nia.third@example.com`;
    const person = (id: string, given: string, family: string, extra: Record<string, unknown> = {}) =>
      worker(`${P}${id}`, { given: `${prefix}${given}`, family, ...extra });
    const user = async (userName: string) => byUserName(await peer.users(), userName);
    const group = async (displayName: string) =>
      (await peer.groups()).find((g) => g.displayName === displayName);

    beforeAll(async () => {
      peer = await start();
      appId = await t.createApp({
        name: `SCIM ${label}`,
        connector: { type: 'scim', config: peer.config },
        scope: 'assigned',
        provisionGroups: true,
        deprovisionAction: deprovision,
      });
    });
    afterAll(async () => {
      await peer?.close();
    });

    it('provisions the members of a child group when only its parent group is assigned, with the manager reference', async () => {
      await hr([
        person('M1', 'Mara', 'Boss', { title: 'Head of Engineering' }),
        person('E1', 'Eli', 'New', { manager: `${P}M1` }),
        person('X1', 'Xavier', 'Outsider'),
      ]);
      const [m, e] = await Promise.all([userId(`${P}M1`), userId(`${P}E1`)]);
      await userId(`${P}X1`);
      parent = await newGroup(`${P} Everyone`);
      child = await newGroup(`${P} Engineering`);
      await addMembers(child, [
        { type: 'user', id: m },
        { type: 'user', id: e },
      ]);
      await addMembers(parent, [{ type: 'group', id: child }]);
      await assign(appId, 'group', parent);
      expect((await t.api('POST', `/outbound/apps/${appId}/start`)).status).toBe(202);

      const target = await eventually(
        async () => {
          const u = await user(eli);
          return enterprise(u).manager?.value ? u : undefined;
        },
        20_000,
        'Eli with a manager in the target',
      );
      const boss = await user(mara);
      expect(boss).toBeDefined();
      expect(enterprise(target).manager?.value).toBe(boss?.id);
      expect(target.active).toBe(true);
      expect(target.externalId).toBe(e);
      expect((target.name as { givenName: string; familyName: string }).familyName).toBe('New');
      expect((target.emails as Array<{ value: string }>)[0]?.value).toBe(eli);
      expect(enterprise(target).department).toBe('Engineering');
      expect(boss?.title).toBe('Head of Engineering');
      // Xavier is in no assigned group: not provisioned.
      expect(await user(`${prefix}xavier.outsider@example.com`)).toBeUndefined();
      const status = await t.settle(appId);
      expect(status.recentErrors).toEqual([]);
      expect(status.linked.users).toBe(2);
      expect(await group(`${P} Everyone`)).toBeDefined();
    });

    it('moves the mover: the changed title reaches the target', async () => {
      await hr([person('E1', 'Eli', 'New', { manager: `${P}M1`, title: 'Staff Engineer' })]);
      const u = await eventually(
        async () => {
          const found = await user(eli);
          return found?.title === 'Staff Engineer' ? found : undefined;
        },
        15_000,
        "Eli's new title",
      );
      expect(enterprise(u).manager?.value).toBe((await user(mara))?.id);
    });

    it('writes an assigned group with its members, and follows a member added in the directory', async () => {
      await assign(appId, 'group', child);
      const g = await eventually(
        async () => {
          const found = await group(`${P} Engineering`);
          return memberIds(found).length === 2 ? found : undefined;
        },
        15_000,
        'the Engineering group with two members',
      );
      const [m, e] = await Promise.all([user(mara), user(eli)]);
      expect(memberIds(g)).toEqual([m?.id, e?.id].sort());

      await hr([person('N1', 'Nia', 'Third', { manager: `${P}M1` })]);
      await addMembers(child, [{ type: 'user', id: await userId(`${P}N1`) }]);
      const after = await eventually(
        async () => {
          const found = await group(`${P} Engineering`);
          return memberIds(found).length === 3 ? found : undefined;
        },
        15_000,
        'Nia added to the target group',
      );
      const n = await user(nia);
      expect(n).toBeDefined();
      expect(memberIds(after)).toEqual([m?.id, e?.id, n?.id].sort());
      await t.settle(appId);
    });

    it('disables the leaver in the target (active false)', async () => {
      await hr([person('N1', 'Nia', 'Third', { manager: `${P}M1`, active: false })]);
      const n = await eventually(
        async () => {
          const found = await user(nia);
          return found?.active === false ? found : undefined;
        },
        15_000,
        'Nia inactive in the target',
      );
      expect(n.userName).toBe(nia);
      await t.settle(appId);
    });

    it(`deprovisions (${deprovision}) a user removed from the child group, and drops it from the target group`, async () => {
      const e = await userId(`${P}E1`);
      const before = await user(eli);
      expect(before).toBeDefined();
      await removeMember(child, e);
      await eventually(
        async () => {
          const found = await user(eli);
          if (deprovision === 'delete') return found === undefined ? true : undefined;
          return found?.active === false ? true : undefined;
        },
        15_000,
        `Eli ${deprovision === 'delete' ? 'deleted' : 'disabled'} in the target`,
      );
      const g = await eventually(
        async () => {
          const found = await group(`${P} Engineering`);
          return memberIds(found).includes(before?.id ?? '') ? undefined : found;
        },
        15_000,
        'Eli dropped from the target group',
      );
      expect(memberIds(g)).not.toContain(before?.id);
      expect(memberIds(g)).toContain((await user(mara))?.id);
      const status = await t.settle(appId);
      expect(status.recentErrors).toEqual([]);
      expect(status.linked.users).toBe(deprovision === 'delete' ? 2 : 3);
    });
  });
