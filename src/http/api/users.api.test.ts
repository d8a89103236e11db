import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/app.ts';

let t: TestApp;
let admin: string;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.token(['admin']);
});
afterAll(async () => {
  await t.close();
});

interface UserBody {
  id: string;
  userName: string;
  version: number;
  managerId: string | null;
  emails: Array<{ value: string; primary?: boolean }>;
  deletedAt: string | null;
}
interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

async function create(body: Record<string, unknown>): Promise<UserBody> {
  const res = await t.call('POST', '/api/v1/users', { token: admin, body });
  expect(res.status).toBe(201);
  return (await res.json()) as UserBody;
}

describe('admin API: users', () => {
  it('creates a user with every attribute and reads it back', async () => {
    const input = {
      userName: 'grace@example.com',
      externalId: 'WD-1001',
      employeeId: 'E1001',
      givenName: 'Grace',
      familyName: 'Hopper',
      displayName: 'Grace Hopper',
      emails: [
        { value: 'grace@example.com', type: 'work', primary: true },
        { value: 'g@home.example', type: 'home' },
      ],
      phoneNumbers: [{ value: '+44 20 7946 0000', type: 'work', primary: true }],
      title: 'Rear Admiral',
      department: 'Engineering',
      division: 'R&D',
      costCenter: 'CC-42',
      companyName: 'Navy',
      employeeType: 'Employee',
      employeeHireDate: '2026-12-01',
      employeeLeaveDateTime: '2030-01-31T17:00:00+01:00',
      accountEnabled: false,
      timezone: 'America/New_York',
      preferredLanguage: 'en-US',
      usageLocation: 'US',
      personalEmail: 'grace.personal@example.org',
      extension: { badge: 1906, site: 'Arlington' },
    };
    const res = await t.call('POST', '/api/v1/users', { token: admin, body: input });
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('W/"1"');
    const created = (await res.json()) as Record<string, unknown>;
    expect(created).toMatchObject({
      ...input,
      employeeHireDate: '2026-12-01T00:00:00.000Z',
      employeeLeaveDateTime: '2030-01-31T16:00:00.000Z',
      version: 1,
      deletedAt: null,
    });
    const got = await t.call('GET', `/api/v1/users/${created.id}`, { token: admin });
    expect(await got.json()).toEqual(created);
  });

  it('answers 400 naming the field for malformed JSON, unknown fields and wrong types', async () => {
    const bad = await t.call('POST', '/api/v1/users', { token: admin, body: '{"userName": ' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorBody).error.code).toBe('request.invalid_json');

    const unknown = await t.call('POST', '/api/v1/users', {
      token: admin,
      body: { userName: 'x@example.com', shoeSize: 44 },
    });
    expect(unknown.status).toBe(400);
    const u = (await unknown.json()) as ErrorBody;
    expect(u.error.code).toBe('request.invalid');
    expect(u.error.message).toContain('shoeSize: unknown field');

    const types = await t.call('POST', '/api/v1/users', {
      token: admin,
      body: { userName: 'y@example.com', accountEnabled: 'yes', emails: [{ value: 'not-an-email' }] },
    });
    expect(types.status).toBe(400);
    const fields = ((await types.json()) as ErrorBody).error.details.issues as Array<{ field: string }>;
    expect(fields.map((f) => f.field).sort()).toEqual(['accountEnabled', 'emails.0.value']);

    const text = await t.call('POST', '/api/v1/users', {
      token: admin,
      body: 'userName=z',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(text.status).toBe(415);
    const none = await t.call('GET', '/api/v1/users?userName=y@example.com', { token: admin });
    expect(((await none.json()) as { items: unknown[] }).items).toEqual([]);
  });

  it('answers 409 naming the attribute on a case-insensitive userName clash and writes nothing', async () => {
    await create({ userName: 'Linus@example.com', externalId: 'L-1' });
    const before = await t.call('GET', '/api/v1/audit?action=user.create&limit=1000', { token: admin });
    const countBefore = ((await before.json()) as { items: unknown[] }).items.length;
    const clash = await t.call('POST', '/api/v1/users', {
      token: admin,
      body: { userName: 'linus@EXAMPLE.com' },
    });
    expect(clash.status).toBe(409);
    const body = (await clash.json()) as ErrorBody;
    expect(body.error.code).toBe('directory.uniqueness');
    expect(body.error.details.attribute).toBe('userName');
    const ext = await t.call('POST', '/api/v1/users', {
      token: admin,
      body: { userName: 'other@example.com', externalId: 'L-1' },
    });
    expect(ext.status).toBe(409);
    expect(((await ext.json()) as ErrorBody).error.details.attribute).toBe('externalId');
    const after = await t.call('GET', '/api/v1/audit?action=user.create&limit=1000', { token: admin });
    expect(((await after.json()) as { items: unknown[] }).items.length).toBe(countBefore);
  });

  it('patches with null to clear, bumps the version and honours If-Match', async () => {
    const user = await create({ userName: 'patch@example.com', title: 'Engineer', department: 'Ops' });
    const res = await t.call('PATCH', `/api/v1/users/${user.id}`, {
      token: admin,
      body: { title: null, department: 'Platform' },
      headers: { 'If-Match': 'W/"1"' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ title: null, department: 'Platform', version: 2 });
    const stale = await t.call('PATCH', `/api/v1/users/${user.id}`, {
      token: admin,
      body: { department: 'Sales' },
      headers: { 'If-Match': 'W/"1"' },
    });
    expect(stale.status).toBe(412);
    expect(((await stale.json()) as ErrorBody).error.code).toBe('directory.version_mismatch');
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const missing = await t.call('GET', '/api/v1/users/01a21c54-a542-7255-96de-000000000000', {
      token: admin,
    });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as ErrorBody).error.code).toBe('directory.user_not_found');
    const malformed = await t.call('GET', '/api/v1/users/42', { token: admin });
    expect(malformed.status).toBe(400);
  });

  it('soft-deletes, hides, lists in the recycle bin and restores', async () => {
    const user = await create({ userName: 'leaver@example.com' });
    expect((await t.call('DELETE', `/api/v1/users/${user.id}`, { token: admin })).status).toBe(200);
    expect((await t.call('GET', `/api/v1/users/${user.id}`, { token: admin })).status).toBe(404);
    const bin = await t.call('GET', '/api/v1/users?deleted=true', { token: admin });
    expect(((await bin.json()) as { items: UserBody[] }).items.map((u) => u.id)).toContain(user.id);
    const restored = await t.call('POST', `/api/v1/users/${user.id}/restore`, { token: admin });
    expect(restored.status).toBe(200);
    expect(((await restored.json()) as UserBody).deletedAt).toBeNull();
    const again = await t.call('POST', `/api/v1/users/${user.id}/restore`, { token: admin });
    expect(again.status).toBe(409);
  });

  it('pages with keyset cursors without gaps or repeats', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 7; i++)
      ids.add((await create({ userName: `page${i}@paging.example`, department: 'Paging' })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/api/v1/users?department=Paging&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
      const body = (await (await t.call('GET', q, { token: admin })).json()) as {
        items: UserBody[];
        nextCursor: string | null;
      };
      expect(body.items.length).toBeLessThanOrEqual(3);
      seen.push(...body.items.map((u) => u.id));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(7);
    expect(new Set(seen)).toEqual(ids);
    const bad = await t.call('GET', '/api/v1/users?cursor=bm9wZQ', { token: admin });
    expect(bad.status).toBe(400);
  });

  it('serves the manager chain and direct reports, and refuses a manager cycle', async () => {
    const ceo = await create({ userName: 'ceo@example.com' });
    const vp = await create({ userName: 'vp@example.com', managerId: ceo.id });
    const dev = await create({ userName: 'dev@example.com', managerId: vp.id });
    const chain = await t.call('GET', `/api/v1/users/${dev.id}/managers`, { token: admin });
    expect(((await chain.json()) as { items: UserBody[] }).items.map((u) => u.userName)).toEqual([
      'vp@example.com',
      'ceo@example.com',
    ]);
    const reports = await t.call('GET', `/api/v1/users/${ceo.id}/directReports`, { token: admin });
    expect(((await reports.json()) as { items: UserBody[] }).items.map((u) => u.id)).toEqual([vp.id]);
    const cycle = await t.call('PATCH', `/api/v1/users/${ceo.id}`, {
      token: admin,
      body: { managerId: dev.id },
    });
    expect(cycle.status).toBe(409);
    expect(((await cycle.json()) as ErrorBody).error.code).toBe('directory.manager_cycle');
    const unchanged = await t.call('GET', `/api/v1/users/${ceo.id}`, { token: admin });
    expect(((await unchanged.json()) as UserBody).managerId).toBeNull();
  });
});
