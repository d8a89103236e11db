/**
 * Every SCIM change writes the audit log and the outbox exactly as the admin API does for the same
 * change, attributed to the SCIM token; a rejected SCIM request writes neither.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORE_USER, createScimClient, ENTERPRISE, patch, type ScimTestClient } from '../../../test/scim.ts';
import { verifyToken } from '../../auth/index.ts';

const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

let c: ScimTestClient;
let admin: string;
let scimTokenId: string;
let seq = 0;
const unique = (prefix: string) => `${prefix}.${++seq}.${Date.now().toString(36)}`;

beforeAll(async () => {
  c = await createScimClient();
  admin = await c.t.token(['admin'], 'admin-api');
  const principal = await verifyToken(c.t.app.tokens, c.token);
  if (!principal) throw new Error('the SCIM token does not verify');
  scimTokenId = principal.tokenId;
});
afterAll(async () => {
  await c.close();
});

type Mark = { audit: number; events: number };

async function mark(): Promise<Mark> {
  const db = c.t.app.database.db;
  const max = async (table: 'audit_log' | 'events') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.max('id').as('m'))
          .executeTakeFirst()
      )?.m ?? 0,
    );
  return { audit: await max('audit_log'), events: await max('events') };
}

/** Audit rows and events written since `from`, all targets, in order. */
async function since(from: Mark) {
  const db = c.t.app.database.db;
  const audit = await db
    .selectFrom('audit_log')
    .selectAll()
    .where('id', '>', from.audit)
    .orderBy('id')
    .execute();
  const events = await db
    .selectFrom('events')
    .selectAll()
    .where('id', '>', from.events)
    .orderBy('id')
    .execute();
  return { audit, events };
}

type Effects = Awaited<ReturnType<typeof since>>;

/** Actions with the attributes they name, event types with their payload keys (values hold times). */
const shape = (e: Effects) => ({
  audit: e.audit.map((r) => [r.action, r.target_type, r.changes.map((x) => x.attribute)]),
  events: e.events.map((x) => [x.type, x.aggregate_type, Object.keys(x.payload).sort()]),
});

/** What must be equal between the admin API and SCIM: actions, changes, event types and payloads. */
function comparable(effects: Effects, names: Record<string, string>) {
  let text = JSON.stringify({
    audit: effects.audit.map((a) => ({
      action: a.action,
      target: [a.target_type, a.target_id],
      changes: [...a.changes].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))),
      details: a.details,
    })),
    events: effects.events.map((e) => ({
      type: e.type,
      aggregate: [e.aggregate_type, e.aggregate_id],
      payload: e.payload,
    })),
  });
  for (const [value, name] of Object.entries(names)) text = text.split(value).join(name);
  return JSON.parse(text) as unknown;
}

/** Runs a request and returns what it wrote. */
async function effectsOf(run: () => Promise<unknown>): Promise<Effects> {
  const from = await mark();
  await run();
  return since(from);
}

async function scimUser(extra: Record<string, unknown> = {}) {
  const res = await c.scim('POST', '/Users', {
    schemas: [CORE_USER],
    userName: `${unique('s')}@fx.example`,
    ...extra,
  });
  expect(res.status).toBe(201);
  return res.body as { id: string; userName: string };
}

async function api(method: string, path: string, body?: unknown) {
  const res = await c.t.call(method, `/api/v1${path}`, { token: admin, body });
  expect(res.status).toBeLessThan(300);
  return (await res.json()) as { id: string; userName: string };
}

const bySCIM = (e: Effects) => {
  for (const a of e.audit)
    expect(a).toMatchObject({ actor_type: 'token', actor_id: scimTokenId, actor_name: 'test' });
};

