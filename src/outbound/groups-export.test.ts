import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worker } from '../../test/inbound.ts';
import { createOutboundTestApp, eventually, type OutboundTestApp } from '../../test/outbound.ts';
import { type MemoryScimTarget, startMemoryScimTarget } from '../../test/peers/memory-scim-target.ts';

/**
 * Group writeback to a SCIM app (the in-memory SCIM target, test/peers/memory-scim-target.ts), driven by
 * directory changes through the admin API with the real workers: membership changes reach the target
 * group within seconds, users are written before the memberships that name them, members leaving
 * scope leave the target group, and a deleted directory group is deleted in the target.
 */

type Json = Record<string, unknown>;

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
async function addUsers(groupId: string, userIds: string[]) {
  const r = await t.api('POST', `/groups/${groupId}/members`, {
    members: userIds.map((id) => ({ type: 'user', id })),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}
async function removeMember(groupId: string, memberId: string) {
  const r = await t.api('DELETE', `/groups/${groupId}/members/${memberId}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

/** A target whose app provisions every user and group of the directory that passes `scoping`. */
async function setup(name: string, extra: Json = {}) {
  const target = await startMemoryScimTarget({ token: `${name}-token` });
  const appId = await t.createApp({
    name,
    connector: {
      type: 'scim',
      config: { baseUrl: target.url, auth: { type: 'bearer', token: `${name}-token` } },
    },
    scope: 'all',
    provisionGroups: true,
    ...extra,
  });
  const drop = async () => {
    // Deleting the app first, so it does not try the closed target while later tests run.
    const r = await t.api('DELETE', `/outbound/apps/${appId}`);
    expect(r.status).toBe(204);
    await target.close();
  };
  return { target, appId, drop };
}

const dump = (target: MemoryScimTarget) => target.dump();
const targetUser = (target: MemoryScimTarget, userName: string) =>
  dump(target).users.find((u) => String(u.userName).toLowerCase() === userName.toLowerCase());
const targetGroup = (target: MemoryScimTarget, displayName: string) =>
  dump(target).groups.find((g) => g.displayName === displayName);
const membersOf = (target: MemoryScimTarget, displayName: string) =>
  ((targetGroup(target, displayName)?.members as Array<{ value: string }> | undefined) ?? [])
    .map((m) => m.value)
    .sort();
const idsOf = (target: MemoryScimTarget, userNames: string[]) =>
  userNames.map((n) => String(targetUser(target, n)?.id)).sort();

/** Waits until the target group's members are exactly these users (by userName); answers how long it took. */
async function membersBecome(
  target: MemoryScimTarget,
  group: string,
  userNames: string[],
  timeoutMs = 10_000,
) {
  await eventually(
    async () => {
      const want = idsOf(target, userNames);
      const have = membersOf(target, group);
      const ready = targetGroup(target, group) && userNames.every((n) => targetUser(target, n));
      return ready && JSON.stringify(have) === JSON.stringify(want) ? true : undefined;
    },
    timeoutMs,
    `${group} to hold exactly ${userNames.join(', ') || 'nobody'}`,
  );
}

describe('group writeback to a SCIM app', () => {
  let target: MemoryScimTarget;
  let appId: string;
  let drop: () => Promise<void>;
  let team: string;
  const ann = 'ann.alpha@example.com';
  const ben = 'ben.beta@example.com';
  const cat = 'cat.gamma@example.com';

  beforeAll(async () => {
    ({ target, appId, drop } = await setup('Groups app'));
    expect((await t.api('POST', `/outbound/apps/${appId}/start`)).status).toBe(202);
    await hr([
      worker('G1', { given: 'Ann', family: 'Alpha' }),
      worker('G2', { given: 'Ben', family: 'Beta' }),
      worker('G3', { given: 'Cat', family: 'Gamma' }),
    ]);
    await Promise.all(['G1', 'G2', 'G3'].map(userId));
    await eventually(async () => (dump(target).users.length === 3 ? true : undefined), 15_000, 'three users');
  });
  afterAll(async () => {
    await drop?.();
  });

  it('reflects members added and removed in the directory in the target group within seconds', async () => {
    const [a, b, c] = await Promise.all(['G1', 'G2', 'G3'].map(userId));
    team = await newGroup('Team');
    await membersBecome(target, 'Team', []);
    await addUsers(team, [a as string, b as string]);
    await membersBecome(target, 'Team', [ann, ben]);
    await addUsers(team, [c as string]);
    await membersBecome(target, 'Team', [ann, ben, cat]);
    await removeMember(team, a as string);
    await membersBecome(target, 'Team', [ben, cat]);
    const status = await t.settle(appId);
    expect(status.recentErrors).toEqual([]);
    expect(status.linked).toEqual({ users: 3, groups: 1 });
  });

  it('renames the target group when the directory group is renamed, members kept', async () => {
    const r = await t.api('PATCH', `/groups/${team}`, { displayName: 'Team Renamed' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await eventually(
      async () => (targetGroup(target, 'Team Renamed') ? true : undefined),
      10_000,
      'the rename',
    );
    expect(targetGroup(target, 'Team')).toBeUndefined();
    expect(membersOf(target, 'Team Renamed')).toEqual(idsOf(target, [ben, cat]));
  });

  it('deletes the target group when the directory group is deleted', async () => {
    const id = String(targetGroup(target, 'Team Renamed')?.id);
    const r = await t.api('DELETE', `/groups/${team}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await eventually(async () => (dump(target).groups.length === 0 ? true : undefined), 10_000, 'the delete');
    expect(target.writes().some((w) => w.method === 'DELETE' && w.kind === 'Group' && w.id === id)).toBe(
      true,
    );
    // The members' accounts stay.
    expect(targetUser(target, ben)?.active).toBe(true);
    const status = await t.settle(appId);
    expect(status.linked.groups).toBe(0);
  });
});

