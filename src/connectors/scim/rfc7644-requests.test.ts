import { afterEach, describe, expect, it } from 'vitest';
import type { ListPage } from '../../outbound/index.ts';
import { type ScriptedServer, SPC_PATCH, startScriptedServer, withDiscovery } from './scripted-server.ts';
import { failed, ok, testConnector } from './test-connector.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const current = {
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  id: 'u1',
  userName: 'a@example.com',
  nickName: 'kept',
  emails: [{ type: 'work', value: 'old@example.com', primary: true }],
  meta: { resourceType: 'User', version: 'W/"1"' },
};

let server: ScriptedServer;
afterEach(async () => {
  await server?.close();
});
const calls = (method: string) =>
  server.requests.filter((r) => r.method === method && !r.path.endsWith('Config'));

describe('POST body (RFC 7644 §3.3, RFC 7643 §4)', () => {
  it('builds a conformant resource with every extension in schemas', async () => {
    server = await startScriptedServer(withDiscovery(() => ({ status: 201, body: { id: 'u1' } })));
    const { connector } = testConnector({
      baseUrl: server.url,
      userSchemaExtensions: ['urn:example:params:scim:schemas:acme:1.0:User'],
    });
    ok(
      await connector.create('user', {
        userName: 'a@example.com',
        active: true,
        'name.givenName': 'Ann',
        'emails[type eq "work"].value': 'a@example.com',
        'addresses[type eq "work"].locality': 'Bern',
        'addresses[type eq "work"].country': 'CH',
        [`${ENT}:manager`]: 'boss-id',
        [`${ENT}:department`]: 'R&D',
        'urn:example:params:scim:schemas:acme:1.0:User:badge': 42,
        title: null,
      }),
    );
    expect(calls('POST')[0]?.json).toEqual({
      schemas: [
        'urn:ietf:params:scim:schemas:core:2.0:User',
        ENT,
        'urn:example:params:scim:schemas:acme:1.0:User',
      ],
      userName: 'a@example.com',
      active: true,
      name: { givenName: 'Ann' },
      emails: [{ type: 'work', primary: true, value: 'a@example.com' }],
      addresses: [{ type: 'work', primary: true, locality: 'Bern', country: 'CH' }],
      [ENT]: { manager: { value: 'boss-id' }, department: 'R&D' },
      'urn:example:params:scim:schemas:acme:1.0:User': { badge: 42 },
    });
  });

  it('refuses an attribute path it cannot express, without a request', async () => {
    server = await startScriptedServer(withDiscovery(() => ({ status: 201, body: { id: 'u1' } })));
    const { connector } = testConnector({ baseUrl: server.url });
    expect(failed(await connector.create('user', { 'emails[value co "x"].value': 'y' }))).toMatchObject({
      code: 'invalid',
    });
    expect(calls('POST')).toHaveLength(0);
  });
});