describe('users', () => {
  it('create: user.create with the set attributes and user.created, like the admin API', async () => {
    const name = `${unique('create')}@fx.example`;
    const viaScim = await effectsOf(async () => {
      const res = await c.scim(
        'POST',
        '/Users',
        {
          schemas: [CORE_USER, ENTERPRISE],
          userName: name,
          displayName: 'Effect User',
          title: 'Engineer',
          emails: [{ value: 'fx@example.com', type: 'work', primary: true }],
          [ENTERPRISE]: { department: 'Ops' },
        },
        { 'X-Correlation-Id': 'scim-create-1' },
      );
      expect(res.status).toBe(201);
    });
    const adminName = `${unique('create')}@fx.example`;
    const viaApi = await effectsOf(() =>
      api('POST', '/users', {
        userName: adminName,
        displayName: 'Effect User',
        title: 'Engineer',
        emails: [{ value: 'fx@example.com', type: 'work', primary: true }],
        department: 'Ops',
      }),
    );
    bySCIM(viaScim);
    expect(viaScim.audit.map((a) => a.action)).toEqual(['user.create']);
    expect(viaScim.events.map((e) => e.type)).toEqual(['user.created']);
    expect(viaScim.events[0]?.payload).toEqual({ userName: name, externalId: null, accountEnabled: true });
    expect([...viaScim.audit, ...viaScim.events].map((r) => r.correlation_id)).toEqual([
      'scim-create-1',
      'scim-create-1',
    ]);
    const id = viaScim.audit[0]?.target_id as string;
    const adminId = viaApi.audit[0]?.target_id as string;
    expect(comparable(viaScim, { [id]: 'ID', [name]: 'NAME' })).toEqual(
      comparable(viaApi, { [adminId]: 'ID', [adminName]: 'NAME' }),
    );
  });

  it('PUT and PATCH: user.update with the changed attributes and user.updated, like the admin API', async () => {
    const u = await scimUser({ title: 'Engineer', displayName: 'Before' });
    const a = await api('POST', '/users', {
      userName: `${unique('a')}@fx.example`,
      title: 'Engineer',
      displayName: 'Before',
    });
    const put = await effectsOf(() =>
      c.scim('PUT', `/Users/${u.id}`, {
        schemas: [CORE_USER],
        userName: u.userName,
        title: 'Lead',
        displayName: 'Before',
      }),
    );
    bySCIM(put);
    expect(put.audit.map((r) => [r.action, r.target_id, r.changes])).toEqual([
      ['user.update', u.id, [{ attribute: 'title', before: 'Engineer', after: 'Lead' }]],
    ]);
    expect(put.events.map((e) => [e.type, e.aggregate_id, e.payload])).toEqual([
      ['user.updated', u.id, { changed: ['title'] }],
    ]);
    const adminPut = await effectsOf(() => api('PATCH', `/users/${a.id}`, { title: 'Lead' }));
    expect(comparable(put, { [u.id]: 'ID' })).toEqual(comparable(adminPut, { [a.id]: 'ID' }));

    const disable = await effectsOf(() =>
      c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'Replace', path: 'active', value: 'False' })),
    );
    bySCIM(disable);
    expect(disable.audit.map((r) => [r.action, r.changes])).toEqual([
      ['user.update', [{ attribute: 'accountEnabled', before: true, after: false }]],
    ]);
    expect(disable.events.map((e) => [e.type, e.payload])).toEqual([['user.disabled', {}]]);
    const adminDisable = await effectsOf(() => api('PATCH', `/users/${a.id}`, { accountEnabled: false }));
    expect(comparable(disable, { [u.id]: 'ID' })).toEqual(comparable(adminDisable, { [a.id]: 'ID' }));
  });

  it('a PATCH that changes nothing writes nothing', async () => {
    const u = await scimUser({ title: 'Same' });
    const noop = await effectsOf(() =>
      c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'title', value: 'Same' })),
    );
    expect(noop).toEqual({ audit: [], events: [] });
  });

  it('DELETE: user.delete and user.deleted with userName and restorableUntil, like the admin API', async () => {
    const u = await scimUser();
    const a = await api('POST', '/users', { userName: `${unique('a')}@fx.example` });
    const viaScim = await effectsOf(() => c.scim('DELETE', `/Users/${u.id}`));
    bySCIM(viaScim);
    expect(viaScim.audit.map((r) => [r.action, r.target_type, r.target_id])).toEqual([
      ['user.delete', 'user', u.id],
    ]);
    expect(viaScim.audit[0]?.details).toEqual({ userName: u.userName, restorableUntil: expect.any(String) });
    expect(viaScim.events.map((e) => [e.type, e.aggregate_id, e.payload])).toEqual([
      ['user.deleted', u.id, { userName: u.userName, restorableUntil: expect.any(String) }],
    ]);
    const viaApi = await effectsOf(() => api('DELETE', `/users/${a.id}`));
    expect(shape(viaScim)).toEqual(shape(viaApi));
  });
});

