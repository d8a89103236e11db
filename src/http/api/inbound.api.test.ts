import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BULK,
  bulkBody,
  createInboundTestApp,
  type InboundTestApp,
  type RunBody,
  worker,
} from '../../../test/inbound.ts';

let t: InboundTestApp;

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

beforeAll(async () => {
  t = await createInboundTestApp({
    env: { JOINERY_INBOUND_BULK_MAX_OPERATIONS: '5', JOINERY_INBOUND_MAX_PAYLOAD_BYTES: '20000' },
  });
});
afterAll(async () => {
  await t.close();
});

const post = (
  body: unknown,
  headers: Record<string, string> = { 'Content-Type': 'application/scim+json' },
  source = 'hr',
) => t.call('POST', `/api/v1/inbound/sources/${source}/bulkUpload`, { token: t.upload, body, headers });

async function runCount(): Promise<number> {
  return (await t.app.database.db.selectFrom('inbound_runs').select('id').execute()).length;
}

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
    const res = await post(bulkBody([worker('A1'), worker('A2')]));
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
      const before = await runCount();
      const res = await post(body);
      expect(res.status).toBe(status);
      const error = ((await res.json()) as ErrorBody).error;
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      expect(await runCount()).toBe(before);
    });
  }

  it('invalid JSON → 400, a wrong content type → 415, an oversized body → 413', async () => {
    const before = await runCount();
    const broken = await post('{"schemas": [', { 'Content-Type': 'application/scim+json' });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as ErrorBody).error.code).toBe('request.invalid_json');
    const xml = await post('<x/>', { 'Content-Type': 'application/xml' });
    expect(xml.status).toBe(415);
    const big = await post(bulkBody([worker('BIG', { title: 'x'.repeat(30_000) })]));
    expect(big.status).toBe(413);
    expect(((await big.json()) as ErrorBody).error.code).toBe('inbound.payload_too_large');
    expect(await runCount()).toBe(before);
  });

  it('an unknown source → 404; a bulkUpload to a csv source → 409', async () => {
    expect((await post(bulkBody([worker('Q')]), undefined, 'nope')).status).toBe(404);
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
    const res = await post(bulkBody([worker('Q')]), undefined, 'people-csv');
    expect(res.status).toBe(409);
    expect(((await res.json()) as ErrorBody).error.code).toBe('inbound.wrong_source_type');
  });
});