describe('PATCH operations (RFC 7644 §3.5.2)', () => {
  it('replaces with value paths, removes cleared attributes and whole selected elements', async () => {
    server = await startScriptedServer(withDiscovery(() => ({ status: 200, body: current })));
    const { connector } = testConnector({ baseUrl: server.url });
    ok(
      await connector.update(
        'user',
        'u1',
        {
          set: {
            'emails[type eq "work"].value': 'new@example.com',
            [`${ENT}:manager`]: 'm2',
            displayName: null,
          },
          remove: [
            'phoneNumbers[type eq "mobile"].value',
            `${ENT}:department`,
            'addresses[type eq "work"].locality',
          ],
        },
        {},
      ),
    );
    const patch = calls('PATCH')[0]!;
    expect(patch.path).toBe('/scim/Users/u1');
    expect(patch.json).toEqual({
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'new@example.com' },
        { op: 'replace', path: `${ENT}:manager`, value: { value: 'm2' } },
        { op: 'remove', path: 'displayName' },
        { op: 'remove', path: 'phoneNumbers[type eq "mobile"]' },
        { op: 'remove', path: `${ENT}:department` },
        { op: 'remove', path: 'addresses[type eq "work"].locality' },
      ],
    });
  });

  it('after noTarget, reads the resource and adds missing elements whole, skipping absent removals', async () => {
    server = await startScriptedServer(
      withDiscovery((req) => {
        if (req.method === 'PATCH' && calls('PATCH').length === 1)
          return { status: 400, body: { scimType: 'noTarget', detail: 'no match' } };
        return { status: 200, body: current };
      }),
    );
    const { connector } = testConnector({ baseUrl: server.url });
    ok(
      await connector.update(
        'user',
        'u1',
        {
          set: {
            'emails[type eq "work"].value': 'n@example.com',
            'phoneNumbers[type eq "mobile"].value': '+1',
          },
          remove: ['addresses[type eq "work"].locality'],
        },
        {},
      ),
    );
    expect(calls('PATCH')[1]?.json).toMatchObject({
      Operations: [
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'n@example.com' },
        { op: 'add', path: 'phoneNumbers', value: [{ type: 'mobile', primary: true, value: '+1' }] },
      ],
    });
  });

  it('disables with replace active false, and batches members in chunks of 500', async () => {
    server = await startScriptedServer(withDiscovery(() => ({ status: 204 })));
    const { connector } = testConnector({ baseUrl: server.url });
    ok(await connector.disable('user', 'u1'));
    expect(calls('PATCH')[0]?.json).toEqual({
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
    const ids = Array.from({ length: 1200 }, (_, i) => `m${i}`);
    ok(await connector.addMembers('g1', ids));
    const adds = calls('PATCH').slice(1);
    expect(
      adds.map((r) => (r.json as { Operations: Array<{ value: unknown[] }> }).Operations[0]?.value.length),
    ).toEqual([500, 500, 200]);
    type Ops = { Operations: Array<{ op: string; path: string; value: unknown[] }> };
    const first = (adds[0]!.json as Ops).Operations[0];
    expect([first?.op, first?.path, first?.value[0]]).toEqual(['add', 'members', { value: 'm0' }]);
    ok(await connector.removeMembers('g1', ['a"b', 'c']));
    expect(calls('PATCH').at(-1)?.json).toMatchObject({
      Operations: [
        { op: 'remove', path: 'members[value eq "a\\"b"]' },
        { op: 'remove', path: 'members[value eq "c"]' },
      ],
    });
  });
});

describe('PUT when PATCH is not supported (RFC 7644 §3.5.1)', () => {
  it('GETs, applies the desired state to the fetched resource, and PUTs with If-Match', async () => {
    const spc = { ...SPC_PATCH, patch: { supported: false }, etag: { supported: true } };
    server = await startScriptedServer(
      withDiscovery((req) => {
        if (req.method === 'PUT' && calls('PUT').length === 1)
          return { status: 412, body: { detail: 'version' } };
        return { status: 200, headers: { ETag: `W/"${server.requests.length}"` }, body: current };
      }, spc),
    );
    const { connector } = testConnector({ baseUrl: server.url });
    const desired = {
      userName: 'a@example.com',
      'emails[type eq "work"].value': 'new@example.com',
      title: 'Boss',
    };
    ok(await connector.update('user', 'u1', { set: { title: 'Boss' }, remove: ['nickName'] }, desired));
    const puts = calls('PUT');
    expect(puts).toHaveLength(2);
    expect(puts[1]?.json).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      id: 'u1',
      userName: 'a@example.com',
      emails: [{ type: 'work', value: 'new@example.com', primary: true }],
      title: 'Boss',
    });
    expect(puts[1]?.headers['if-match']).toMatch(/^W\/"\d+"$/);
    expect(calls('GET').filter((r) => r.path === '/scim/Users/u1')).toHaveLength(2);
  });

  it('honours updateMethod put even when PATCH is advertised', async () => {
    server = await startScriptedServer(withDiscovery(() => ({ status: 200, body: current })));
    const { connector } = testConnector({ baseUrl: server.url, updateMethod: 'put' });
    ok(await connector.disable('user', 'u1'));
    expect(calls('PUT')[0]?.json).toMatchObject({ active: false, nickName: 'kept' });
    expect(calls('PATCH')).toHaveLength(0);
  });
});

