import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORE_USER, createScimClient, patch, type ScimTestClient } from '../../../test/scim.ts';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const MAX_OPERATIONS = 5;
const MAX_PAYLOAD = 8192;
const BASE = 'http://localhost/scim/v2';
let c: ScimTestClient;

type Op = Record<string, unknown>;
interface Result {
  method: string;
  bulkId?: string;
  location?: string;
  version?: string;
  status: string;
  response?: Record<string, unknown>;
}

async function bulk(operations: Op[], extra: Record<string, unknown> = {}) {
  const res = await c.scim('POST', '/Bulk', { schemas: [BULK_REQUEST], Operations: operations, ...extra });
  return { ...res, results: (res.body.Operations ?? []) as Result[] };
}

async function userCount(filter: string): Promise<number> {
  const res = await c.scim('GET', `/Users?filter=${encodeURIComponent(filter)}&count=0`);
  expect(res.status).toBe(200);
  return res.body.totalResults as number;
}

const postUser = (bulkId: string, userName: string, extra: Op = {}): Op => ({
  method: 'POST',
  path: '/Users',
  bulkId,
  data: { schemas: [CORE_USER], userName, ...extra },
});
const idOf = (location: string | undefined) => String(location).split('/').pop() as string;

beforeAll(async () => {
  c = await createScimClient({
    env: {
      JOINERY_SCIM_BULK_MAX_OPERATIONS: String(MAX_OPERATIONS),
      JOINERY_SCIM_BULK_MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD),
    },
  });
});
afterAll(async () => {
  await c.close();
});

describe('Bulk responses (RFC 7644 §3.7.3)', () => {
  it('answers each operation with its method, bulkId, status string, location and version', async () => {
    const res = await bulk([postUser('u1', 'bulk.one'), postUser('u2', 'bulk.two')]);
    expect(res.status).toBe(200);
    expect(res.body.schemas).toEqual([BULK_RESPONSE]);
    expect(res.results).toHaveLength(2);
    for (const [i, r] of res.results.entries()) {
      expect(r).toMatchObject({ method: 'POST', bulkId: `u${i + 1}`, status: '201', version: 'W/"1"' });
      expect(r.location).toMatch(new RegExp(`^${BASE}/Users/[0-9a-f-]{36}$`));
      expect(r.response).toBeUndefined();
      const got = await c.scim('GET', `/Users/${idOf(r.location)}`);
      expect(got.body.userName).toBe(i === 0 ? 'bulk.one' : 'bulk.two');
      expect((got.body.meta as { location: string }).location).toBe(r.location);
    }
  });

  it('reports a failed operation with a SCIM error response and carries on', async () => {
    const res = await bulk([
      postUser('bad', 'has space'),
      postUser('dup', 'bulk.one'),
      postUser('ok', 'bulk.three'),
    ]);
    expect(res.status).toBe(200);
    expect(res.results.map((r) => r.status)).toEqual(['400', '409', '201']);
    expect(res.results[0]?.location).toBeUndefined();
    expect(res.results[0]?.response).toMatchObject({
      schemas: [ERROR],
      status: '400',
      scimType: 'invalidValue',
    });
    expect(res.results[1]?.response).toMatchObject({ status: '409', scimType: 'uniqueness' });
    expect(await userCount('userName eq "bulk.three"')).toBe(1);
  });

  it('runs PUT, PATCH and DELETE operations', async () => {
    const created = await bulk([
      postUser('a', 'bulk.put'),
      postUser('b', 'bulk.patch'),
      postUser('d', 'bulk.del'),
    ]);
    const [put, pat, del] = created.results.map((r) => idOf(r.location));
    const res = await bulk([
      {
        method: 'PUT',
        path: `/Users/${put}`,
        data: { schemas: [CORE_USER], userName: 'bulk.put', displayName: 'Put Done' },
      },
      {
        method: 'PATCH',
        path: `/Users/${pat}`,
        version: 'W/"1"',
        data: patch({ op: 'replace', path: 'displayName', value: 'Patched' }),
      },
      { method: 'DELETE', path: `/Users/${del}` },
      {
        method: 'PATCH',
        path: `/Users/${put}`,
        version: 'W/"1"',
        data: patch({ op: 'replace', path: 'title', value: 'x' }),
      },
    ]);
    expect(res.results.map((r) => [r.method, r.status])).toEqual([
      ['PUT', '200'],
      ['PATCH', '200'],
      ['DELETE', '204'],
      ['PATCH', '412'],
    ]);
    expect(res.results[0]).toMatchObject({ location: `${BASE}/Users/${put}`, version: 'W/"2"' });
    expect(res.results[1]).toMatchObject({ location: `${BASE}/Users/${pat}`, version: 'W/"2"' });
    // location is required in every response entry except a failed POST (§3.7.3).
    expect(res.results[2]?.location).toBe(`${BASE}/Users/${del}`);
    expect(res.results[3]?.location).toBe(`${BASE}/Users/${put}`);
    expect(res.results[3]?.response).toMatchObject({ schemas: [ERROR], status: '412' });
    expect((await c.scim('GET', `/Users/${put}`)).body.displayName).toBe('Put Done');
    expect((await c.scim('GET', `/Users/${pat}`)).body.displayName).toBe('Patched');
    expect((await c.scim('GET', `/Users/${del}`)).status).toBe(404);
  });

  it('PATCHes a group and says where it is even when the answer has no body', async () => {
    const made = await bulk([
      postUser('m', 'bulk.member'),
      { method: 'POST', path: '/Groups', bulkId: 'g', data: { displayName: 'Bulk Patched' } },
    ]);
    const [member, group] = made.results.map((r) => idOf(r.location));
    const res = await bulk([
      {
        method: 'PATCH',
        path: `/Groups/${group}`,
        data: patch({ op: 'add', path: 'members', value: [{ value: member }] }),
      },
    ]);
    expect(res.results[0]?.status).toMatch(/^20[04]$/);
    expect(res.results[0]?.location).toBe(`${BASE}/Groups/${group}`);
    const got = await c.scim('GET', `/Groups/${group}`);
    expect((got.body.members as Array<{ value: string }>).map((m) => m.value)).toEqual([member]);
  });
});

