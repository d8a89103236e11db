import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORE_USER, createScimClient, ENTERPRISE, patch, type ScimTestClient } from '../../../test/scim.ts';

const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const JOINERY = 'urn:ietf:params:scim:schemas:extension:joinery:2.0:User';
const CSV = 'urn:ietf:params:scim:schemas:extension:csv:1.0:User';
const SPC = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const BASE = 'http://localhost/scim/v2';
let c: ScimTestClient;
let admin = '';

interface Attribute {
  name: string;
  type: string;
  multiValued: boolean;
  required: boolean;
  caseExact: boolean;
  mutability: string;
  returned: string;
  uniqueness: string;
  canonicalValues?: string[];
  subAttributes?: Attribute[];
}
const attributes = (schema: Record<string, unknown>) => schema.attributes as Attribute[];
const named = (list: Attribute[] | undefined, name: string) => list?.find((a) => a.name === name);

async function schema(urn: string): Promise<Record<string, unknown>> {
  const res = await c.scim('GET', `/Schemas/${urn}`);
  expect(res.status, urn).toBe(200);
  return res.body;
}
const declare = (body: Record<string, unknown>) =>
  c.t.call('PUT', '/api/v1/scim-extensions', { token: admin, body });
const filtered = (filter: string) =>
  c.scim('GET', `/Users?filter=${encodeURIComponent(filter)}&sortBy=userName`);

beforeAll(async () => {
  c = await createScimClient({
    env: {
      JOINERY_SCIM_BULK_MAX_OPERATIONS: '42',
      JOINERY_SCIM_BULK_MAX_PAYLOAD_BYTES: '65536',
      JOINERY_SCIM_MAX_RESULTS: '77',
    },
  });
  admin = await c.t.token(['admin']);
});
afterAll(async () => {
  await c.close();
});

describe('/ServiceProviderConfig (RFC 7643 §5)', () => {
  it('advertises the configured limits and every supported feature', async () => {
    const res = await c.scim('GET', '/ServiceProviderConfig');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(res.body).toMatchObject({
      schemas: [SPC],
      patch: { supported: true },
      bulk: { supported: true, maxOperations: 42, maxPayloadSize: 65536 },
      filter: { supported: true, maxResults: 77 },
      changePassword: { supported: false },
      sort: { supported: true },
      etag: { supported: true },
      meta: { resourceType: 'ServiceProviderConfig', location: `${BASE}/ServiceProviderConfig` },
    });
    expect(res.body.authenticationSchemes).toEqual([expect.objectContaining({ type: 'oauthbearertoken' })]);
  });

  it("serves the same document at Microsoft's legacy /serviceConfiguration", async () => {
    const standard = await c.scim('GET', '/ServiceProviderConfig');
    const legacy = await c.scim('GET', '/serviceConfiguration');
    expect(legacy.status).toBe(200);
    expect(legacy.body).toEqual(standard.body);
  });
});