describe('filtering (RFC 7644 §3.4.2.2)', () => {
  it('escapes quotes and backslashes in the comparison value', async () => {
    server = await startScriptedServer(
      withDiscovery(() => ({ status: 200, body: { totalResults: 0, Resources: [] } })),
    );
    const { connector } = testConnector({ baseUrl: server.url });
    expect(ok(await connector.find('user', 'userName', 'a"b\\c'))).toBeNull();
    expect(ok(await connector.find('user', 'emails[type eq "work"].value', 'x@y'))).toBeNull();
    expect(ok(await connector.find('user', `${ENT}:manager`, 'm1'))).toBeNull();
    const filters = calls('GET')
      .filter((r) => r.query.has('filter'))
      .map((r) => r.query.get('filter'));
    expect(filters).toEqual([
      'userName eq "a\\"b\\\\c"',
      'emails[type eq "work" and value eq "x@y"]',
      `${ENT}:manager.value eq "m1"`,
    ]);
    expect(calls('GET')[1]?.url).toContain('%20eq%20');
  });

  it('answers conflict when several objects match', async () => {
    server = await startScriptedServer(
      withDiscovery(() => ({
        status: 200,
        body: { totalResults: 2, Resources: [{ id: 'a' }, { id: 'b' }] },
      })),
    );
    const { connector } = testConnector({ baseUrl: server.url });
    expect(failed(await connector.find('user', 'userName', 'x'))).toMatchObject({
      code: 'conflict',
      retryable: false,
    });
  });

  it('answers unsupported when the target says it cannot filter', async () => {
    server = await startScriptedServer(
      withDiscovery(() => ({ status: 200 }), { ...SPC_PATCH, filter: { supported: false } }),
    );
    const { connector } = testConnector({ baseUrl: server.url });
    expect(ok(await connector.connect()).find).toBe(false);
    expect(failed(await connector.find('user', 'userName', 'x'))).toMatchObject({ code: 'unsupported' });
  });
});

describe('paging (RFC 7644 §3.4.2.4)', () => {
  it('pages by startIndex, with count capped by filter.maxResults', async () => {
    const all = Array.from({ length: 5 }, (_, i) => ({ id: `u${i}`, userName: `u${i}` }));
    server = await startScriptedServer(
      withDiscovery(
        (req) => {
          const start = Number(req.query.get('startIndex'));
          const count = Number(req.query.get('count'));
          return {
            status: 200,
            body: { totalResults: 5, startIndex: start, Resources: all.slice(start - 1, start - 1 + count) },
          };
        },
        { ...SPC_PATCH, filter: { supported: true, maxResults: 2 } },
      ),
    );
    const { connector } = testConnector({ baseUrl: server.url, pageSize: 100 });
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page: ListPage = ok(await connector.list('user', cursor));
      pages.push(page.objects.map((o) => o.id));
      cursor = page.next;
    } while (cursor !== null);
    expect(pages).toEqual([['u0', 'u1'], ['u2', 'u3'], ['u4']]);
    expect(
      calls('GET')
        .filter((r) => r.path === '/scim/Users')
        .map((r) => r.query.get('count')),
    ).toEqual(['2', '2', '2']);
  });
});

describe('discovery', () => {
  it('falls back to a /Users probe when there is no ServiceProviderConfig, and then uses PUT', async () => {
    server = await startScriptedServer((req) =>
      req.path === '/scim/Users'
        ? { status: 200, body: { totalResults: 0, Resources: [] } }
        : { status: 404 },
    );
    const { connector } = testConnector({ baseUrl: server.url });
    const caps = ok(await connector.connect());
    expect(caps.notes).toEqual(
      expect.arrayContaining(['no ServiceProviderConfig (features assumed)', 'updates by GET + PUT']),
    );
    expect(server.requests.map((r) => r.path)).toEqual([
      '/scim/ServiceProviderConfig',
      '/scim/Users',
      '/scim/ResourceTypes',
    ]);
  });

  it('connect reports auth when the credentials are refused', async () => {
    server = await startScriptedServer((req) =>
      req.path.endsWith('/ServiceProviderConfig') ? { status: 200, body: SPC_PATCH } : { status: 401 },
    );
    const { connector } = testConnector({ baseUrl: server.url });
    expect(failed(await connector.connect())).toMatchObject({ code: 'auth' });
  });
});
