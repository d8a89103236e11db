/** SCIM Groups over HTTP: create, get, replace, patch members and delete (RFC 7644 §3.3-§3.6). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CORE_GROUP,
  createScimClient,
  ERROR,
  patch,
  type ScimResource,
  type ScimTestClient,
  uniqueName,
} from '../../../test/scim.ts';

const GHOST = '0190c0de-0000-7000-8000-00000000dead';

let c: ScimTestClient;

beforeAll(async () => {
  c = await createScimClient();
});
afterAll(async () => {
  await c.close();
});

type Resource = ScimResource;

const user = (displayName?: string) =>
  c.newUser('member', 'groups.example', displayName ? { displayName } : {});

const group = (members: Array<{ id: string }> = [], displayName = uniqueName('Group')) =>
  c.newGroup(members, displayName);

/** The member ids the server lists for a group, sorted. */
async function memberIds(groupId: string): Promise<string[]> {
  const res = await c.scim('GET', `/Groups/${groupId}`);
  expect(res.status).toBe(200);
  return ((res.body.members ?? []) as Array<{ value: string }>).map((m) => m.value).sort();
}

const sorted = (...items: Array<{ id: string }>) => items.map((i) => i.id).sort();

/** Audit rows and events of a group written after `since` (the highest ids before the request). */
async function effectsSince(groupId: string, since: { audit: number; events: number }) {
  const db = c.t.app.database.db;
  const audit = await db
    .selectFrom('audit_log')
    .select(['action', 'changes'])
    .where('target_id', '=', groupId)
    .where('id', '>', since.audit)
    .orderBy('id')
    .execute();
  const events = await db
    .selectFrom('events')
    .select(['type', 'payload'])
    .where('aggregate_id', '=', groupId)
    .where('id', '>', since.events)
    .orderBy('id')
    .execute();
  return { audit, events };
}

async function highWater() {
  const db = c.t.app.database.db;
  const a = await db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.max('id').as('m'))
    .executeTakeFirst();
  const e = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max('id').as('m'))
    .executeTakeFirst();
  return { audit: Number(a?.m ?? 0), events: Number(e?.m ?? 0) };
}