describe('groups', () => {
  it('create with members: group.create, membership.add per member, and their events', async () => {
    const [ann, bob] = [await scimUser(), await scimUser()];
    const displayName = unique('FX group');
    const viaScim = await effectsOf(async () => {
      const res = await c.scim('POST', '/Groups', {
        schemas: [CORE_GROUP],
        displayName,
        members: [{ value: ann.id }, { value: bob.id }],
      });
      expect(res.status).toBe(201);
    });
    bySCIM(viaScim);
    const id = viaScim.audit[0]?.target_id as string;
    expect(viaScim.audit.map((r) => [r.action, r.target_type, r.target_id])).toEqual([
      ['group.create', 'group', id],
      ['membership.add', 'group', id],
      ['membership.add', 'group', id],
    ]);
    expect(viaScim.events.map((e) => e.type)).toEqual([
      'group.created',
      'membership.added',
      'membership.added',
    ]);
    expect(viaScim.events[0]?.payload).toEqual({ displayName });
    expect(
      viaScim.events
        .slice(1)
        .map((e) => e.payload)
        .sort((x, y) => String(x.memberId).localeCompare(String(y.memberId))),
    ).toEqual([ann.id, bob.id].sort().map((m) => ({ groupId: id, memberType: 'user', memberId: m })));

    const viaApi = await effectsOf(async () => {
      const g = await api('POST', '/groups', { displayName });
      await api('POST', `/groups/${g.id}/members`, {
        members: [ann, bob].map((m) => ({ type: 'user', id: m.id })),
      });
    });
    const adminId = viaApi.audit[0]?.target_id as string;
    expect(comparable(viaScim, { [id]: 'ID' })).toEqual(comparable(viaApi, { [adminId]: 'ID' }));
  });

  it('PATCH: group.update for the rename and one membership row per added or removed member', async () => {
    const [ann, bob, cat] = [await scimUser(), await scimUser(), await scimUser()];
    const created = await c.scim('POST', '/Groups', {
      schemas: [CORE_GROUP],
      displayName: unique('Before'),
      members: [{ value: ann.id }, { value: bob.id }],
    });
    const g = created.body as { id: string; displayName: string };
    const renamed = `${g.displayName} after`;
    const viaScim = await effectsOf(() =>
      c.scim(
        'PATCH',
        `/Groups/${g.id}`,
        patch(
          { op: 'replace', path: 'displayName', value: renamed },
          { op: 'add', path: 'members', value: [{ value: cat.id }, { value: bob.id }] },
          { op: 'remove', path: `members[value eq "${ann.id}"]` },
        ),
      ),
    );
    bySCIM(viaScim);
    expect(viaScim.audit.map((r) => [r.action, r.target_id, r.changes])).toEqual([
      ['group.update', g.id, [{ attribute: 'displayName', before: g.displayName, after: renamed }]],
      [
        'membership.remove',
        g.id,
        [{ attribute: 'members', before: { type: 'user', id: ann.id }, after: null }],
      ],
      ['membership.add', g.id, [{ attribute: 'members', before: null, after: { type: 'user', id: cat.id } }]],
    ]);
    expect(viaScim.events.map((e) => [e.type, e.payload])).toEqual([
      ['group.updated', { changed: ['displayName'] }],
      ['membership.removed', { groupId: g.id, memberType: 'user', memberId: ann.id }],
      ['membership.added', { groupId: g.id, memberType: 'user', memberId: cat.id }],
    ]);
  });

  it('DELETE: group.delete and group.deleted, like the admin API', async () => {
    const g = (await c.scim('POST', '/Groups', { schemas: [CORE_GROUP], displayName: unique('Doomed') }))
      .body as { id: string };
    const a = await api('POST', '/groups', { displayName: unique('Doomed') });
    const viaScim = await effectsOf(() => c.scim('DELETE', `/Groups/${g.id}`));
    bySCIM(viaScim);
    expect(viaScim.audit.map((r) => [r.action, r.target_id])).toEqual([['group.delete', g.id]]);
    expect(viaScim.events.map((e) => [e.type, e.aggregate_id])).toEqual([['group.deleted', g.id]]);
    const viaApi = await effectsOf(() => api('DELETE', `/groups/${a.id}`));
    expect(shape(viaScim)).toEqual(shape(viaApi));
  });
});

describe('rejected requests', () => {
  it('write no audit row and no event', async () => {
    const u = await scimUser({ title: 'Kept' });
    const g = (await c.scim('POST', '/Groups', { schemas: [CORE_GROUP], displayName: unique('Kept') }))
      .body as { id: string };
    const reader = await c.t.token(['directory.read']);
    const rejected = await effectsOf(async () => {
      const statuses = [
        await c.scim('POST', '/Users', { userName: u.userName.toUpperCase() }),
        await c.scim('POST', '/Users', { userName: `${unique('x')}@fx.example`, emails: [{ value: 'bad' }] }),
        await c.scim(
          'PATCH',
          `/Users/${u.id}`,
          patch({ op: 'replace', path: 'title', value: 'x' }, { op: 'replace', path: 'nope', value: 1 }),
        ),
        await c.scim('PUT', `/Users/${u.id}`, { userName: u.userName, title: 'x' }, { 'If-Match': 'W/"9"' }),
        await c.scim('DELETE', `/Users/${u.id}`, undefined, { 'If-Match': 'W/"9"' }),
        await c.scim(
          'PATCH',
          `/Groups/${g.id}`,
          patch({ op: 'add', path: 'members', value: [{ value: '0190c0de-0000-7000-8000-000000000000' }] }),
        ),
        await c.scim('POST', '/Groups', {
          schemas: [CORE_GROUP],
          displayName: 'x',
          members: [{ value: 'nope' }],
        }),
        await c.scim('POST', '/Users', JSON.stringify({ userName: 'plain@fx.example' }), {
          'Content-Type': 'text/plain',
        }),
      ].map((r) => r.status);
      expect(statuses).toEqual([409, 400, 400, 412, 412, 400, 400, 415]);
      const forbidden = await c.t.call('POST', '/scim/v2/Users', {
        token: reader,
        body: { userName: 'ro@fx.example' },
      });
      expect(forbidden.status).toBe(403);
      const anonymous = await c.t.call('POST', '/scim/v2/Users', { body: { userName: 'anon@fx.example' } });
      expect(anonymous.status).toBe(401);
    });
    expect(rejected).toEqual({ audit: [], events: [] });
  });
});
