import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScimClient, type ScimTestClient } from '../../../test/scim.ts';
import { silentLogger } from '../../core/index.ts';
import type { Connector, ListPage } from '../../outbound/index.ts';
import { scimConnector } from './index.ts';

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function ok<T>(r: { ok: true; value: T } | { ok: false; failure: { code: string; message: string } }): T {
  if (!r.ok) throw new Error(`expected success, got ${r.failure.code}: ${r.failure.message}`);
  return r.value;
}

describe("against Joinery's own SCIM server over HTTP", () => {
  let client: ScimTestClient;
  let server: ServerType;
  let connector: Connector;

  beforeAll(async () => {
    client = await createScimClient();
    const token = await client.t.token(['scim']);
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: client.t.app.http.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    const config = scimConnector.configSchema.parse({
      baseUrl: `http://127.0.0.1:${port}/scim/v2/`,
      auth: { type: 'bearer', token },
      pageSize: 3,
    });
    connector = scimConnector.create(config, { logger: silentLogger, sleep: async () => {} });
  });
  afterAll(async () => {
    await connector.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await client.close();
  });

  it('connects: PATCH, filter and ETag support from the ServiceProviderConfig', async () => {
    const caps = ok(await connector.connect());
    expect(caps).toMatchObject({ users: true, groups: true, find: true, list: true });
    expect(caps.notes).toEqual(expect.arrayContaining(['PATCH supported', 'updates by PATCH']));
  });

  it('provisions a user through its whole life', async () => {
    const boss = ok(await connector.create('user', { userName: 'boss@joinery.test', displayName: 'Boss' }));
    const user = ok(
      await connector.create('user', {
        userName: 'ada@joinery.test',
        displayName: 'Ada Lovelace',
        active: true,
        externalId: 'x-ada',
        'name.givenName': 'Ada',
        'name.familyName': 'Lovelace',
        title: 'Analyst',
        preferredLanguage: 'en-GB',
        'emails[type eq "work"].value': 'ada@joinery.test',
        [`${ENT}:department`]: 'Engines',
        [`${ENT}:employeeNumber`]: '1815',
        [`${ENT}:manager`]: boss.id,
      }),
    );
    expect(user.attributes).toMatchObject({
      userName: 'ada@joinery.test',
      'name.familyName': 'Lovelace',
      'emails[type eq "work"].value': 'ada@joinery.test',
      [`${ENT}:employeeNumber`]: '1815',
      [`${ENT}:manager`]: boss.id,
    });
    expect(ok(await connector.find('user', `${ENT}:employeeNumber`, '1815'))?.id).toBe(user.id);
    expect(ok(await connector.find('user', 'userName', 'ADA@joinery.test'))?.id).toBe(user.id);

    const updated = ok(
      await connector.update(
        'user',
        user.id,
        {
          set: { title: 'Countess', 'phoneNumbers[type eq "mobile"].value': '+44 20 0000 0000' },
          remove: [`${ENT}:manager`, 'emails[type eq "work"].value'],
        },
        {},
      ),
    );
    expect(updated.attributes).toMatchObject({
      title: 'Countess',
      'phoneNumbers[type eq "mobile"].value': '+44 20 0000 0000',
    });
    expect(updated.attributes[`${ENT}:manager`]).toBeUndefined();
    expect(updated.attributes['emails[type eq "work"].value']).toBeUndefined();

    ok(await connector.disable('user', user.id));
    expect(ok(await connector.get('user', user.id))?.attributes.active).toBe(false);
    ok(await connector.delete('user', user.id));
    ok(await connector.delete('user', user.id));
    expect(ok(await connector.get('user', user.id))).toBeNull();
  });

  it('refuses a duplicate userName as conflict', async () => {
    ok(await connector.create('user', { userName: 'dup@joinery.test' }));
    const again = await connector.create('user', { userName: 'DUP@joinery.test' });
    expect(again.ok ? null : again.failure).toMatchObject({ code: 'conflict', status: 409 });
  });

  it('creates groups with members and changes them in batches', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1)
      ids.push(ok(await connector.create('user', { userName: `g${i}@joinery.test` })).id);
    const group = ok(
      await connector.create('group', { displayName: 'Engineers', externalId: 'g-eng' }, ids.slice(0, 2)),
    );
    expect(new Set(group.members)).toEqual(new Set(ids.slice(0, 2)));
    ok(await connector.addMembers(group.id, ids));
    ok(await connector.removeMembers(group.id, [ids[0]!, ids[0]!]));
    ok(await connector.removeMembers(group.id, [ids[0]!]));
    const after = ok(await connector.get('group', group.id));
    expect(new Set(after?.members)).toEqual(new Set(ids.slice(1)));
    expect(after?.attributes).toMatchObject({ displayName: 'Engineers', externalId: 'g-eng' });
    expect(ok(await connector.find('group', 'displayName', 'Engineers'))?.id).toBe(group.id);
  });

  it('lists every user in pages', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: ListPage = ok(await connector.list('user', cursor));
      expect(page.objects.length).toBeLessThanOrEqual(3);
      seen.push(...page.objects.map((o) => o.id));
      cursor = page.next;
    } while (cursor !== null && seen.length < 100);
    const all = await client.scim('GET', '/Users?count=1000');
    expect(seen.length).toBe(all.body.totalResults);
    expect(new Set(seen).size).toBe(seen.length);
  });
});