describe('bulkId references (RFC 7644 §3.7.2)', () => {
  it('resolves a member created later in the same request', async () => {
    const res = await bulk([
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'grp',
        data: { displayName: 'Bulk Team', members: [{ value: 'bulkId:alice' }, { value: 'bulkId:bob' }] },
      },
      postUser('alice', 'bulk.alice'),
      postUser('bob', 'bulk.bob'),
    ]);
    expect(res.results.map((r) => [r.bulkId, r.status])).toEqual([
      ['grp', '201'],
      ['alice', '201'],
      ['bob', '201'],
    ]);
    const [group, alice, bob] = res.results.map((r) => idOf(r.location));
    const got = await c.scim('GET', `/Groups/${group}`);
    expect((got.body.members as Array<{ value: string }>).map((m) => m.value).sort()).toEqual(
      [alice, bob].sort(),
    );
  });

  it('resolves a member created earlier in the same request', async () => {
    const res = await bulk([
      postUser('carol', 'bulk.carol'),
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'g2',
        data: { displayName: 'Bulk Two', members: [{ value: 'bulkId:carol' }] },
      },
    ]);
    const [carol, group] = res.results.map((r) => idOf(r.location));
    const got = await c.scim('GET', `/Groups/${group}`);
    expect((got.body.members as Array<{ value: string }>).map((m) => m.value)).toEqual([carol]);
  });

  it('answers circular references with 409 and creates neither', async () => {
    const res = await bulk([
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'ga',
        data: { displayName: 'Cycle A', members: [{ value: 'bulkId:gb' }] },
      },
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'gb',
        data: { displayName: 'Cycle B', members: [{ value: 'bulkId:ga' }] },
      },
    ]);
    expect(res.status).toBe(200);
    expect(res.results.map((r) => [r.bulkId, r.status])).toEqual([
      ['ga', '409'],
      ['gb', '409'],
    ]);
    const groups = await c.scim('GET', `/Groups?filter=${encodeURIComponent('displayName sw "Cycle"')}`);
    expect(groups.body.totalResults).toBe(0);
  });

  it('answers a reference to a failed operation with 409', async () => {
    const res = await bulk([
      postUser('broken', 'bulk broken'),
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'needs',
        data: { displayName: 'Needs Broken', members: [{ value: 'bulkId:broken' }] },
      },
    ]);
    expect(res.results.map((r) => r.status)).toEqual(['400', '409']);
    expect(res.results[1]?.response).toMatchObject({ schemas: [ERROR], status: '409' });
    expect(String(res.results[1]?.response?.detail)).toContain('broken');
  });
});

