import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BULK,
  bulkBody,
  createInboundTestApp,
  type ErrorBody,
  type InboundTestApp,
  postBulk,
  type RunBody,
  runCount,
  worker,
} from '../../../test/inbound.ts';

let t: InboundTestApp;

beforeAll(async () => {
  t = await createInboundTestApp({
    env: { JOINERY_INBOUND_BULK_MAX_OPERATIONS: '5', JOINERY_INBOUND_MAX_PAYLOAD_BYTES: '20000' },
  });
});
afterAll(async () => {
  await t.close();
});

describe('bulkUpload: the Entra contract', () => {
  it('a fresh install has the hr source with Entra’s default mapping', async () => {
    const res = await t.call('GET', '/api/v1/inbound/sources/hr', { token: t.admin });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      config: { type: string; matching: unknown; mappings: { target: string; source?: string }[] };
    };
    expect(body.config.type).toBe('bulk-upload');
    expect(body.config.matching).toEqual([{ source: 'externalId', target: 'employeeId' }]);
    expect(body.config.mappings).toContainEqual(
      expect.objectContaining({
        target: 'manager',
        source: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value',
      }),
    );
  });

  it('answers 202 with a Location to the status, stored before the answer', async () => {
    const res = await postBulk(t, bulkBody([worker('A1'), worker('A2')]));
    expect(res.status).toBe(202);
    const run = (await res.json()) as RunBody;
    expect(res.headers.get('location')).toBe(`/api/v1/inbound/runs/${run.id}`);
    expect(run).toMatchObject({ status: 'accepted', total: 2, sourceId: 'hr' });
    const stored = await t.app.database.db
      .selectFrom('inbound_records')
      .select(['n', 'person_key', 'status'])
      .where('run_id', '=', run.id)
      .orderBy('n')
      .execute();
    expect(stored).toEqual([
      { n: 0, person_key: 'A1', status: 'pending' },
      { n: 1, person_key: 'A2', status: 'pending' },
    ]);
    const done = await t.settle(run.id);
    expect(done.operations.map((o) => [o.bulkId, o.status])).toEqual([
      ['b0', 'created'],
      ['b1', 'created'],
    ]);
  });

  it('serves the same handler at Microsoft Graph’s path, with application/json', async () => {
    const res = await t.call(
      'POST',
      '/v1.0/servicePrincipals/hr/synchronization/jobs/API2AAD.abc123/bulkUpload',
      {
        token: t.upload,
        body: bulkBody([worker('A3')]),
      },
    );
    expect(res.status).toBe(202);
    const run = (await res.json()) as RunBody;
    expect((await t.settle(run.id)).operations[0]?.status).toBe('created');
  });

  it('requires the inbound.upload scope', async () => {
    const reader = await t.token(['directory.read']);
    const res = await t.call('POST', '/api/v1/inbound/sources/hr/bulkUpload', {
      token: reader,
      body: bulkBody([worker('X')]),
    });
    expect(res.status).toBe(403);
    expect(
      (await t.call('POST', '/api/v1/inbound/sources/hr/bulkUpload', { body: bulkBody([]) })).status,
    ).toBe(401);
  });
});

describe('bulkUpload: bad input changes nothing', () => {
  const cases: [string, unknown, number, string, RegExp][] = [
    ['a non-SCIM body', { users: [] }, 400, 'inbound.invalid_request', /not a SCIM BulkRequest/],
    ['an array', [1, 2], 400, 'inbound.invalid_request', /BulkRequest object/],
    ['no Operations', { schemas: [BULK] }, 400, 'inbound.invalid_request', /"Operations" must be an array/],
    ['empty Operations', { schemas: [BULK], Operations: [] }, 400, 'inbound.invalid_request', /is empty/],
    [
      'a PATCH operation',
      { schemas: [BULK], Operations: [{ method: 'PATCH', path: '/Users', data: {} }] },
      400,
      'inbound.invalid_request',
      /Operations\[0\]: method must be POST/,
    ],
    [
      'a Groups path',
      { schemas: [BULK], Operations: [{ method: 'POST', path: '/Groups', data: {} }] },
      400,
      'inbound.invalid_request',
      /path must be \/Users/,
    ],
    [
      'data not an object',
      { schemas: [BULK], Operations: [{ method: 'POST', path: '/Users', data: 'x' }] },
      400,
      'inbound.invalid_request',
      /data must be/,
    ],
    [
      'a bad failOnErrors',
      { ...bulkBody([worker('Z')]), failOnErrors: 'yes' },
      400,
      'inbound.invalid_request',
      /failOnErrors/,
    ],
    [
      'too many operations',
      bulkBody(['Z1', 'Z2', 'Z3', 'Z4', 'Z5', 'Z6'].map((id) => worker(id))),
      413,
      'inbound.too_many_operations',
      /6 operations; at most 5/,
    ],
  ];
  for (const [name, body, status, code, message] of cases) {
    it(`${name} → ${status} ${code}`, async () => {
      const before = await runCount(t);
      const res = await postBulk(t, body);
      expect(res.status).toBe(status);
      const error = ((await res.json()) as ErrorBody).error;
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      expect(await runCount(t)).toBe(before);
    });
  }

  it('invalid JSON → 400, a wrong content type → 415, an oversized body → 413', async () => {
    const before = await runCount(t);
    const broken = await postBulk(t, '{"schemas": [', { 'Content-Type': 'application/scim+json' });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as ErrorBody).error.code).toBe('request.invalid_json');
    const xml = await postBulk(t, '<x/>', { 'Content-Type': 'application/xml' });
    expect(xml.status).toBe(415);
    const big = await postBulk(t, bulkBody([worker('BIG', { title: 'x'.repeat(30_000) })]));
    expect(big.status).toBe(413);
    expect(((await big.json()) as ErrorBody).error.code).toBe('inbound.payload_too_large');
    expect(await runCount(t)).toBe(before);
  });

  it('an unknown source → 404; a bulkUpload to a csv source → 409', async () => {
    expect((await postBulk(t, bulkBody([worker('Q')]), undefined, 'nope')).status).toBe(404);
    const created = await t.call('POST', '/api/v1/inbound/sources', {
      token: t.admin,
      body: {
        id: 'people-csv',
        type: 'csv',
        name: 'CSV',
        matching: [{ source: 'EmployeeID', target: 'employeeId' }],
        mappings: [],
      },
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const res = await postBulk(t, bulkBody([worker('Q')]), undefined, 'people-csv');
    expect(res.status).toBe(409);
    expect(((await res.json()) as ErrorBody).error.code).toBe('inbound.wrong_source_type');
  });
});