describe('users before memberships', () => {
  it('creates a group only after its members, so a group made in the same cycle has them all', async () => {
    await hr([
      worker('U1', { given: 'Uma', family: 'One' }),
      worker('U2', { given: 'Udo', family: 'Two' }),
      worker('U3', { given: 'Ute', family: 'Three' }),
    ]);
    const ids = await Promise.all(['U1', 'U2', 'U3'].map(userId));
    const crew = await newGroup('Crew');
    await addUsers(crew, ids);
    // An app created now meets users and the group at once, in its initial cycle.
    const { target, appId, drop } = await setup('Initial cycle app', {
      scoping: [{ clauses: [{ attribute: 'displayName', operator: 'REGEX MATCH', value: '^U' }] }],
    });
    try {
      expect((await t.api('POST', `/outbound/apps/${appId}/start`)).status).toBe(202);
      const names = ['uma.one@example.com', 'udo.two@example.com', 'ute.three@example.com'];
      await membersBecome(target, 'Crew', names, 20_000);
      await t.settle(appId);
      const writes = target.writes();
      const userPosts = writes.filter((w) => w.kind === 'User' && w.method === 'POST');
      const groupWrites = writes.filter((w) => w.kind === 'Group');
      expect(userPosts).toHaveLength(3);
      // One POST of the group carrying all three members, after the last user was created.
      expect(groupWrites.map((w) => w.method)).toEqual(['POST']);
      expect(groupWrites[0]!.at).toBeGreaterThanOrEqual(Math.max(...userPosts.map((w) => w.at)));
      const s = target.stats().requests;
      expect(s['PATCH /Groups/:id'] ?? 0).toBe(0);
    } finally {
      await drop();
    }
  });

  it('holds new hires added to a new group in the same change', async () => {
    const { target, appId, drop } = await setup('Incremental app', {
      scoping: [{ clauses: [{ attribute: 'displayName', operator: 'REGEX MATCH', value: '^V' }] }],
    });
    try {
      expect((await t.api('POST', `/outbound/apps/${appId}/start`)).status).toBe(202);
      await t.settle(appId);
      await hr([
        worker('V1', { given: 'Vic', family: 'One' }),
        worker('V2', { given: 'Val', family: 'Two' }),
      ]);
      const ids = await Promise.all(['V1', 'V2'].map(userId));
      const squad = await newGroup('Squad');
      await addUsers(squad, ids);
      await membersBecome(target, 'Squad', ['vic.one@example.com', 'val.two@example.com'], 15_000);
      const status = await t.settle(appId);
      expect(status.recentErrors).toEqual([]);
    } finally {
      await drop();
    }
  });
});

describe('members leaving scope', () => {
  let target: MemoryScimTarget;
  let appId: string;
  let drop: () => Promise<void>;
  let club: string;
  const kim = 'kim.keep@example.com';
  const lou = 'lou.leave@example.com';

  beforeAll(async () => {
    ({ target, appId, drop } = await setup('Scoped app', {
      scoping: [{ clauses: [{ attribute: 'department', operator: 'EQUALS', value: 'Research' }] }],
      deprovisionAction: 'disable',
    }));
    expect((await t.api('POST', `/outbound/apps/${appId}/start`)).status).toBe(202);
    const research = { department: 'Research', costCenter: 'CC9' };
    await hr([
      worker('K1', {
        given: 'Kim',
        family: 'Keep',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': research,
      }),
      worker('L1', {
        given: 'Lou',
        family: 'Leave',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': research,
      }),
    ]);
    const ids = await Promise.all(['K1', 'L1'].map(userId));
    club = await newGroup('Research club');
    await addUsers(club, ids);
    await membersBecome(target, 'Research club', [kim, lou], 15_000);
    await t.settle(appId);
  });
  afterAll(async () => {
    await drop?.();
  });
  it('drops a member disabled for leaving scope from the target group', async () => {
    await hr([
      worker('L1', {
        given: 'Lou',
        family: 'Leave',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
          department: 'Sales',
          costCenter: 'CC9',
        },
      }),
    ]);
    await eventually(
      async () => (targetUser(target, lou)?.active === false ? true : undefined),
      10_000,
      'Lou disabled',
    );
    await t.settle(appId);
    await membersBecome(target, 'Research club', [kim], 4_000);
  });

  it('drops a member deleted for leaving scope from the target group', async () => {
    const def = await t.api<{ definition: Json }>('GET', `/outbound/apps/${appId}`);
    const { definition } = def.body;
    const put = await t.api('PUT', `/outbound/apps/${appId}`, { ...definition, deprovisionAction: 'delete' });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const kimId = String(targetUser(target, kim)?.id);
    const groupPatches = target.stats().requests['PATCH /Groups/:id'] ?? 0;
    await hr([
      worker('K1', {
        given: 'Kim',
        family: 'Keep',
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
          department: 'Sales',
          costCenter: 'CC9',
        },
      }),
    ]);
    await eventually(async () => (targetUser(target, kim) ? undefined : true), 10_000, 'Kim deleted');
    await eventually(
      async () => (membersOf(target, 'Research club').includes(kimId) ? undefined : true),
      10_000,
      'Kim gone from the group',
    );
    const status = await t.settle(appId);
    expect(status.recentErrors).toEqual([]);
    // The engine itself re-wrote the group (not only the target dropping a deleted user's memberships).
    expect(target.stats().requests['PATCH /Groups/:id'] ?? 0).toBeGreaterThan(groupPatches);
  });
});
