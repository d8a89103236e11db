/** SCIM error responses (RFC 7644 §3.12): the Error schema, status as a string, and each scimType. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CORE_USER,
  createScimClient,
  ERROR,
  PATCH_OP,
  patch,
  type ScimReply,
  type ScimTestClient,
} from '../../../test/scim.ts';

const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

let c: ScimTestClient;
let seq = 0;
const unique = (prefix: string) => `${prefix}.${++seq}.${Date.now().toString(36)}@errors.example`;

beforeAll(async () => {
  c = await createScimClient();
});
afterAll(async () => {
  await c.close();
});

type Resource = Record<string, unknown> & { id: string; userName: string };

async function user(extra: Record<string, unknown> = {}): Promise<Resource> {
  const res = await c.scim('POST', '/Users', { schemas: [CORE_USER], userName: unique('u'), ...extra });
  expect(res.status).toBe(201);
  return res.body as Resource;
}

/** The RFC 7644 §3.12 shape: the Error schema, status as the string of the HTTP status, a detail. */
function expectError(res: ScimReply, status: number, scimType?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json\b/);
  expect(res.body).toEqual({
    schemas: [ERROR],
    status: String(status),
    ...(scimType ? { scimType } : {}),
    detail: expect.stringMatching(/\S/),
  });
}

/** A raw call (no token, or another one) rendered like ScimTestClient.scim. */
async function raw(path: string, token?: string): Promise<ScimReply> {
  const res = await c.t.call('GET', `/scim/v2${path}`, token ? { token } : {});
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as ScimReply['body']) : {},
    headers: res.headers,
  };
}

