import { afterEach, describe, expect, it } from 'vitest';
import { type HttpJsonPullConfig, PullError, pullHttpJson } from './index.ts';
import {
  basicHeader,
  collect,
  collectFailure,
  sendJson,
  startServer,
  type TestServer,
} from './test-support.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const workers = [
  {
    Employee_ID: '21000',
    Legal_Name_First_Name: 'Grace',
    Legal_Name_Last_Name: 'Hopper',
    Email_Address: 'grace.hopper@example.com',
    Manager_ID: '',
    Worker_Status: 'Active',
    Hire_Date: '2019-01-07',
    Cost_Center: 'CC-100 Engineering',
    Last_Updated: '2024-02-10T08:00:00.000-08:00',
  },
  {
    Employee_ID: '21001',
    Legal_Name_First_Name: 'Ann',
    Legal_Name_Last_Name: 'Lee',
    Email_Address: 'ann.lee@example.com',
    Manager_ID: '21000',
    Worker_Status: 'Active',
    Hire_Date: '2024-03-01',
    Cost_Center: 'CC-100 Engineering',
    Last_Updated: '2024-03-01T09:15:00.000-08:00',
  },
  {
    Employee_ID: '21002',
    Legal_Name_First_Name: 'Bo',
    Legal_Name_Last_Name: 'Chen',
    Email_Address: 'bo.chen@example.com',
    Manager_ID: '21000',
    Worker_Status: 'Terminated',
    Hire_Date: '2021-06-14',
    Cost_Center: 'CC-200 Finance',
    Last_Updated: '2024-03-02T17:40:00.000-08:00',
  },
];

describe('Workday RaaS report', () => {
  const isu = basicHeader('ISU_Joinery', 'w0rkday-Pa55!');
  const config = (base: string, password = 'w0rkday-Pa55!'): HttpJsonPullConfig => ({
    url: `${base}/ccx/service/customreport2/acme/ISU_Joinery/Joinery_Workers`,
    query: { format: 'json' },
    auth: { type: 'basic', username: 'ISU_Joinery', password },
    recordsPath: 'Report_Entry',
    paging: { type: 'none' },
  });
  const serve = () =>
    startServer((req, res) => {
      if (req.headers.authorization !== isu)
        return sendJson(res, 401, { error: 'Invalid username or password' });
      const since = req.url.searchParams.get('Updated_From');
      const entries = since ? workers.filter((w) => Date.parse(w.Last_Updated) > Date.parse(since)) : workers;
      sendJson(res, 200, { Report_Entry: entries });
    });

  it('reads every Report_Entry in one request with basic auth', async () => {
    server = await serve();
    const result = await collect(pullHttpJson(config(server.base), {}));
    expect(result).toEqual({ records: workers, pages: 1, watermark: null });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.url.pathname).toBe(
      '/ccx/service/customreport2/acme/ISU_Joinery/Joinery_Workers',
    );
    expect(server.requests[0]?.url.searchParams.get('format')).toBe('json');
    expect(server.requests[0]?.headers.accept).toBe('application/json');
  });

  it('fails without retrying on wrong credentials and never shows the password', async () => {
    server = await serve();
    const { error } = await collectFailure(pullHttpJson(config(server.base, 'wrong-Pa55'), {}));
    expect(error).toBeInstanceOf(PullError);
    const failure = (error as PullError).failure;
    expect(failure).toMatchObject({ retryable: false, status: 401 });
    expect(failure.message).toContain('authentication rejected');
    expect(JSON.stringify(failure)).not.toContain('wrong-Pa55');
    expect(server.requests).toHaveLength(1);
  });

  it('sends the watermark as a report prompt and returns the latest Last_Updated', async () => {
    server = await serve();
    const pull = pullHttpJson(
      {
        ...config(server.base),
        deltaParam: { name: 'Updated_From', format: 'iso' },
        watermarkPath: 'Last_Updated',
      },
      { watermark: '2024-02-29T00:00:00Z' },
    );
    const result = await collect(pull);
    expect(server.requests[0]?.url.searchParams.get('Updated_From')).toBe('2024-02-29T00:00:00.000Z');
    expect(result.records.map((r) => r.Employee_ID)).toEqual(['21001', '21002']);
    expect(result.watermark).toBe('2024-03-02T17:40:00.000-08:00');
  });

  it('without a watermarkPath, the next watermark is the run start less the skew', async () => {
    server = await serve();
    const now = () => new Date('2024-03-05T12:00:00Z');
    const pull = pullHttpJson(
      { ...config(server.base), deltaParam: { name: 'Updated_From' }, watermarkSkewMs: 60_000 },
      { now },
    );
    const result = await collect(pull);
    expect(server.requests[0]?.url.searchParams.has('Updated_From')).toBe(false);
    expect(result.records).toHaveLength(3);
    expect(result.watermark).toBe('2024-03-05T11:59:00.000Z');
  });
});