describe('/ResourceTypes (RFC 7643 §6)', () => {
  it('lists User and Group', async () => {
    const res = await c.scim('GET', '/ResourceTypes');
    expect(res.body).toMatchObject({
      schemas: [LIST_RESPONSE],
      totalResults: 2,
      itemsPerPage: 2,
      startIndex: 1,
    });
    expect(res.body.Resources?.map((r) => [r.id, r.endpoint, r.schema])).toEqual([
      ['User', '/Users', CORE_USER],
      ['Group', '/Groups', CORE_GROUP],
    ]);
  });

  it('describes User with its extensions, and Group', async () => {
    const user = await c.scim('GET', '/ResourceTypes/User');
    expect(user.body).toMatchObject({
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      schema: CORE_USER,
      meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/User` },
    });
    expect(user.body.schemaExtensions).toEqual([
      { schema: ENTERPRISE, required: false },
      { schema: JOINERY, required: false },
    ]);
    const group = await c.scim('GET', '/ResourceTypes/Group');
    expect(group.body).toMatchObject({
      id: 'Group',
      endpoint: '/Groups',
      schema: CORE_GROUP,
      schemaExtensions: [],
    });
    expect((await c.scim('GET', '/ResourceTypes/Device')).status).toBe(404);
  });
});

describe('/Schemas (RFC 7643 §7)', () => {
  it('lists the core User, enterprise, Joinery and Group schemas', async () => {
    const res = await c.scim('GET', '/Schemas');
    expect(res.body).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 4, itemsPerPage: 4 });
    expect(res.body.Resources?.map((s) => s.id)).toEqual([CORE_USER, ENTERPRISE, JOINERY, CORE_GROUP]);
  });

  it('serves each schema by URN with its attribute characteristics', async () => {
    const user = await schema(CORE_USER);
    expect(user).toMatchObject({
      id: CORE_USER,
      name: 'User',
      meta: { location: `${BASE}/Schemas/${CORE_USER}` },
    });
    expect(named(attributes(user), 'userName')).toMatchObject({
      type: 'string',
      multiValued: false,
      required: true,
      caseExact: false,
      mutability: 'readWrite',
      returned: 'default',
      uniqueness: 'server',
    });
    const emails = named(attributes(user), 'emails');
    expect(emails).toMatchObject({ type: 'complex', multiValued: true });
    expect(emails?.subAttributes?.map((s) => s.name)).toEqual(['value', 'display', 'type', 'primary']);
    expect(named(emails?.subAttributes, 'type')?.canonicalValues).toEqual(['work', 'home', 'other']);
    expect(named(attributes(user), 'groups')).toMatchObject({ mutability: 'readOnly', multiValued: true });

    const enterprise = await schema(ENTERPRISE.toLowerCase());
    expect(enterprise.id).toBe(ENTERPRISE);
    expect(named(attributes(enterprise), 'manager')?.subAttributes?.map((s) => s.name)).toEqual([
      'value',
      '$ref',
      'displayName',
    ]);
    const group = await schema(CORE_GROUP);
    expect(named(attributes(group), 'displayName')).toMatchObject({ required: true, type: 'string' });
    expect(named(named(attributes(group), 'members')?.subAttributes, 'value')).toMatchObject({
      mutability: 'immutable',
      caseExact: true,
    });
    expect((await c.scim('GET', '/Schemas/urn:example:nothing')).status).toBe(404);
  });

  it('describes the common attribute id: readOnly, returned always, unique, case-exact', async () => {
    expect(named(attributes(await schema(CORE_USER)), 'id')).toMatchObject({
      mutability: 'readOnly',
      returned: 'always',
      uniqueness: 'server',
      caseExact: true,
    });
  });
});

describe('unsupported methods', () => {
  it.each([
    ['POST', '/ServiceProviderConfig', 'GET'],
    ['PUT', '/Schemas', 'GET'],
    ['DELETE', '/ResourceTypes/User', 'GET'],
    ['PATCH', '/Users', 'GET, POST'],
    ['POST', '/Users/2819c223-7f76-453a-919d-413861904646', 'GET, PUT, PATCH, DELETE'],
  ])('%s %s is 405 with Allow: %s', async (method, path, allow) => {
    const res = await c.scim(method, path, method === 'DELETE' ? undefined : {});
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '405' });
  });
});

describe('a custom extension declared through the admin API', () => {
  const csvUser = (userName: string, values: Record<string, unknown> | undefined) => ({
    schemas: values ? [CORE_USER, CSV] : [CORE_USER],
    userName,
    ...(values ? { [CSV]: values } : {}),
  });
  let first = '';

  it('is declared and then served in /Schemas and /ResourceTypes/User', async () => {
    const res = await declare({
      id: CSV,
      name: 'CsvUser',
      attributes: [
        { name: 'costCentreCode', type: 'string' },
        { name: 'badgeNumber', type: 'integer' },
        { name: 'onLeave', type: 'boolean' },
      ],
    });
    expect(res.status).toBe(200);
    const list = await c.scim('GET', '/Schemas');
    expect(list.body.totalResults).toBe(5);
    expect(list.body.Resources?.map((s) => s.id)).toContain(CSV);
    const csv = await schema(CSV);
    expect(csv.name).toBe('CsvUser');
    expect(attributes(csv).map((a) => [a.name, a.type, a.multiValued, a.mutability])).toEqual([
      ['costCentreCode', 'string', false, 'readWrite'],
      ['badgeNumber', 'integer', false, 'readWrite'],
      ['onLeave', 'boolean', false, 'readWrite'],
    ]);
    const type = await c.scim('GET', '/ResourceTypes/User');
    expect(type.body.schemaExtensions).toContainEqual({ schema: CSV, required: false });
  });

  it('round-trips its values through POST, GET, PATCH and PUT under the URN key', async () => {
    const created = await c.scim(
      'POST',
      '/Users',
      csvUser('csv.one', { costCentreCode: 'CC-9', badgeNumber: 7, onLeave: false }),
    );
    expect(created.status).toBe(201);
    first = created.body.id as string;
    expect(created.body[CSV]).toEqual({ costCentreCode: 'CC-9', badgeNumber: 7, onLeave: false });
    expect(created.body.schemas).toEqual([CORE_USER, CSV]);
    expect((await c.scim('GET', `/Users/${first}`)).body[CSV]).toEqual(created.body[CSV]);

    const byPath = await c.scim(
      'PATCH',
      `/Users/${first}`,
      patch({ op: 'replace', path: `${CSV}:badgeNumber`, value: 12 }),
    );
    expect(byPath.status).toBe(200);
    expect(byPath.body[CSV]).toEqual({ costCentreCode: 'CC-9', badgeNumber: 12, onLeave: false });
    const byValue = await c.scim(
      'PATCH',
      `/Users/${first}`,
      patch({ op: 'add', value: { [CSV]: { onLeave: true } } }),
    );
    expect(byValue.body[CSV]).toEqual({ costCentreCode: 'CC-9', badgeNumber: 12, onLeave: true });

    const put = await c.scim(
      'PUT',
      `/Users/${first}`,
      csvUser('csv.one', { costCentreCode: 'CC-10', badgeNumber: 9 }),
    );
    expect(put.status).toBe(200);
    expect((await c.scim('GET', `/Users/${first}`)).body[CSV]).toEqual({
      costCentreCode: 'CC-10',
      badgeNumber: 9,
    });
  });

  it('is filterable and sortable', async () => {
    const second = await c.scim(
      'POST',
      '/Users',
      csvUser('csv.two', { costCentreCode: 'cc-3', badgeNumber: 3, onLeave: true }),
    );
    expect(second.status).toBe(201);
    const userNames = async (filter: string) =>
      (await filtered(filter)).body.Resources?.map((u) => u.userName);
    expect(await userNames(`${CSV}:badgeNumber gt 5`)).toEqual(['csv.one']);
    expect(await userNames(`${CSV}:badgeNumber le 9`)).toEqual(['csv.one', 'csv.two']);
    expect(await userNames(`${CSV}:onLeave eq true`)).toEqual(['csv.two']);
    expect(await userNames(`${CSV}:costCentreCode eq "CC-3"`)).toEqual(['csv.two']);
    expect(await userNames('badgeNumber eq 9')).toEqual(['csv.one']);
    const sorted = await c.scim(
      'GET',
      `/Users?filter=${encodeURIComponent('badgeNumber pr')}&sortBy=${CSV}:badgeNumber`,
    );
    expect(sorted.body.Resources?.map((u) => u.userName)).toEqual(['csv.two', 'csv.one']);
    const bad = await filtered(`${CSV}:badgeNumber gt "5"`);
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe('invalidFilter');
  });

  it('rejects values of the wrong type with 400 invalidValue naming the attribute', async () => {
    for (const [attribute, value] of [
      ['badgeNumber', 'seven'],
      ['badgeNumber', 1.5],
      ['onLeave', 'maybe'],
      ['costCentreCode', 42],
    ] as const) {
      const res = await c.scim('POST', '/Users', csvUser(`csv.bad.${attribute}`, { [attribute]: value }));
      expect(res.status, `${attribute}=${value}`).toBe(400);
      expect(res.body).toMatchObject({ schemas: [ERROR], scimType: 'invalidValue' });
      expect(String(res.body.detail)).toContain(attribute);
    }
    const patched = await c.scim(
      'PATCH',
      `/Users/${first}`,
      patch({ op: 'replace', path: `${CSV}:badgeNumber`, value: 'x' }),
    );
    expect(patched.status).toBe(400);
    expect(patched.body.scimType).toBe('invalidValue');
    expect((await c.scim('GET', `/Users/${first}`)).body[CSV]).toMatchObject({ badgeNumber: 9 });
  });

  it('rejects a dateTime value that names no instant', async () => {
    const urn = 'urn:ietf:params:scim:schemas:extension:dates:1.0:User';
    expect(
      (await declare({ id: urn, name: 'Dates', attributes: [{ name: 'reviewDate', type: 'dateTime' }] }))
        .status,
    ).toBe(200);
    const ok = await c.scim('POST', '/Users', {
      schemas: [CORE_USER, urn],
      userName: 'dates.ok',
      [urn]: { reviewDate: '2026-02-28T09:00:00Z' },
    });
    expect(ok.status).toBe(201);
    const bad = await c.scim('POST', '/Users', {
      schemas: [CORE_USER, urn],
      userName: 'dates.bad',
      [urn]: { reviewDate: '2026-02-30' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.scimType).toBe('invalidValue');
    const found = await filtered(`${urn}:reviewDate gt "2026-01-01"`);
    expect(found.status).toBe(200);
    expect(found.body.Resources?.map((u) => u.userName)).toEqual(['dates.ok']);
  });

  it('refuses an attribute named like a standard one with 409', async () => {
    for (const name of ['userName', 'DisplayName', 'department', 'employeeHireDate']) {
      const res = await declare({
        id: 'urn:ietf:params:scim:schemas:extension:clash:1.0:User',
        name: 'Clash',
        attributes: [{ name, type: 'string' }],
      });
      expect(res.status, name).toBe(409);
    }
    const clashWithCustom = await declare({
      id: 'urn:example:other:1.0:User',
      name: 'Other',
      attributes: [{ name: 'badgeNumber', type: 'string' }],
    });
    expect(clashWithCustom.status).toBe(409);
    const ids = (await c.scim('GET', '/Schemas')).body.Resources?.map((s) => s.id);
    expect(ids).not.toContain('urn:ietf:params:scim:schemas:extension:clash:1.0:User');
    expect(ids).not.toContain('urn:example:other:1.0:User');
  });
});