describe('authentication and authorisation', () => {
  it('answers 401 with a SCIM error and WWW-Authenticate without a token', async () => {
    const res = await raw('/Users');
    expectError(res, 401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
  });

  it('answers 401 with a SCIM error and WWW-Authenticate for an unknown token', async () => {
    const res = await raw('/Users', 'jny_not-a-real-token');
    expectError(res, 401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
  });

  it('answers 403 with a SCIM error for a token without the scim scope', async () => {
    const reader = await c.t.token(['directory.read']);
    const res = await raw('/Users', reader);
    expectError(res, 403);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(res.body.detail).toEqual(expect.stringContaining('scim'));
  });
});

describe('scimType for each kind of bad request', () => {
  it.each([
    ['bad syntax', 'userName eq'],
    ['an unclosed string', 'userName eq "abc'],
    ['an unknown attribute', 'shoeSize eq "44"'],
    ['an unknown operator', 'userName xx "a"'],
  ])('invalidFilter: %s', async (_what, filter) => {
    expectError(await c.scim('GET', `/Users?filter=${encodeURIComponent(filter)}`), 400, 'invalidFilter');
  });

  it('invalidFilter through POST /.search as well', async () => {
    const res = await c.scim('POST', '/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'userName eq',
    });
    expectError(res, 400, 'invalidFilter');
  });

  it('invalidSyntax: malformed JSON, on every writing method', async () => {
    const u = await user();
    expectError(await c.scim('POST', '/Users', '{"userName": '), 400, 'invalidSyntax');
    expectError(await c.scim('PUT', `/Users/${u.id}`, '{"userName": '), 400, 'invalidSyntax');
    expectError(await c.scim('PATCH', `/Users/${u.id}`, '{"schemas": ['), 400, 'invalidSyntax');
    expectError(await c.scim('POST', '/Groups', '{'), 400, 'invalidSyntax');
  });

  it('invalidSyntax: a PATCH without the PatchOp schema, for users and groups', async () => {
    const u = await user({ title: 'kept' });
    const g = await c.scim('POST', '/Groups', { schemas: [CORE_GROUP], displayName: unique('g') });
    const body = { schemas: [CORE_USER], Operations: [{ op: 'replace', path: 'title', value: 'x' }] };
    expectError(await c.scim('PATCH', `/Users/${u.id}`, body), 400, 'invalidSyntax');
    expectError(await c.scim('PATCH', `/Groups/${g.body.id as string}`, body), 400, 'invalidSyntax');
    expectError(
      await c.scim('PATCH', `/Users/${u.id}`, { Operations: body.Operations }),
      400,
      'invalidSyntax',
    );
    expect((await c.scim('GET', `/Users/${u.id}`)).body.title).toBe('kept');
  });

  it('invalidSyntax: a PATCH whose Operations is empty (§3.5.2: "one or more"), for users and groups', async () => {
    const u = await user();
    const g = await c.scim('POST', '/Groups', { schemas: [CORE_GROUP], displayName: unique('g') });
    const empty = { schemas: [PATCH_OP], Operations: [] };
    expectError(await c.scim('PATCH', `/Users/${u.id}`, empty), 400, 'invalidSyntax');
    expectError(await c.scim('PATCH', `/Groups/${g.body.id as string}`, empty), 400, 'invalidSyntax');
  });

  it('invalidPath: a PATCH to an attribute the schema does not have', async () => {
    const u = await user();
    const res = await c.scim(
      'PATCH',
      `/Users/${u.id}`,
      patch({ op: 'replace', path: 'shoeSize', value: 44 }),
    );
    expectError(res, 400, 'invalidPath');
    expect(res.body.detail).toEqual(expect.stringContaining('shoeSize'));
    const sub = await c.scim(
      'PATCH',
      `/Users/${u.id}`,
      patch({ op: 'replace', path: 'name.nickname', value: 'x' }),
    );
    expectError(sub, 400, 'invalidPath');
  });

  it('noTarget: replace through a value filter that matches nothing, and remove without a path', async () => {
    const u = await user({ emails: [{ value: 'work@example.com', type: 'work' }] });
    const replace = await c.scim(
      'PATCH',
      `/Users/${u.id}`,
      patch({ op: 'replace', path: 'emails[type eq "home"].value', value: 'home@example.com' }),
    );
    expectError(replace, 400, 'noTarget');
    expectError(await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'remove' })), 400, 'noTarget');
    expect((await c.scim('GET', `/Users/${u.id}`)).body.emails).toEqual([
      { value: 'work@example.com', type: 'work' },
    ]);
  });

  it('mutability: a PATCH of id or of the read-only meta', async () => {
    const u = await user();
    const id = await c.scim(
      'PATCH',
      `/Users/${u.id}`,
      patch({ op: 'replace', path: 'id', value: '0190c0de-0000-7000-8000-000000000000' }),
    );
    expectError(id, 400, 'mutability');
    const pathless = await c.scim(
      'PATCH',
      `/Users/${u.id}`,
      patch({ op: 'replace', value: { id: '0190c0de-0000-7000-8000-000000000000' } }),
    );
    expectError(pathless, 400, 'mutability');
    const meta = await c.scim(
      'PATCH',
      `/Users/${u.id}`,
      patch({ op: 'replace', path: 'meta.version', value: 'W/"9"' }),
    );
    expectError(meta, 400, 'mutability');
    const metaWhole = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'remove', path: 'meta' }));
    expectError(metaWhole, 400, 'mutability');
    const required = await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'remove', path: 'userName' }));
    expectError(required, 400, 'mutability');
    const got = await c.scim('GET', `/Users/${u.id}`);
    expect(got.body).toEqual(u);
    const g = await c.scim('POST', '/Groups', { schemas: [CORE_GROUP], displayName: unique('g') });
    const gid = g.body.id as string;
    expectError(
      await c.scim('PATCH', `/Groups/${gid}`, patch({ op: 'replace', path: 'id', value: 'x' })),
      400,
      'mutability',
    );
    expectError(
      await c.scim('PATCH', `/Groups/${gid}`, patch({ op: 'replace', path: 'meta.version', value: 'W/"9"' })),
      400,
      'mutability',
    );
    expect((await c.scim('GET', `/Groups/${gid}`)).body).toEqual(g.body);
  });

  it('invalidValue: values of the wrong type or shape', async () => {
    const u = await user();
    expectError(
      await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'active', value: 'maybe' })),
      400,
      'invalidValue',
    );
    expectError(
      await c.scim('POST', '/Users', {
        schemas: [CORE_USER],
        userName: unique('t'),
        phoneNumbers: [{ value: 'call me' }],
      }),
      400,
      'invalidValue',
    );
    expectError(
      await c.scim(
        'PATCH',
        `/Users/${u.id}`,
        patch({ op: 'add', path: 'emails', value: [{ value: 'nope' }] }),
      ),
      400,
      'invalidValue',
    );
    expectError(
      await c.scim('PATCH', `/Users/${u.id}`, patch({ op: 'replace', path: 'title' })),
      400,
      'invalidValue',
    );
    expect((await c.scim('GET', `/Users/${u.id}`)).body).toEqual(u);
    expectError(await c.scim('POST', '/Users', [{ userName: unique('array') }]), 400, 'invalidSyntax');
  });

  it('uniqueness: userName on POST, PUT and PATCH; externalId of a group', async () => {
    const a = await user();
    const b = await user();
    expectError(await c.scim('POST', '/Users', { userName: a.userName.toUpperCase() }), 409, 'uniqueness');
    expectError(await c.scim('PUT', `/Users/${b.id}`, { userName: a.userName }), 409, 'uniqueness');
    expectError(
      await c.scim('PATCH', `/Users/${b.id}`, patch({ op: 'replace', path: 'userName', value: a.userName })),
      409,
      'uniqueness',
    );
    expect((await c.scim('GET', `/Users/${b.id}`)).body).toEqual(b);
    const externalId = unique('grp');
    const first = await c.scim('POST', '/Groups', { schemas: [CORE_GROUP], displayName: 'One', externalId });
    expect(first.status).toBe(201);
    expectError(
      await c.scim('POST', '/Groups', { schemas: [CORE_GROUP], displayName: 'Two', externalId }),
      409,
      'uniqueness',
    );
  });
});