describe('sources', () => {
  it('refuses a definition with a clear reason: unknown target, expression error with line and column, bad regex', async () => {
    const res = await t.call('POST', '/api/v1/inbound/sources', {
      token: t.admin,
      body: {
        id: 'broken',
        type: 'bulk-upload',
        name: 'broken',
        mappings: [
          { target: 'shoeSize', type: 'direct', source: 'x' },
          { target: 'displayName', type: 'expression', expression: 'Join(" ",\n  [givenName], [familyName]' },
        ],
      },
    });
    expect(res.status).toBe(400);
    const error = ((await res.json()) as ErrorBody).error;
    expect(error.code).toBe('inbound.invalid_source');
    expect(error.message).toContain('mappings.0.target: unknown target "shoeSize"');
    expect(error.message).toMatch(/mappings\.1: displayName: .*\(line 2, column \d+\)/);
    const regex = await t.call('POST', '/api/v1/inbound/sources', {
      token: t.admin,
      body: {
        id: 'broken',
        type: 'bulk-upload',
        name: 'broken',
        scoping: [{ clauses: [{ attribute: 'department', operator: 'REGEX MATCH', value: '(' }] }],
      },
    });
    expect(regex.status).toBe(400);
    expect(((await regex.json()) as ErrorBody).error.message).toMatch(
      /^scoping\.0\.clauses\.0\.value: invalid regular expression/,
    );
    expect((await t.call('GET', '/api/v1/inbound/sources/broken', { token: t.admin })).status).toBe(404);
  });

  it('creates, updates (a new version), lists and deletes a source; changes are audited', async () => {
    const body = {
      id: 'contractors',
      type: 'bulk-upload',
      name: 'Contractors',
      mappings: [{ target: 'userName', type: 'direct', source: 'userName' }],
    };
    expect((await t.call('POST', '/api/v1/inbound/sources', { token: t.admin, body })).status).toBe(201);
    expect((await t.call('POST', '/api/v1/inbound/sources', { token: t.admin, body })).status).toBe(409);
    const put = await t.call('PUT', '/api/v1/inbound/sources/contractors', {
      token: t.admin,
      body: { ...body, id: undefined, name: 'Contractors (paused)', enabled: false },
    });
    expect(put.status, await put.clone().text()).toBe(200);
    expect(((await put.json()) as { version: number }).version).toBe(2);
    const list = (await (await t.call('GET', '/api/v1/inbound/sources', { token: t.admin })).json()) as {
      items: { id: string }[];
    };
    expect(list.items.map((s) => s.id)).toEqual(expect.arrayContaining(['hr', 'contractors']));
    const audit = await t.app.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', 'contractors')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['inbound.source.create', 'inbound.source.update']);
    expect((await t.call('DELETE', '/api/v1/inbound/sources/contractors', { token: t.admin })).status).toBe(
      200,
    );
    expect((await t.call('GET', '/api/v1/inbound/sources/contractors', { token: t.admin })).status).toBe(404);
  });

  it('a paused source keeps records pending; resuming applies them', async () => {
    const src = {
      type: 'bulk-upload',
      name: 'Paused',
      mappings: [{ target: 'userName', type: 'direct', source: 'userName' }],
    };
    expect(
      (
        await t.call('POST', '/api/v1/inbound/sources', {
          token: t.admin,
          body: { id: 'paused', ...src, enabled: false },
        })
      ).status,
    ).toBe(201);
    const res = await post(bulkBody([worker('PA1')]), undefined, 'paused');
    expect(res.status).toBe(202);
    const run = (await res.json()) as RunBody;
    expect((await t.settle(run.id, 'paused')).status).toBe('accepted');
    expect(
      (
        await t.call('PUT', '/api/v1/inbound/sources/paused', {
          token: t.admin,
          body: { ...src, enabled: true },
        })
      ).status,
    ).toBe(200);
    expect((await t.settle(run.id, 'paused')).operations[0]?.status).toBe('created');
  });
});

describe('mapping test and provisioning logs', () => {
  it('shows what a mapping makes of a sample record, without writing', async () => {
    const res = await t.call('POST', '/api/v1/inbound/mapping/test', {
      token: t.admin,
      body: {
        config: {
          type: 'csv',
          name: 'draft',
          matching: [{ source: 'Employee ID', target: 'employeeId' }],
          mappings: [
            {
              target: 'userName',
              type: 'expression',
              expression: 'ToLower(Join("", Join(".", [First], [Last]), "@example.com"))',
            },
            { target: 'displayName', type: 'expression', expression: 'Join(" ", [First], [Last])' },
            { target: 'department', type: 'direct', source: 'Dept', defaultValue: 'Unassigned' },
          ],
          scoping: [{ clauses: [{ attribute: 'Status', operator: 'EQUALS', value: 'Active' }] }],
        },
        record: { 'Employee ID': '77', First: 'Émile', Last: 'Zola', Status: 'Active', Dept: '' },
      },
    });
    const text = await res.clone().text();
    expect(res.status, text).toBe(200);
    const body = (await res.json()) as {
      inScope: boolean;
      values: Record<string, unknown>;
      errors: unknown[];
    };
    expect(body.inScope).toBe(true);
    expect(body.values.displayName).toBe('Émile Zola');
    expect(body.values.department).toBe('Unassigned');
    expect(body.values.userName).toBe('émile.zola@example.com');
    expect(body.errors).toEqual([]);
  });

  it('logs each record in the provisioningObjectSummary shape, queryable by person, status and time', async () => {
    const run = await t.bulkUpload([worker('LG1', { given: 'Lin' })]);
    await t.settle(run.id);
    await t.settle((await t.bulkUpload([worker('LG1', { given: 'Lin', title: 'Boss' })])).id);
    const res = await t.call('GET', '/api/v1/inbound/logs?person=LG1', { token: t.admin });
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as { items: Record<string, unknown>[] };
    expect(items).toHaveLength(2);
    const [latest, first] = items as [Record<string, unknown>, Record<string, unknown>];
    expect(latest).toMatchObject({
      provisioningAction: 'update',
      provisioningStatusInfo: { status: 'success' },
      modifiedProperties: [{ displayName: 'title', oldValue: 'Engineer', newValue: 'Boss' }],
      sourceIdentity: { id: 'LG1', identityType: 'User' },
      sourceSystem: { id: 'hr' },
      joinery: { lifecycle: 'mover', status: 'updated' },
    });
    expect(
      (first.provisioningSteps as { provisioningStepType: string }[]).map((s) => s.provisioningStepType),
    ).toEqual(['import', 'scoping', 'matching', 'export']);
    const failedOnly = (await (
      await t.call('GET', '/api/v1/inbound/logs?person=LG1&status=failed', { token: t.admin })
    ).json()) as { items: unknown[] };
    expect(failedOnly.items).toEqual([]);
    const future = (await (
      await t.call('GET', '/api/v1/inbound/logs?person=LG1&since=2999-01-01T00:00:00Z', { token: t.admin })
    ).json()) as { items: unknown[] };
    expect(future.items).toEqual([]);
    const bad = await t.call('GET', '/api/v1/inbound/logs?status=weird', { token: t.admin });
    expect(bad.status).toBe(400);
  });
});