describe('failOnErrors (RFC 7644 §3.7.3)', () => {
  it('stops after the first error with failOnErrors: 1', async () => {
    const res = await bulk(
      [postUser('e1', 'bad one'), postUser('e2', 'bulk.never'), postUser('e3', 'bad two')],
      {
        failOnErrors: 1,
      },
    );
    expect(res.status).toBe(200);
    expect(res.results.map((r) => [r.bulkId, r.status])).toEqual([['e1', '400']]);
    expect(await userCount('userName eq "bulk.never"')).toBe(0);
  });

  it('processes everything with failOnErrors: null', async () => {
    const res = await bulk([postUser('n1', 'bad three'), postUser('n2', 'bulk.nullfail')], {
      failOnErrors: null,
    });
    expect(res.status).toBe(200);
    expect(res.results.map((r) => r.status)).toEqual(['400', '201']);
    expect(await userCount('userName eq "bulk.nullfail"')).toBe(1);
  });
});

describe('limits (RFC 7644 §3.7.4)', () => {
  it('refuses more than maxOperations with 413 and runs none of them', async () => {
    const ops = Array.from({ length: MAX_OPERATIONS + 1 }, (_, i) => postUser(`x${i}`, `bulk.over${i}`));
    const res = await bulk(ops);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '413' });
    expect(String(res.body.detail)).toContain(String(MAX_OPERATIONS));
    expect(await userCount('userName sw "bulk.over"')).toBe(0);
    const atLimit = await bulk(ops.slice(0, MAX_OPERATIONS));
    expect(atLimit.results.map((r) => r.status)).toEqual(Array(MAX_OPERATIONS).fill('201'));
  });

  it('refuses a body above maxPayloadSize with 413 and runs nothing', async () => {
    const res = await bulk([
      postUser('big', 'bulk.big', { displayName: 'x'.repeat(200), title: 'y'.repeat(MAX_PAYLOAD) }),
    ]);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '413' });
    expect(await userCount('userName eq "bulk.big"')).toBe(0);
  });
});

describe('malformed operations', () => {
  it('rejects an unknown method or a path that is not a path with 400', async () => {
    for (const op of [
      { method: 'GET', path: '/Users' },
      { method: 'POST', path: 'Users', bulkId: 'p', data: { userName: 'bulk.nopath' } },
      { method: 'PATCH' },
    ]) {
      const res = await bulk([postUser('fine', 'bulk.fine'), op]);
      expect(res.status, JSON.stringify(op)).toBe(400);
      expect(res.body).toMatchObject({ schemas: [ERROR], status: '400' });
      expect(String(res.body.detail)).toContain('Operations[1]');
    }
    expect(await userCount('userName eq "bulk.fine"')).toBe(0);
  });

  it('answers an operation on an unknown endpoint with its own error status', async () => {
    const res = await bulk([{ method: 'DELETE', path: '/Nope/1' }, postUser('z', 'bulk.after')]);
    expect(res.status).toBe(200);
    expect(res.results.map((r) => r.status)).toEqual(['404', '201']);
  });

  it('requires the BulkRequest schema and a non-empty Operations array', async () => {
    const noSchema = await c.scim('POST', '/Bulk', { Operations: [postUser('s', 'bulk.s')] });
    expect(noSchema.status).toBe(400);
    expect(noSchema.body.scimType).toBe('invalidSyntax');
    expect((await bulk([])).status).toBe(400);
    const get = await c.scim('GET', '/Bulk');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});
