/** SCIM Users over HTTP: create, get, replace and delete (RFC 7644 §3.3, §3.4.1, §3.5.1, §3.6). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORE_USER, createScimClient, ENTERPRISE, ERROR, type ScimTestClient } from '../../../test/scim.ts';

let c: ScimTestClient;
let seq = 0;
/** A userName no other test of this file uses. */
const unique = (prefix: string) => `${prefix}.${++seq}.${Date.now().toString(36)}@users.example`;

beforeAll(async () => {
  c = await createScimClient();
});
afterAll(async () => {
  await c.close();
});

async function createUser(extra: Record<string, unknown> = {}) {
  const res = await c.scim('POST', '/Users', { schemas: [CORE_USER], userName: unique('u'), ...extra });
  expect(res.status).toBe(201);
  return res.body as Record<string, unknown> & { id: string; userName: string };
}

const USER_URL = /^https?:\/\/[^/]+\/scim\/v2\/Users\/([0-9a-f-]{36})$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('POST /Users (RFC 7644 §3.3)', () => {
  it('answers 201 with Location, ETag W/"1", the SCIM content type and the full resource', async () => {
    const userName = unique('create');
    const res = await c.scim('POST', '/Users', {
      schemas: [CORE_USER],
      userName,
      externalId: `ext-${userName}`,
      name: { givenName: 'Grace', familyName: 'Hopper' },
      displayName: 'Grace Hopper',
      emails: [{ value: 'grace@example.com', type: 'work', primary: true }],
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json\b/);
    expect(res.headers.get('etag')).toBe('W/"1"');
    const location = res.headers.get('location') ?? '';
    const id = USER_URL.exec(location)?.[1];
    expect(id).toBe(res.body.id);
    expect(res.body).toEqual({
      schemas: [CORE_USER],
      id,
      externalId: `ext-${userName}`,
      userName,
      name: { formatted: 'Grace Hopper', givenName: 'Grace', familyName: 'Hopper' },
      displayName: 'Grace Hopper',
      active: true,
      emails: [{ value: 'grace@example.com', type: 'work', primary: true }],
      meta: {
        resourceType: 'User',
        created: expect.stringMatching(INSTANT),
        lastModified: expect.stringMatching(INSTANT),
        location,
        version: 'W/"1"',
      },
    });
    const meta = res.body.meta as { created: string; lastModified: string };
    expect(meta.lastModified).toBe(meta.created);
  });

  it('ignores attributes it does not know instead of answering 400', async () => {
    const res = await c.scim('POST', '/Users', {
      schemas: [CORE_USER, 'urn:example:params:scim:schemas:unknown:1.0:User'],
      userName: unique('unknown'),
      shoeSize: 44,
      'urn:example:params:scim:schemas:unknown:1.0:User': { badge: 'x' },
    });
    expect(res.status).toBe(201);
    expect(res.body).not.toHaveProperty('shoeSize');
    expect(res.body).not.toHaveProperty(['urn:example:params:scim:schemas:unknown:1.0:User']);
    expect(res.body.schemas).toEqual([CORE_USER]);
  });

  it('accepts Content-Type: application/json and the lower-case /users path', async () => {
    const userName = unique('json');
    const res = await c.scim('POST', '/users', { userName }, { 'Content-Type': 'application/json' });
    expect(res.status).toBe(201);
    expect(res.body.userName).toBe(userName);
    const got = await c.scim('GET', `/users/${res.body.id as string}`);
    expect(got.status).toBe(200);
    expect(got.body.userName).toBe(userName);
  });

  it('answers 409 uniqueness for a userName that differs only in case, and creates nothing', async () => {
    const first = await createUser();
    const clash = await c.scim('POST', '/Users', {
      schemas: [CORE_USER],
      userName: first.userName.toUpperCase(),
    });
    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });
    expect(clash.body.detail).toEqual(expect.stringContaining('userName'));
    const list = await c.scim(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${first.userName}"`)}`,
    );
    expect(list.body.totalResults).toBe(1);
  });

  it('answers 400 invalidValue without userName and for an invalid e-mail, naming the attribute', async () => {
    const missing = await c.scim('POST', '/Users', { schemas: [CORE_USER], displayName: 'Nobody' });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidValue' });
    expect(missing.body.detail).toEqual(expect.stringContaining('userName'));

    const userName = unique('bad-email');
    const bad = await c.scim('POST', '/Users', {
      schemas: [CORE_USER],
      userName,
      emails: [{ value: 'not-an-email', type: 'work' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidValue' });
    expect(bad.body.detail).toEqual(expect.stringContaining('emails'));
    const list = await c.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
    expect(list.body.totalResults).toBe(0);
  });

  it('round-trips the enterprise extension, manager given as {value}', async () => {
    const boss = await createUser();
    const res = await c.scim('POST', '/Users', {
      schemas: [CORE_USER, ENTERPRISE],
      userName: unique('ent'),
      [ENTERPRISE]: {
        employeeNumber: 'E-701',
        costCenter: 'CC-9',
        organization: 'Navy',
        division: 'R&D',
        department: 'Compilers',
        manager: { value: boss.id },
      },
    });
    expect(res.status).toBe(201);
    const expected = {
      employeeNumber: 'E-701',
      costCenter: 'CC-9',
      organization: 'Navy',
      division: 'R&D',
      department: 'Compilers',
      manager: { value: boss.id, $ref: expect.stringMatching(new RegExp(`/scim/v2/Users/${boss.id}$`)) },
    };
    expect(res.body.schemas).toEqual([CORE_USER, ENTERPRISE]);
    expect(res.body[ENTERPRISE]).toEqual(expected);
    const got = await c.scim('GET', `/Users/${res.body.id as string}`);
    expect(got.body.schemas).toEqual([CORE_USER, ENTERPRISE]);
    expect(got.body[ENTERPRISE]).toEqual(expected);
  });

  it('accepts active as the string "False", as Entra sends it', async () => {
    const res = await c.scim('POST', '/Users', {
      schemas: [CORE_USER],
      userName: unique('entra'),
      active: 'False',
    });
    expect(res.status).toBe(201);
    expect(res.body.active).toBe(false);
    const got = await c.scim('GET', `/Users/${res.body.id as string}`);
    expect(got.body.active).toBe(false);
  });
});

describe('GET /Users/{id} (RFC 7644 §3.4.1)', () => {
  it('answers 200 with the resource, its ETag and the SCIM content type', async () => {
    const user = await createUser({ displayName: 'Ada' });
    const res = await c.scim('GET', `/Users/${user.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('W/"1"');
    expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json\b/);
    expect(res.body).toEqual(user);
  });

  it.each([
    ['an unknown uuid', '0190c0de-0000-7000-8000-000000000000'],
    ['an id that is not a uuid', 'not-a-uuid'],
  ])('answers 404 with a SCIM error for %s', async (_what, id) => {
    const res = await c.scim('GET', `/Users/${id}`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json\b/);
    expect(res.body).toEqual({ schemas: [ERROR], status: '404', detail: expect.stringContaining(id) });
  });

  it('applies attributes and excludedAttributes, always keeping id and schemas', async () => {
    const user = await createUser({
      displayName: 'Projected',
      title: 'Engineer',
      emails: [{ value: 'p@example.com', type: 'work' }],
    });
    const only = await c.scim('GET', `/Users/${user.id}?attributes=userName`);
    expect(only.status).toBe(200);
    expect(only.body).toEqual({ schemas: [CORE_USER], id: user.id, userName: user.userName });

    const without = await c.scim('GET', `/Users/${user.id}?excludedAttributes=emails`);
    expect(without.status).toBe(200);
    const { emails, ...rest } = user;
    expect(emails).toEqual([{ value: 'p@example.com', type: 'work' }]);
    expect(without.body).toEqual(rest);
  });
});

describe('PUT /Users/{id} (RFC 7644 §3.5.1)', () => {
  it('replaces the resource: omitted attributes are cleared, id and meta in the body are ignored', async () => {
    const user = await createUser({
      externalId: `ext-${++seq}`,
      displayName: 'Before',
      title: 'Engineer',
      name: { givenName: 'Old', familyName: 'Name' },
      emails: [{ value: 'before@example.com', type: 'work' }],
      phoneNumbers: [{ value: '+44 20 7946 0000', type: 'work' }],
    });
    const res = await c.scim('PUT', `/Users/${user.id}`, {
      schemas: [CORE_USER],
      id: '0190c0de-0000-7000-8000-000000000001',
      userName: user.userName,
      name: { givenName: 'New' },
      meta: { resourceType: 'Group', version: 'W/"99"', created: '2000-01-01T00:00:00Z' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('W/"2"');
    const meta = user.meta as Record<string, unknown>;
    expect(res.body).toEqual({
      schemas: [CORE_USER],
      id: user.id,
      userName: user.userName,
      name: { formatted: 'New', givenName: 'New' },
      active: true,
      meta: { ...meta, lastModified: expect.stringMatching(INSTANT), version: 'W/"2"' },
    });
    const got = await c.scim('GET', `/Users/${user.id}`);
    expect(got.body).toEqual(res.body);
    const other = await c.scim('GET', '/Users/0190c0de-0000-7000-8000-000000000001');
    expect(other.status).toBe(404);
  });

  it('answers 404 for an unknown id', async () => {
    const res = await c.scim('PUT', '/Users/0190c0de-0000-7000-8000-000000000002', {
      schemas: [CORE_USER],
      userName: unique('ghost'),
    });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '404' });
    const list = await c.scim('GET', `/Users?filter=${encodeURIComponent('userName sw "ghost."')}`);
    expect(list.body.totalResults).toBe(0);
  });
});

describe('DELETE /Users/{id} (RFC 7644 §3.6)', () => {
  it('answers 204 without a body; the user is then 404 and gone from lists', async () => {
    const user = await createUser();
    const keep = await createUser();
    const res = await c.scim('DELETE', `/Users/${user.id}`);
    expect(res.status).toBe(204);
    expect(res.body).toEqual({});
    expect(res.headers.get('content-type')).toBeNull();
    const got = await c.scim('GET', `/Users/${user.id}`);
    expect(got.status).toBe(404);
    expect(got.body).toMatchObject({ schemas: [ERROR], status: '404' });
    const byName = await c.scim(
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${user.userName}"`)}`,
    );
    expect(byName.status).toBe(200);
    expect(byName.body.totalResults).toBe(0);
    const all = await c.scim('GET', '/Users?count=1000');
    const ids = (all.body.Resources ?? []).map((r) => r.id);
    expect(ids).toContain(keep.id);
    expect(ids).not.toContain(user.id);
    const again = await c.scim('DELETE', `/Users/${user.id}`);
    expect(again.status).toBe(404);
  });
});
