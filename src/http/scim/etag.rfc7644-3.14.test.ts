/** Versioning with ETags (RFC 7644 §3.14): If-None-Match on reads, If-Match on writes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CORE_GROUP,
  CORE_USER,
  createScimClient,
  ERROR,
  patch,
  type ScimResource,
  type ScimTestClient,
  uniqueName,
} from '../../../test/scim.ts';

let c: ScimTestClient;

beforeAll(async () => {
  c = await createScimClient();
});
afterAll(async () => {
  await c.close();
});

type Resource = ScimResource;

const user = (extra: Record<string, unknown> = {}) => c.newUser('etag', 'etag.example', extra);

const group = (members: Array<{ id: string }> = []) => c.newGroup(members, uniqueName('ETag group'));

const etagOf = async (path: string) => (await c.scim('GET', path)).headers.get('etag');

/** Bumps a user from version 1 to 2 so that W/"1" is stale. */
async function staleUser(): Promise<Resource & { userName: string }> {
  const u = await user({ title: 'v1' });
  const res = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'title', value: 'v2' }));
  expect(res.status).toBe(200);
  expect(res.headers.get('etag')).toBe('W/"2"');
  return (await c.scim('GET', `/Users/${u.id}`)).body as Resource & { userName: string };
}

const expectPreconditionFailed = (res: Awaited<ReturnType<ScimTestClient['scim']>>) => {
  expect(res.status).toBe(412);
  expect(res.body).toEqual({ schemas: [ERROR], status: '412', detail: expect.any(String) });
};

describe('GET with If-None-Match / If-Match', () => {
  it('answers 304 without a body for the current ETag and 200 for a stale one', async () => {
    const u = await staleUser();
    const current = await c.scim('GET', `/Users/${u.id}`, undefined, { 'If-None-Match': 'W/"2"' });
    expect(current.status).toBe(304);
    expect(current.body).toEqual({});
    expect(current.headers.get('etag')).toBe('W/"2"');
    const stale = await c.scim('GET', `/Users/${u.id}`, undefined, { 'If-None-Match': 'W/"1"' });
    expect(stale.status).toBe(200);
    expect(stale.headers.get('etag')).toBe('W/"2"');
    expect(stale.body).toEqual(u);
    expect((stale.body.meta as { version: string }).version).toBe('W/"2"');
  });

  it('answers 304 for a group with its current ETag', async () => {
    const g = await group();
    const current = await c.scim('GET', `/Groups/${g.id}`, undefined, { 'If-None-Match': 'W/"1"' });
    expect(current.status).toBe(304);
    expect(current.body).toEqual({});
    const stale = await c.scim('GET', `/Groups/${g.id}`, undefined, { 'If-None-Match': 'W/"7"' });
    expect(stale.status).toBe(200);
  });

  it('answers 412 for a GET whose If-Match does not match', async () => {
    const u = await user();
    expectPreconditionFailed(await c.scim('GET', `/Users/${u.id}`, undefined, { 'If-Match': 'W/"5"' }));
    expect((await c.scim('GET', `/Users/${u.id}`, undefined, { 'If-Match': 'W/"1"' })).status).toBe(200);
    const g = await group();
    expectPreconditionFailed(await c.scim('GET', `/Groups/${g.id}`, undefined, { 'If-Match': 'W/"5"' }));
  });
});