describe('CSV upload', () => {
  it('imports text/csv and multipart through the same pipeline, with header renames', async () => {
    const put = await t.call('PUT', '/api/v1/inbound/sources/people-csv', {
      token: t.admin,
      body: {
        type: 'csv',
        name: 'CSV',
        matching: [{ source: 'EmployeeID', target: 'employeeId' }],
        csvHeaders: { 'Employee Number': 'EmployeeID' },
        mappings: [
          { target: 'userName', type: 'direct', source: 'Email' },
          { target: 'givenName', type: 'direct', source: 'First' },
          {
            target: 'accountEnabled',
            type: 'expression',
            expression: 'IIF([Status]="Terminated", "False", "True")',
          },
        ],
      },
    });
    expect(put.status, await put.clone().text()).toBe(200);
    const csv =
      'Employee Number,Email,First,Status\nC1,c1@example.com,Cleo,Active\nC2,c2@example.com,"Dee, Jr",Active\n';
    const res = await t.call('POST', '/api/v1/inbound/sources/people-csv/import', {
      token: t.upload,
      body: csv,
      headers: { 'Content-Type': 'text/csv' },
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const done = await t.settle(((await res.json()) as RunBody).id, 'people-csv');
    expect(done.operations.map((o) => [o.personKey, o.status])).toEqual([
      ['C1', 'created'],
      ['C2', 'created'],
    ]);
    expect((await t.getUserByEmployeeId('C2'))?.givenName).toBe('Dee, Jr');

    const form = new FormData();
    form.append(
      'file',
      new Blob(['Employee Number,Email,First,Status\nC2,c2@example.com,Dee,Terminated\n'], {
        type: 'text/csv',
      }),
      'people.csv',
    );
    const multi = await t.app.http.request('/api/v1/inbound/sources/people-csv/import', {
      method: 'POST',
      headers: { Authorization: `Bearer ${t.upload}` },
      body: form,
    });
    expect(multi.status, await multi.clone().text()).toBe(202);
    const second = await t.settle(((await multi.json()) as RunBody).id, 'people-csv');
    expect(second.operations[0]).toMatchObject({ status: 'disabled', lifecycle: 'leaver' });
  });

  it('refuses a malformed CSV with the line, and changes nothing', async () => {
    const before = await runCount();
    const res = await t.call('POST', '/api/v1/inbound/sources/people-csv/import', {
      token: t.upload,
      body: 'Employee Number,Email\nC9,c9@example.com,extra\n',
      headers: { 'Content-Type': 'text/csv' },
    });
    expect(res.status).toBe(400);
    const error = ((await res.json()) as ErrorBody).error;
    expect(error.code).toBe('inbound.invalid_csv');
    expect(error.message).toMatch(/line 2/);
    expect(await runCount()).toBe(before);
  });
});
