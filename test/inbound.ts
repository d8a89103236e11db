import { expect } from 'vitest';
import type { Clock } from '../src/core/index.ts';
import { systemContext } from '../src/core/index.ts';
import { createTestApp, type TestApp } from './app.ts';

export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const JOINERY_EXT = 'urn:ietf:params:scim:schemas:extension:joinery:2.0:User';
export const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

export interface InboundTestApp extends TestApp {
  upload: string;
  admin: string;
  /** POSTs a BulkRequest of these SCIM users to the source (default `hr`) and expects 202. */
  bulkUpload(
    users: Record<string, unknown>[],
    options?: { source?: string; dryRun?: boolean },
  ): Promise<RunBody>;
  /** Processes everything pending for the source now (what the drain job does), then reads the run. */
  settle(runId: string, source?: string): Promise<RunBody>;
  getUserByEmployeeId(employeeId: string): Promise<Record<string, unknown> | undefined>;
}

export interface OperationBody {
  index: number;
  bulkId: string | null;
  personKey: string | null;
  status: string;
  plannedStatus?: string;
  lifecycle: string | null;
  userId: string | null;
  changed: { attribute: string; oldValue: unknown; newValue: unknown }[];
  error: { code: string; message: string } | null;
}

export interface RunBody {
  id: string;
  sourceId: string;
  status: string;
  mode: string;
  total: number;
  counts: Record<string, number>;
  hold: Record<string, unknown> | null;
  operations: OperationBody[];
}

/** A SCIM user as Entra's API-driven provisioning sends it. */
export function worker(
  id: string,
  extra: {
    given?: string;
    family?: string;
    manager?: string | null;
    active?: boolean;
    [k: string]: unknown;
  } = {},
): Record<string, unknown> {
  const { given = `Given${id}`, family = `Family${id}`, manager, active = true, ...rest } = extra;
  const enterprise: Record<string, unknown> = { department: 'Engineering', costCenter: 'CC1' };
  if (manager !== undefined) enterprise.manager = manager === null ? null : { value: manager };
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    externalId: id,
    userName: `${given}.${family}@example.com`.toLowerCase(),
    name: { givenName: given, familyName: family },
    displayName: `${given} ${family}`,
    active,
    emails: [{ value: `${given}.${family}@example.com`.toLowerCase(), type: 'work', primary: true }],
    title: 'Engineer',
    userType: 'Employee',
    [ENTERPRISE]: enterprise,
    ...rest,
  };
}

export function bulkBody(users: Record<string, unknown>[]) {
  return {
    schemas: [BULK],
    Operations: users.map((data, i) => ({ method: 'POST', bulkId: `b${i}`, path: '/Users', data })),
    failOnErrors: null,
  };
}

/** The app with its job queue started (no workers: tests drain explicitly) and the default `hr` source. */
export async function createInboundTestApp(
  options: { clock?: Clock; env?: Record<string, string> } = {},
): Promise<InboundTestApp> {
  const t = await createTestApp(options);
  await t.app.jobs.start({ work: false });
  await t.app.inbound.ensureDefaultSource(systemContext('test'));
  const upload = await t.token(['inbound.upload']);
  const admin = await t.token(['admin']);
  const inbound = t.app.inbound;
  const settle = async (runId: string, source = 'hr') => {
    await inbound.drain(source);
    const res = await t.call('GET', `/api/v1/inbound/runs/${runId}`, { token: upload });
    expect(res.status).toBe(200);
    return (await res.json()) as RunBody;
  };
  return {
    ...t,
    upload,
    admin,
    settle,
    async bulkUpload(users, { source = 'hr', dryRun = false } = {}) {
      const res = await t.call(
        'POST',
        `/api/v1/inbound/sources/${source}/bulkUpload${dryRun ? '?dryRun=true' : ''}`,
        {
          token: upload,
          body: bulkBody(users),
          headers: { 'Content-Type': 'application/scim+json' },
        },
      );
      expect(res.status, await res.clone().text()).toBe(202);
      return (await res.json()) as RunBody;
    },
    async getUserByEmployeeId(employeeId) {
      const res = await t.call(
        'GET',
        `/api/v1/users?employeeId=${encodeURIComponent(employeeId)}&deleted=false`,
        { token: admin },
      );
      const body = (await res.json()) as { items: Record<string, unknown>[] };
      return body.items[0];
    },
  };
}

export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

/** POSTs a raw body to a source's bulkUpload with the upload token (default: SCIM JSON, source `hr`). */
export function postBulk(
  t: InboundTestApp,
  body: unknown,
  headers: Record<string, string> = { 'Content-Type': 'application/scim+json' },
  source = 'hr',
): Promise<Response> {
  return t.call('POST', `/api/v1/inbound/sources/${source}/bulkUpload`, { token: t.upload, body, headers });
}

/** How many runs the store holds (bad input must not add one). */
export async function runCount(t: TestApp): Promise<number> {
  return (await t.app.database.db.selectFrom('inbound_runs').select('id').execute()).length;
}