describe('writes with If-Match on Users', () => {
  it('PUT with a stale If-Match answers 412 and changes nothing; the current one succeeds with W/"3"', async () => {
    const u = await staleUser();
    const body = { schemas: [CORE_USER], userName: u.userName, title: 'put' };
    expectPreconditionFailed(await c.scim('PUT', `/Users/${u.id}`, body, { 'If-Match': 'W/"1"' }));
    expect((await c.scim('GET', `/Users/${u.id}`)).body).toEqual(u);
    const ok = await c.scim('PUT', `/Users/${u.id}`, body, { 'If-Match': 'W/"2"' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).toBe('W/"3"');
    expect(ok.body).toMatchObject({ title: 'put', meta: { version: 'W/"3"' } });
  });

  it('PATCH with a stale If-Match answers 412 and changes nothing; the current one moves to W/"2"', async () => {
    const u = await user({ title: 'before' });
    const body = patch({ op: 'replace', path: 'title', value: 'after' });
    expectPreconditionFailed(await c.scim('PATCH', `/Users/${u.id}`, body, { 'If-Match': 'W/"0"' }));
    expect((await c.scim('GET', `/Users/${u.id}`)).body).toEqual(u);
    const ok = await c.scim('PATCH', `/Users/${u.id}`, body, { 'If-Match': 'W/"1"' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).toBe('W/"2"');
    expect(ok.body).toMatchObject({ title: 'after', meta: { version: 'W/"2"' } });
  });

  it('DELETE with a stale If-Match answers 412 and keeps the user; the current one deletes', async () => {
    const u = await staleUser();
    expectPreconditionFailed(await c.scim('DELETE', `/Users/${u.id}`, undefined, { 'If-Match': 'W/"1"' }));
    expect((await c.scim('GET', `/Users/${u.id}`)).status).toBe(200);
    expect((await c.scim('DELETE', `/Users/${u.id}`, undefined, { 'If-Match': 'W/"2"' })).status).toBe(204);
    expect((await c.scim('GET', `/Users/${u.id}`)).status).toBe(404);
  });

  it('If-Match: * matches any version', async () => {
    const u = await staleUser();
    const patched = await c.scim(
      'PATCH',
      `/Users/${u.id}`,
      patch({ op: 'replace', path: 'title', value: 'star' }),
      { 'If-Match': '*' },
    );
    expect(patched.status).toBe(200);
    expect(patched.headers.get('etag')).toBe('W/"3"');
    const put = await c.scim(
      'PUT',
      `/Users/${u.id}`,
      { schemas: [CORE_USER], userName: u.userName },
      { 'If-Match': '*' },
    );
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toBe('W/"4"');
    expect((await c.scim('DELETE', `/Users/${u.id}`, undefined, { 'If-Match': '*' })).status).toBe(204);
  });

  it('accepts a list of tags when one of them is current', async () => {
    const u = await staleUser();
    const res = await c.scim(
      'PATCH',
      `/Users/${u.id}`,
      patch({ op: 'replace', path: 'title', value: 'listed' }),
      { 'If-Match': 'W/"1", W/"2"' },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('W/"3"');
  });
});

describe('writes with If-Match on Groups', () => {
  it('PUT, PATCH and DELETE with a stale If-Match answer 412 and change nothing', async () => {
    const ann = await user();
    const bob = await user();
    const g = await group([ann]);
    const renamed = await c.scim(
      'PATCH',
      `/Groups/${g.id}`,
      patch({ op: 'replace', path: 'displayName', value: `${g.displayName as string}!` }),
    );
    expect(renamed.status).toBe(204);
    expect(renamed.headers.get('etag')).toBe('W/"2"');
    const before = await c.scim('GET', `/Groups/${g.id}`);
    const stale = { 'If-Match': 'W/"1"' };
    expectPreconditionFailed(
      await c.scim('PUT', `/Groups/${g.id}`, { schemas: [CORE_GROUP], displayName: 'x', members: [] }, stale),
    );
    expectPreconditionFailed(
      await c.scim(
        'PATCH',
        `/Groups/${g.id}`,
        patch({ op: 'add', path: 'members', value: [{ value: bob.id }] }),
        stale,
      ),
    );
    expectPreconditionFailed(await c.scim('DELETE', `/Groups/${g.id}`, undefined, stale));
    const after = await c.scim('GET', `/Groups/${g.id}`);
    expect(after.body).toEqual(before.body);
    expect(after.headers.get('etag')).toBe('W/"2"');
  });

  it('PUT, PATCH and DELETE with the current If-Match succeed and move the ETag', async () => {
    const ann = await user();
    const g = await group();
    const put = await c.scim(
      'PUT',
      `/Groups/${g.id}`,
      { schemas: [CORE_GROUP], displayName: g.displayName, members: [{ value: ann.id }] },
      { 'If-Match': 'W/"1"' },
    );
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toBe('W/"2"');
    expect(put.body).toMatchObject({ meta: { version: 'W/"2"' } });
    const patched = await c.scim(
      'PATCH',
      `/Groups/${g.id}`,
      patch({ op: 'remove', path: `members[value eq "${ann.id}"]` }),
      { 'If-Match': 'W/"2"' },
    );
    expect(patched.status).toBe(204);
    expect(patched.headers.get('etag')).toBe('W/"3"');
    expect((await c.scim('DELETE', `/Groups/${g.id}`, undefined, { 'If-Match': '*' })).status).toBe(204);
  });

  it('a membership change moves the group ETag (and meta.version) exactly once per request', async () => {
    const [ann, bob] = [await user(), await user()];
    const g = await group();
    expect(await etagOf(`/Groups/${g.id}`)).toBe('W/"1"');
    const res = await c.scim(
      'PATCH',
      `/Groups/${g.id}`,
      patch(
        { op: 'add', path: 'members', value: [{ value: ann.id }] },
        { op: 'add', path: 'members', value: [{ value: bob.id }] },
        { op: 'replace', path: 'displayName', value: `${g.displayName as string} (renamed)` },
      ),
    );
    expect(res.status).toBe(204);
    expect(res.headers.get('etag')).toBe('W/"2"');
    const got = await c.scim('GET', `/Groups/${g.id}`);
    expect(got.headers.get('etag')).toBe('W/"2"');
    expect((got.body.meta as { version: string }).version).toBe('W/"2"');
    // The previous ETag no longer short-circuits a read.
    expect((await c.scim('GET', `/Groups/${g.id}`, undefined, { 'If-None-Match': 'W/"1"' })).status).toBe(
      200,
    );
    const noop = await c.scim(
      'PATCH',
      `/Groups/${g.id}`,
      patch({ op: 'add', path: 'members', value: [{ value: ann.id }] }),
    );
    expect(noop.status).toBe(204);
    expect(await etagOf(`/Groups/${g.id}`)).toBe('W/"2"');
    const removed = await c.scim(
      'PATCH',
      `/Groups/${g.id}`,
      patch({ op: 'remove', path: 'members', value: [{ value: bob.id }] }),
    );
    expect(removed.headers.get('etag')).toBe('W/"3"');
    expect(await etagOf(`/Groups/${g.id}`)).toBe('W/"3"');
  });
});
