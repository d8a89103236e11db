import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
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
  // The CSV tests redefine this source.
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
});
afterAll(async () => {
  await t.close();
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
    const res = await postBulk(t, bulkBody([worker('PA1')]), undefined, 'paused');
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
    const before = await runCount(t);
    const res = await t.call('POST', '/api/v1/inbound/sources/people-csv/import', {
      token: t.upload,
      body: 'Employee Number,Email\nC9,c9@example.com,extra\n',
      headers: { 'Content-Type': 'text/csv' },
    });
    expect(res.status).toBe(400);
    const error = ((await res.json()) as ErrorBody).error;
    expect(error.code).toBe('inbound.invalid_csv');
    expect(error.message).toMatch(/line 2/);
    expect(await runCount(t)).toBe(before);
  });
});
