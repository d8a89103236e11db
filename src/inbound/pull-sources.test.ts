import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app.ts';
import { createInboundTestApp, type InboundTestApp, type RunBody } from '../../test/inbound.ts';
import { fakeClock } from '../core/index.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const clock = fakeClock('2026-03-02T08:00:00Z');
let t: InboundTestApp;
let hr: TestApp;
let hrServer: ReturnType<typeof serve>;
let hrUrl: string;
let workday: Server;
let workdayUrl: string;
let workdayEntries: Record<string, unknown>[];
let workdayCalls = 0;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

beforeAll(async () => {
  t = await createInboundTestApp({ clock });
  // The upstream "HR system" is a second Joinery: its SCIM server is the scim-pull peer.
  hr = await createTestApp();
  const scimToken = await hr.token(['scim']);
  const admin = await hr.token(['admin']);
  for (const [id, given] of [
    ['W1', 'Ida'],
    ['W2', 'Jon'],
    ['W3', 'Kim'],
  ] as const) {
    const res = await hr.call('POST', '/api/v1/users', {
      token: admin,
      body: {
        userName: `${given.toLowerCase()}@hr.example`,
        employeeId: id,
        givenName: given,
        familyName: 'HR',
        department: 'Ops',
      },
    });
    expect(res.status).toBe(201);
  }
  hrServer = serve({ fetch: hr.app.http.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => hrServer.once('listening', () => resolve()));
  hrUrl = `http://127.0.0.1:${(hrServer.address() as AddressInfo).port}/scim/v2`;
  const created = await t.call('POST', '/api/v1/inbound/sources', {
    token: t.admin,
    body: {
      id: 'upstream',
      type: 'scim-pull',
      name: 'Upstream SCIM',
      matching: [{ source: `${ENTERPRISE}:employeeNumber`, target: 'employeeId' }],
      mappings: [
        { target: 'employeeId', type: 'direct', source: `${ENTERPRISE}:employeeNumber` },
        { target: 'userName', type: 'direct', source: 'userName' },
        { target: 'givenName', type: 'direct', source: 'name.givenName' },
        { target: 'department', type: 'direct', source: `${ENTERPRISE}:department` },
      ],
      pull: { url: hrUrl, pageSize: 2, auth: { type: 'bearer', token: scimToken }, watermarkSkewMs: 0 },
    },
  });
  expect(created.status, await created.clone().text()).toBe(201);

  workdayEntries = [
    {
      Employee_ID: '21000',
      First_Name: 'Lena',
      Last_Name: 'Berg',
      Email: 'lena@corp.example',
      Worker_Status: 'Active',
      Manager_ID: null,
    },
    {
      Employee_ID: '21001',
      First_Name: 'Omar',
      Last_Name: 'Said',
      Email: 'omar@corp.example',
      Worker_Status: 'Active',
      Manager_ID: '21000',
    },
  ];
  workday = createServer((req: IncomingMessage, res: ServerResponse) => {
    workdayCalls += 1;
    const expected = `Basic ${Buffer.from('isu_joinery:s3cret!').toString('base64')}`;
    if (req.headers.authorization !== expected) {
      res.writeHead(401).end();
      return;
    }
    res
      .writeHead(200, { 'Content-Type': 'application/json' })
      .end(JSON.stringify({ Report_Entry: workdayEntries }));
  });
  workdayUrl = await listen(workday);
});

afterAll(async () => {
  await new Promise<void>((resolve) => workday.close(() => resolve()));
  await new Promise<void>((resolve) => hrServer.close(() => resolve()));
  await hr.close();
  await t.close();
});

async function pull(id: string, dryRun = false): Promise<RunBody> {
  const res = await t.call('POST', `/api/v1/inbound/sources/${id}/pull${dryRun ? '?dryRun=true' : ''}`, {
    token: t.admin,
  });
  expect(res.status, await res.clone().text()).toBe(202);
  return t.settle(((await res.json()) as RunBody).id, id);
}

describe('scim-pull from another SCIM server', () => {
  it('a full sync pages through every user, then a delta brings only what changed', async () => {
    const full = await pull('upstream');
    expect(full.counts).toEqual({ created: 3 });
    expect((await t.getUserByEmployeeId('W2'))?.givenName).toBe('Jon');
    const source = (await (
      await t.call('GET', '/api/v1/inbound/sources/upstream', { token: t.admin })
    ).json()) as {
      watermark: string | null;
      config: { pull: { auth: { token: string } } };
    };
    expect(source.watermark).not.toBeNull();
    expect(source.config.pull.auth.token).toBe('********');

    // Upstream lastModified has millisecond precision: make sure the change lands after the watermark.
    await new Promise((r) => setTimeout(r, 20));
    const admin = await hr.token(['admin']);
    const list = (await (await hr.call('GET', '/api/v1/users?employeeId=W3', { token: admin })).json()) as {
      items: { id: string }[];
    };
    const patch = await hr.call('PATCH', `/api/v1/users/${list.items[0]?.id}`, {
      token: admin,
      body: { department: 'Finance' },
    });
    expect(patch.status).toBe(200);
    const delta = await pull('upstream');
    expect(delta.total).toBe(1);
    expect(delta.operations[0]).toMatchObject({ personKey: 'W3', status: 'updated', lifecycle: 'mover' });
    expect((await t.getUserByEmployeeId('W3'))?.department).toBe('Finance');
  });
});

describe('http-json-pull (a Workday RaaS report)', () => {
  it('pulls, maps and applies; a dry run plans without applying; a wrong password fails clearly', async () => {
    const body = {
      id: 'workday',
      type: 'http-json-pull',
      name: 'Workday RaaS',
      matching: [{ source: 'Employee_ID', target: 'employeeId' }],
      mappings: [
        { target: 'employeeId', type: 'direct', source: 'Employee_ID' },
        { target: 'userName', type: 'expression', expression: 'ToLower([Email])' },
        { target: 'displayName', type: 'expression', expression: 'Join(" ", [First_Name], [Last_Name])' },
        {
          target: 'accountEnabled',
          type: 'expression',
          expression: 'IIF([Worker_Status]="Active", "True", "False")',
        },
        { target: 'manager', type: 'direct', source: 'Manager_ID' },
      ],
      pull: {
        url: `${workdayUrl}/ccx/service/customreport2/corp/isu/Joinery_Workers?format=json`,
        auth: { type: 'basic', username: 'isu_joinery', password: 's3cret!' },
        recordsPath: 'Report_Entry',
        paging: { type: 'none' },
      },
      schedule: '0 * * * *',
    };
    const created = await t.call('POST', '/api/v1/inbound/sources', { token: t.admin, body });
    expect(created.status, await created.clone().text()).toBe(201);

    // Credentials are sealed at rest: the stored row never holds the password in clear.
    const row = await t.app.database.db
      .selectFrom('inbound_sources')
      .select('config')
      .where('id', '=', 'workday')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row.config)).not.toContain('s3cret!');
    expect(JSON.stringify(row.config)).toContain('jny-enc:v1:');

    const plan = await pull('workday', true);
    expect(plan.status).toBe('planned');
    expect(plan.counts).toEqual({ created: 2 });
    expect(await t.getUserByEmployeeId('21000')).toBeUndefined();

    const run = await pull('workday');
    expect(run.counts).toEqual({ created: 2 });
    const omar = await t.getUserByEmployeeId('21001');
    const lena = await t.getUserByEmployeeId('21000');
    expect(omar).toMatchObject({ displayName: 'Omar Said', managerId: lena?.id });

    const { id: _id, ...config } = body;
    const put = await t.call('PUT', '/api/v1/inbound/sources/workday', {
      token: t.admin,
      body: {
        ...config,
        pull: { ...config.pull, auth: { type: 'basic', username: 'isu_joinery', password: 'wrong' } },
      },
    });
    expect(put.status).toBe(200);
    const res = await t.call('POST', '/api/v1/inbound/sources/workday/pull', { token: t.admin });
    expect(res.status).toBe(502);
    const error = ((await res.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('inbound.pull_failed');
    expect(error.message).toMatch(/401/);
    expect(error.message).not.toContain('wrong');

    // Sending the redacted marker back keeps the stored secret.
    await t.call('PUT', '/api/v1/inbound/sources/workday', { token: t.admin, body: config });
    const fixed = await t.call('PUT', '/api/v1/inbound/sources/workday', {
      token: t.admin,
      body: {
        ...config,
        pull: { ...config.pull, auth: { type: 'basic', username: 'isu_joinery', password: '********' } },
      },
    });
    expect(fixed.status).toBe(200);
    workdayEntries[1] = { ...workdayEntries[1], Worker_Status: 'Terminated' };
    const leaver = await pull('workday');
    expect(leaver.operations.map((o) => [o.personKey, o.status])).toEqual([
      ['21000', 'unchanged'],
      ['21001', 'disabled'],
    ]);
  });

  it('the minutely tick pulls a scheduled source once per schedule slot', async () => {
    const before = workdayCalls;
    await t.app.inbound.pullTick();
    expect(workdayCalls).toBe(before); // the last pull is newer than the last hourly slot
    clock.advance(61 * 60 * 1000);
    await t.app.inbound.pullTick();
    expect(workdayCalls).toBe(before + 1);
    await t.app.inbound.pullTick();
    expect(workdayCalls).toBe(before + 1);
  });
});