describe('POST /Groups and GET /Groups/{id}', () => {
  it('creates a group with users and a nested group; GET lists members with value, $ref, display, type', async () => {
    const ann = await user('Ann Member');
    const bob = await user();
    const nested = await group([], uniqueName('Nested'));
    const displayName = uniqueName('Team');
    const res = await c.scim('POST', '/Groups', {
      schemas: [CORE_GROUP],
      displayName,
      externalId: `ext-${displayName}`,
      members: [{ value: ann.id }, { value: bob.id, type: 'User' }, { value: nested.id }],
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('W/"1"');
    expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json\b/);
    const location = res.headers.get('location') ?? '';
    expect(location).toMatch(new RegExp(`/scim/v2/Groups/${res.body.id as string}$`));
    const base = location.slice(0, location.indexOf('/Groups/'));
    const members = [
      { value: ann.id, $ref: `${base}/Users/${ann.id}`, display: 'Ann Member', type: 'User' },
      { value: bob.id, $ref: `${base}/Users/${bob.id}`, display: bob.userName, type: 'User' },
      { value: nested.id, $ref: `${base}/Groups/${nested.id}`, display: nested.displayName, type: 'Group' },
    ].sort((a, b) => a.value.localeCompare(b.value));
    const expected = {
      schemas: [CORE_GROUP],
      id: res.body.id,
      externalId: `ext-${displayName}`,
      displayName,
      members,
      meta: {
        resourceType: 'Group',
        created: expect.any(String),
        lastModified: expect.any(String),
        location,
        version: 'W/"1"',
      },
    };
    expect(res.body).toEqual(expected);
    const got = await c.scim('GET', `/Groups/${res.body.id as string}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('W/"1"');
    expect(got.body).toEqual(expected);
  });

  it('omits members with excludedAttributes=members and returns only what attributes names', async () => {
    const ann = await user();
    const team = await group([ann]);
    const without = await c.scim('GET', `/Groups/${team.id}?excludedAttributes=members`);
    expect(without.status).toBe(200);
    const { members, ...rest } = team;
    expect(members).toHaveLength(1);
    expect(without.body).toEqual(rest);
    const only = await c.scim('GET', `/Groups/${team.id}?attributes=displayName`);
    expect(only.body).toEqual({ schemas: [CORE_GROUP], id: team.id, displayName: team.displayName });
  });

  it('answers 400 invalidValue for an unknown member id and creates nothing', async () => {
    const ann = await user();
    const displayName = uniqueName('Rejected');
    const res = await c.scim('POST', '/Groups', {
      schemas: [CORE_GROUP],
      displayName,
      members: [{ value: ann.id }, { value: GHOST }],
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidValue' });
    expect(res.body.detail).toEqual(expect.stringContaining(GHOST));
    const list = await c.scim(
      'GET',
      `/Groups?filter=${encodeURIComponent(`displayName eq "${displayName}"`)}`,
    );
    expect(list.body.totalResults).toBe(0);
  });

  it('answers 404 for an unknown group', async () => {
    for (const id of [GHOST, 'nope']) {
      const res = await c.scim('GET', `/Groups/${id}`);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ schemas: [ERROR], status: '404' });
    }
  });
});

describe('PUT /Groups/{id} (RFC 7644 §3.5.1)', () => {
  it('replaces members: unnamed ones go, new ones come, kept ones are not touched', async () => {
    const [ann, bob, cat] = [await user(), await user(), await user()];
    const nested = await group();
    const team = await group([ann, bob, nested]);
    const since = await highWater();
    const res = await c.scim('PUT', `/Groups/${team.id}`, {
      schemas: [CORE_GROUP],
      displayName: team.displayName,
      members: [{ value: bob.id }, { value: cat.id }],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('W/"2"');
    expect(((res.body.members ?? []) as Array<{ value: string }>).map((m) => m.value).sort()).toEqual(
      sorted(bob, cat),
    );
    expect(await memberIds(team.id)).toEqual(sorted(bob, cat));

    const { audit, events } = await effectsSince(team.id, since);
    const removed = audit.filter((a) => a.action === 'membership.remove');
    expect(audit.map((a) => a.action).sort()).toEqual([
      'membership.add',
      'membership.remove',
      'membership.remove',
    ]);
    expect(audit.find((a) => a.action === 'membership.add')?.changes).toEqual([
      { attribute: 'members', before: null, after: { type: 'user', id: cat.id } },
    ]);
    const byId = (x: { id: string }, y: { id: string }) => x.id.localeCompare(y.id);
    expect(removed.map((a) => a.changes[0]?.before as { id: string }).sort(byId)).toEqual(
      [
        { type: 'user', id: ann.id },
        { type: 'group', id: nested.id },
      ].sort(byId),
    );
    expect(events.map((e) => e.type).sort()).toEqual([
      'membership.added',
      'membership.removed',
      'membership.removed',
    ]);
    expect(JSON.stringify([audit, events])).not.toContain(bob.id);
  });

  it('renames, clears externalId, and answers 404 for an unknown group', async () => {
    const created = await c.scim('POST', '/Groups', {
      schemas: [CORE_GROUP],
      displayName: uniqueName('Old'),
      externalId: uniqueName('ext'),
    });
    const team = created.body as Resource;
    expect(team.externalId).toEqual(expect.stringMatching(/^ext\./));
    const displayName = uniqueName('Renamed');
    const res = await c.scim('PUT', `/Groups/${team.id}`, {
      schemas: [CORE_GROUP],
      id: GHOST,
      displayName,
      meta: { version: 'W/"42"' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: team.id, displayName, meta: { version: 'W/"2"' } });
    expect(res.body).not.toHaveProperty('members');
    expect(res.body).not.toHaveProperty('externalId');
    expect((await c.scim('GET', `/Groups/${team.id}`)).body).toEqual(res.body);
    const missing = await c.scim('PUT', `/Groups/${GHOST}`, { schemas: [CORE_GROUP], displayName });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ schemas: [ERROR], status: '404' });
  });

  it('answers 400 invalidValue for an unknown member and leaves members and version as they were', async () => {
    const ann = await user();
    const team = await group([ann]);
    const res = await c.scim('PUT', `/Groups/${team.id}`, {
      schemas: [CORE_GROUP],
      displayName: `${team.displayName as string} changed`,
      members: [{ value: GHOST }],
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidValue' });
    const got = await c.scim('GET', `/Groups/${team.id}`);
    expect(got.body.displayName).toBe(team.displayName);
    expect(got.headers.get('etag')).toBe('W/"1"');
    expect(await memberIds(team.id)).toEqual([ann.id]);
  });
});

describe('PATCH /Groups/{id} members (RFC 7644 §3.5.2)', () => {
  it('adds and removes members, answering 204 with the new ETag', async () => {
    const [ann, bob, cat] = [await user(), await user(), await user()];
    const team = await group([ann]);
    const added = await c.scim(
      'PATCH',
      `/Groups/${team.id}`,
      patch({ op: 'add', path: 'members', value: [{ value: bob.id }, { value: cat.id }] }),
    );
    expect(added.status).toBe(204);
    expect(added.body).toEqual({});
    expect(added.headers.get('etag')).toBe('W/"2"');
    expect(await memberIds(team.id)).toEqual(sorted(ann, bob, cat));

    const removed = await c.scim(
      'PATCH',
      `/Groups/${team.id}`,
      patch({ op: 'remove', path: 'members', value: [{ value: ann.id }] }),
    );
    expect(removed.status).toBe(204);
    expect(removed.headers.get('etag')).toBe('W/"3"');
    expect(await memberIds(team.id)).toEqual(sorted(bob, cat));
  });

  it('answers 400 invalidValue for an unknown member id and changes nothing', async () => {
    const [ann, bob] = [await user(), await user()];
    const team = await group([ann]);
    const res = await c.scim(
      'PATCH',
      `/Groups/${team.id}`,
      patch(
        { op: 'remove', path: 'members', value: [{ value: ann.id }] },
        { op: 'add', path: 'members', value: [{ value: bob.id }, { value: GHOST }] },
      ),
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidValue' });
    expect(await memberIds(team.id)).toEqual([ann.id]);
    const got = await c.scim('GET', `/Groups/${team.id}`);
    expect(got.headers.get('etag')).toBe('W/"1"');
  });
});

describe('DELETE /Groups/{id} (RFC 7644 §3.6)', () => {
  it('answers 204; the group is then 404, gone from lists and from its parent group', async () => {
    const nested = await group();
    const parent = await group([nested]);
    const res = await c.scim('DELETE', `/Groups/${nested.id}`);
    expect(res.status).toBe(204);
    expect(res.body).toEqual({});
    const got = await c.scim('GET', `/Groups/${nested.id}`);
    expect(got.status).toBe(404);
    expect(got.body).toMatchObject({ schemas: [ERROR], status: '404' });
    const list = await c.scim(
      'GET',
      `/Groups?filter=${encodeURIComponent(`displayName eq "${nested.displayName as string}"`)}`,
    );
    expect(list.body.totalResults).toBe(0);
    expect(await memberIds(parent.id)).toEqual([]);
    expect((await c.scim('DELETE', `/Groups/${nested.id}`)).status).toBe(404);
  });
});
