/** SCIM PATCH (RFC 7644 §3.5.2) through HTTP: users, the Entra dialect, group members, atomicity. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createScimClient,
  ENTERPRISE,
  ERROR,
  patch,
  type ScimReply,
  type ScimTestClient,
  uniqueName,
} from '../../../test/scim.ts';

const GHOST = '0190c0de-0000-7000-8000-00000000beef';

let c: ScimTestClient;

beforeAll(async () => {
  c = await createScimClient();
});
afterAll(async () => {
  await c.close();
});

const user = (extra: Record<string, unknown> = {}) => c.newUser('patch', 'patch.example', extra);

const group = (members: Array<{ id: string }> = []) => c.newGroup(members, uniqueName('Patch group'));

const get = async (path: string) => (await c.scim('GET', path)).body;
const memberIds = async (groupId: string) =>
  (((await get(`/Groups/${groupId}`)).members ?? []) as Array<{ value: string }>).map((m) => m.value).sort();
const ids = (...items: Array<{ id: string }>) => items.map((i) => i.id).sort();

async function auditCount(): Promise<number> {
  const row = await c.t.app.database.db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const expectScimError = (res: ScimReply, scimType: string) => {
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ schemas: [ERROR], status: '400', scimType });
};

describe('PATCH /Users/{id}', () => {
  it('applies add, replace and remove in order and answers 200 with the resource and new ETag', async () => {
    const u = await user({
      title: 'Engineer',
      emails: [
        { value: 'work@example.com', type: 'work', primary: true },
        { value: 'home@example.com', type: 'home' },
      ],
    });
    const res = await c.scim(
      'PATCH',
      `/Users/${u.id}`,
      patch(
        { op: 'replace', path: 'title', value: 'Staff Engineer' },
        { op: 'add', path: 'name.givenName', value: 'Ada' },
        { op: 'remove', path: 'emails[type eq "home"]' },
        { op: 'add', path: 'phoneNumbers', value: [{ value: '+1 555 0100', type: 'mobile' }] },
      ),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('W/"2"');
    expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json\b/);
    expect(res.body).toMatchObject({
      id: u.id,
      title: 'Staff Engineer',
      name: { givenName: 'Ada' },
      emails: [{ value: 'work@example.com', type: 'work', primary: true }],
      phoneNumbers: [{ value: '+1 555 0100', type: 'mobile' }],
      meta: { version: 'W/"2"' },
    });
    expect(await get(`/Users/${u.id}`)).toEqual(res.body);
  });

  it('accepts the Entra dialect: capitalised ops, "False" booleans, a bare manager id, filtered adds', async () => {
    const boss = await user();
    const u = await user({ emails: [{ value: 'old@example.com', type: 'work', primary: true }] });
    const res = await c.scim(
      'PATCH',
      `/Users/${u.id}`,
      patch(
        { op: 'Replace', path: 'active', value: 'False' },
        { op: 'Add', path: `${ENTERPRISE}:manager`, value: boss.id },
        { op: 'Add', path: `${ENTERPRISE}:department`, value: 'Sales' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'new@example.com' },
        { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '+1 555 0101' },
      ),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      active: false,
      emails: [{ value: 'new@example.com', type: 'work', primary: true }],
      phoneNumbers: [{ value: '+1 555 0101', type: 'mobile' }],
      [ENTERPRISE]: { department: 'Sales', manager: { value: boss.id } },
    });
    const again = await c.scim(
      'PATCH',
      `/Users/${u.id}`,
      patch({ op: 'Replace', value: { active: 'True', displayName: 'Pathless' } }),
    );
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ active: true, displayName: 'Pathless', meta: { version: 'W/"3"' } });
    const off = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'Replace', value: { active: 'False' } }));
    expect(off.body.active).toBe(false);
    expect((await get(`/Users/${u.id}`)).active).toBe(false);
  });

  it('is atomic: when the second operation fails nothing of the first is kept', async () => {
    const u = await user({ title: 'Unchanged', displayName: 'Same' });
    const audit = await auditCount();
    const res = await c.scim(
      'PATCH',
      `/Users/${u.id}`,
      patch(
        { op: 'replace', path: 'title', value: 'Changed' },
        { op: 'replace', path: 'shoeSize', value: 44 },
      ),
    );
    expectScimError(res, 'invalidPath');
    expect(res.body.detail).toEqual(expect.stringContaining('Operations[1]'));
    const invalid = await c.scim(
      'PATCH',
      `/Users/${u.id}`,
      patch(
        { op: 'replace', path: 'displayName', value: 'Other' },
        { op: 'add', path: 'emails', value: [{ value: 'not-an-email' }] },
      ),
    );
    expectScimError(invalid, 'invalidValue');
    const after = await c.scim('GET', `/Users/${u.id}`);
    expect(after.body).toEqual(u);
    expect(after.headers.get('etag')).toBe('W/"1"');
    expect(await auditCount()).toBe(audit);
  });

  it('a PATCH that changes nothing keeps the version', async () => {
    const u = await user({ title: 'Same' });
    const res = await c.scim(
      'PATCH',
      `/Users/${u.id}`,
      patch({ op: 'replace', path: 'title', value: 'Same' }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('W/"1"');
  });
});

describe('PATCH /Groups/{id}', () => {
  it('adds and removes members, answering 204 without a body', async () => {
    const [ann, bob, cat] = [await user(), await user(), await user()];
    const nested = await group();
    const team = await group([ann]);
    const add = await c.scim(
      'PATCH',
      `/Groups/${team.id}`,
      patch({
        op: 'add',
        path: 'members',
        value: [{ value: bob.id }, { value: nested.id }, { value: cat.id }],
      }),
    );
    expect(add.status).toBe(204);
    expect(add.body).toEqual({});
    expect(add.headers.get('content-type')).toBeNull();
    expect(await memberIds(team.id)).toEqual(ids(ann, bob, cat, nested));
    const remove = await c.scim(
      'PATCH',
      `/Groups/${team.id}`,
      patch({ op: 'remove', path: 'members', value: [{ value: ann.id }, { value: nested.id }] }),
    );
    expect(remove.status).toBe(204);
    expect(await memberIds(team.id)).toEqual(ids(bob, cat));
  });

  it('removes a member selected by a value filter, also several joined by or', async () => {
    const [ann, bob, cat] = [await user(), await user(), await user()];
    const team = await group([ann, bob, cat]);
    const one = await c.scim(
      'PATCH',
      `/Groups/${team.id}`,
      patch({ op: 'remove', path: `members[value eq "${ann.id}"]` }),
    );
    expect(one.status).toBe(204);
    expect(await memberIds(team.id)).toEqual(ids(bob, cat));
    const two = await c.scim(
      'PATCH',
      `/Groups/${team.id}`,
      patch({ op: 'remove', path: `members[value eq "${bob.id}" or value eq "${cat.id}"]` }),
    );
    expect(two.status).toBe(204);
    expect(await memberIds(team.id)).toEqual([]);
  });

  it('accepts the Entra dialect for members and displayName', async () => {
    const [ann, bob] = [await user(), await user()];
    const team = await group([ann]);
    const res = await c.scim(
      'PATCH',
      `/Groups/${team.id}`,
      patch(
        { op: 'Add', path: 'members', value: [{ value: bob.id }] },
        { op: 'Remove', path: 'members', value: [{ value: ann.id }] },
        { op: 'Replace', path: 'displayName', value: `${team.displayName} (Entra)` },
      ),
    );
    expect(res.status).toBe(204);
    expect(res.headers.get('etag')).toBe('W/"2"');
    expect(await memberIds(team.id)).toEqual([bob.id]);
    expect((await get(`/Groups/${team.id}`)).displayName).toBe(`${team.displayName} (Entra)`);
  });

  it('replaces all members with op replace, and remove without value empties the group', async () => {
    const [ann, bob, cat] = [await user(), await user(), await user()];
    const team = await group([ann, bob]);
    const replaced = await c.scim(
      'PATCH',
      `/Groups/${team.id}`,
      patch({ op: 'replace', path: 'members', value: [{ value: bob.id }, { value: cat.id }] }),
    );
    expect(replaced.status).toBe(204);
    expect(await memberIds(team.id)).toEqual(ids(bob, cat));
    const emptied = await c.scim('PATCH', `/Groups/${team.id}`, patch({ op: 'remove', path: 'members' }));
    expect(emptied.status).toBe(204);
    expect(await memberIds(team.id)).toEqual([]);
  });

  it('returns the resource with 200 when the request asks for attributes', async () => {
    const ann = await user();
    const team = await group();
    const res = await c.scim(
      'PATCH',
      `/Groups/${team.id}?attributes=members`,
      patch({ op: 'add', path: 'members', value: [{ value: ann.id }] }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: team.id, members: [{ value: ann.id, type: 'User' }] });
  });

  it('is atomic: a failing later operation leaves members, name and version as they were', async () => {
    const [ann, bob] = [await user(), await user()];
    const team = await group([ann]);
    const audit = await auditCount();
    const badPath = await c.scim(
      'PATCH',
      `/Groups/${team.id}`,
      patch(
        { op: 'add', path: 'members', value: [{ value: bob.id }] },
        { op: 'replace', path: 'shoeSize', value: 1 },
      ),
    );
    expectScimError(badPath, 'invalidPath');
    const badMember = await c.scim(
      'PATCH',
      `/Groups/${team.id}`,
      patch(
        { op: 'replace', path: 'displayName', value: 'Should not stick' },
        { op: 'remove', path: 'members', value: [{ value: ann.id }] },
        { op: 'add', path: 'members', value: [{ value: GHOST }] },
      ),
    );
    expectScimError(badMember, 'invalidValue');
    const cycle = await c.scim(
      'PATCH',
      `/Groups/${team.id}`,
      patch(
        { op: 'add', path: 'members', value: [{ value: bob.id }] },
        { op: 'add', path: 'members', value: [{ value: team.id }] },
      ),
    );
    expectScimError(cycle, 'invalidValue');
    const after = await c.scim('GET', `/Groups/${team.id}`);
    expect(after.body).toEqual(team);
    expect(after.headers.get('etag')).toBe('W/"1"');
    expect(await auditCount()).toBe(audit);
  });

  it('rejects member filters other than value eq, and sub-attribute changes', async () => {
    const ann = await user();
    const team = await group([ann]);
    expectScimError(
      await c.scim('PATCH', `/Groups/${team.id}`, patch({ op: 'remove', path: 'members[display eq "x"]' })),
      'invalidFilter',
    );
    expectScimError(
      await c.scim(
        'PATCH',
        `/Groups/${team.id}`,
        patch({ op: 'replace', path: 'members.display', value: 'x' }),
      ),
      'mutability',
    );
    expect(await memberIds(team.id)).toEqual([ann.id]);
  });
});
