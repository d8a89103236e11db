import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/app.ts';

let t: TestApp;
let writer: string;

beforeAll(async () => {
  t = await createTestApp();
  writer = await t.token(['directory.write']);
});
afterAll(async () => {
  await t.close();
});

interface Idd {
  id: string;
}
interface ErrorBody {
  error: { code: string; details: Record<string, unknown> };
}

async function post<T = Idd>(path: string, body: unknown, status = 201): Promise<T> {
  const res = await t.call('POST', path, { token: writer, body });
  expect(res.status).toBe(status);
  return (await res.json()) as T;
}

const names = async (path: string) =>
  ((await (await t.call('GET', path, { token: writer })).json()) as { items: Array<{ name: string }> }).items
    .map((m) => m.name)
    .sort();

describe('admin API: groups and memberships', () => {
  it('creates, renames, deletes and restores a group', async () => {
    const owner = await post('/api/v1/users', { userName: 'owner@example.com' });
    const group = await post<Idd & { displayName: string }>('/api/v1/groups', {
      displayName: 'Finance',
      externalId: 'grp-fin',
      ownerIds: [owner.id],
    });
    const owners = await t.call('GET', `/api/v1/groups/${group.id}/owners`, { token: writer });
    expect(((await owners.json()) as { items: Idd[] }).items.map((o) => o.id)).toEqual([owner.id]);
    const renamed = await t.call('PATCH', `/api/v1/groups/${group.id}`, {
      token: writer,
      body: { displayName: 'Finance EMEA' },
    });
    expect(await renamed.json()).toMatchObject({ displayName: 'Finance EMEA', version: 2 });
    const dup = await t.call('POST', '/api/v1/groups', {
      token: writer,
      body: { displayName: 'Other', externalId: 'grp-fin' },
    });
    expect(dup.status).toBe(409);
    expect(((await dup.json()) as ErrorBody).error.details.attribute).toBe('externalId');
    expect((await t.call('DELETE', `/api/v1/groups/${group.id}`, { token: writer })).status).toBe(200);
    expect((await t.call('GET', `/api/v1/groups/${group.id}`, { token: writer })).status).toBe(404);
    expect((await t.call('POST', `/api/v1/groups/${group.id}/restore`, { token: writer })).status).toBe(200);
  });

  it('adds users and nested groups, lists direct and transitive members, and removes', async () => {
    const alice = await post('/api/v1/users', { userName: 'alice@example.com' });
    const bob = await post('/api/v1/users', { userName: 'bob@example.com' });
    const carol = await post('/api/v1/users', { userName: 'carol@example.com' });
    const all = await post('/api/v1/groups', { displayName: 'All staff' });
    const eng = await post('/api/v1/groups', { displayName: 'Engineering' });
    const sre = await post('/api/v1/groups', { displayName: 'SRE' });
    await post(`/api/v1/groups/${sre.id}/members`, { members: [{ type: 'user', id: carol.id }] }, 200);
    await post(
      `/api/v1/groups/${eng.id}/members`,
      {
        members: [
          { type: 'user', id: bob.id },
          { type: 'group', id: sre.id },
        ],
      },
      200,
    );
    await post(
      `/api/v1/groups/${all.id}/members`,
      {
        members: [
          { type: 'user', id: alice.id },
          { type: 'group', id: eng.id },
        ],
      },
      200,
    );
    const again = await post<{ added: unknown[] }>(
      `/api/v1/groups/${all.id}/members`,
      { members: [{ type: 'user', id: alice.id }] },
      200,
    );
    expect(again.added).toEqual([]);

    expect(await names(`/api/v1/groups/${all.id}/members`)).toEqual(['Engineering', 'alice@example.com']);
    expect(await names(`/api/v1/groups/${all.id}/members?transitive=true`)).toEqual([
      'Engineering',
      'SRE',
      'alice@example.com',
      'bob@example.com',
      'carol@example.com',
    ]);
    const memberOf = await t.call('GET', `/api/v1/users/${carol.id}/memberOf?transitive=true`, {
      token: writer,
    });
    const groups = ((await memberOf.json()) as { items: Array<{ displayName: string; direct: boolean }> })
      .items;
    expect(groups.map((g) => `${g.displayName}:${g.direct}`).sort()).toEqual([
      'All staff:false',
      'Engineering:false',
      'SRE:true',
    ]);

    const removed = await t.call('DELETE', `/api/v1/groups/${eng.id}/members/${sre.id}`, { token: writer });
    expect(removed.status).toBe(200);
    expect(await names(`/api/v1/groups/${all.id}/members?transitive=true`)).toEqual([
      'Engineering',
      'alice@example.com',
      'bob@example.com',
    ]);
    const notMember = await t.call('DELETE', `/api/v1/groups/${eng.id}/members/${sre.id}`, { token: writer });
    expect(notMember.status).toBe(404);
  });

  it('refuses to nest a group inside itself, directly or through a chain', async () => {
    const a = await post('/api/v1/groups', { displayName: 'A' });
    const b = await post('/api/v1/groups', { displayName: 'B' });
    await post(`/api/v1/groups/${a.id}/members`, { members: [{ type: 'group', id: b.id }] }, 200);
    const loop = await t.call('POST', `/api/v1/groups/${b.id}/members`, {
      token: writer,
      body: { members: [{ type: 'group', id: a.id }] },
    });
    expect(loop.status).toBe(409);
    expect(((await loop.json()) as ErrorBody).error.code).toBe('directory.membership_cycle');
    const self = await t.call('POST', `/api/v1/groups/${a.id}/members`, {
      token: writer,
      body: { members: [{ type: 'group', id: a.id }] },
    });
    expect(self.status).toBe(409);
  });

  it('answers 404 when adding a member that does not exist, adding nothing', async () => {
    const g = await post('/api/v1/groups', { displayName: 'Ghosts' });
    const u = await post('/api/v1/users', { userName: 'real@example.com' });
    const res = await t.call('POST', `/api/v1/groups/${g.id}/members`, {
      token: writer,
      body: {
        members: [
          { type: 'user', id: u.id },
          { type: 'user', id: '01a21c54-a542-7255-96de-000000000001' },
        ],
      },
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).error.code).toBe('directory.member_not_found');
    expect(await names(`/api/v1/groups/${g.id}/members`)).toEqual([]);
  });
});