describe('HTTP-level errors', () => {
  it('invalidVers for a SCIM version other than 2.0 in the path (§3.13)', async () => {
    const res = await c.t.call('GET', '/scim/v1/Users', { token: c.token });
    const text = await res.text();
    expectError(
      { status: res.status, body: JSON.parse(text) as ScimReply['body'], headers: res.headers },
      400,
      'invalidVers',
    );
  });

  it('sensitive: a filter on password in the URL is refused with 403 (§7.5.2)', async () => {
    const res = await c.scim('GET', `/Users?filter=${encodeURIComponent('password eq "secret"')}`);
    expectError(res, 403, 'sensitive');
  });

  it('answers 404 for an unknown resource and an unknown endpoint', async () => {
    expectError(await c.scim('GET', '/Users/0190c0de-0000-7000-8000-000000000000'), 404);
    expectError(
      await c.scim(
        'PATCH',
        '/Users/0190c0de-0000-7000-8000-000000000000',
        patch({ op: 'replace', path: 'title', value: 'x' }),
      ),
      404,
    );
    expectError(await c.scim('DELETE', '/Groups/0190c0de-0000-7000-8000-000000000000'), 404);
    expectError(await c.scim('GET', '/Widgets'), 404);
  });

  it('answers 405 with Allow for DELETE /ServiceProviderConfig and PUT /Users', async () => {
    const spc = await c.scim('DELETE', '/ServiceProviderConfig');
    expectError(spc, 405);
    expect(spc.headers.get('allow')).toBe('GET');
    const users = await c.scim('PUT', '/Users', { userName: unique('put') });
    expectError(users, 405);
    expect(users.headers.get('allow')).toBe('GET, POST');
  });

  it('answers 415 for Content-Type: text/plain and creates nothing', async () => {
    const userName = unique('plain');
    const res = await c.scim('POST', '/Users', JSON.stringify({ userName }), {
      'Content-Type': 'text/plain',
    });
    expectError(res, 415);
    const list = await c.scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`);
    expect(list.body.totalResults).toBe(0);
  });

  it('answers 413 for a Bulk body above bulk.maxPayloadSize', async () => {
    const small = await createScimClient({ env: { JOINERY_SCIM_BULK_MAX_PAYLOAD_BYTES: '2048' } });
    try {
      const op = (n: number, pad: number) => ({
        method: 'POST',
        bulkId: `b${n}`,
        path: '/Users',
        data: {
          schemas: [CORE_USER],
          userName: `bulk${n}.${seq}@errors.example`,
          displayName: 'x'.repeat(pad),
        },
      });
      const fits = await small.scim('POST', '/Bulk', { schemas: [BULK_REQUEST], Operations: [op(1, 10)] });
      expect(fits.status).toBe(200);
      const big = { schemas: [BULK_REQUEST], Operations: [op(2, 1000), op(3, 1000)] };
      expect(JSON.stringify(big).length).toBeGreaterThan(2048);
      const res = await small.scim('POST', '/Bulk', big);
      expectError(res, 413);
      const list = await small.scim('GET', `/Users?filter=${encodeURIComponent('userName sw "bulk2."')}`);
      expect(list.body.totalResults).toBe(0);
    } finally {
      await small.close();
    }
  });
});
