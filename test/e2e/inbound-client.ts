import { z } from 'zod';
import { request } from './http.ts';

/** Client side of the inbound HR API (Entra-compatible bulkUpload) as the e2e tests use it. */

export const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** One person as the HR system sends it; `title` and `displayName` are what later records change. */
export interface HrRecord {
  externalId: string;
  userName: string;
  givenName: string;
  familyName: string;
  displayName: string;
  title: string;
}

export function scimUser(r: HrRecord): Record<string, unknown> {
  return {
    schemas: [CORE_USER],
    externalId: r.externalId,
    userName: r.userName,
    name: { givenName: r.givenName, familyName: r.familyName },
    displayName: r.displayName,
    active: true,
    title: r.title,
  };
}

export function bulkRequest(records: readonly HrRecord[]): Record<string, unknown> {
  return {
    schemas: [BULK_REQUEST],
    Operations: records.map((r, i) => ({
      method: 'POST',
      bulkId: `b${i}`,
      path: '/Users',
      data: scimUser(r),
    })),
    failOnErrors: null,
  };
}

export interface UploadResult {
  status: number;
  location: string | null;
  body: unknown;
}

/** POST …/bulkUpload as application/scim+json. Throws on a connection error (e.g. the server died). */
export async function bulkUpload(
  url: string,
  token: string,
  sourceId: string,
  body: unknown,
  timeoutMs = 30_000,
): Promise<UploadResult> {
  const res = await fetch(`${url}/api/v1/inbound/sources/${encodeURIComponent(sourceId)}/bulkUpload`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  const isJson = (res.headers.get('content-type') ?? '').includes('json');
  return {
    status: res.status,
    location: res.headers.get('location'),
    body: isJson && text ? (JSON.parse(text) as unknown) : text,
  };
}

export const runSummary = z
  .object({
    id: z.string(),
    status: z.string(),
    total: z.number().int(),
    counts: z.record(z.string(), z.number()),
    startedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
  })
  .loose();
export type RunSummary = z.infer<typeof runSummary>;

export const runOperation = z
  .object({ index: z.number().int(), status: z.string(), userId: z.string().nullable() })
  .loose();
export const runDetail = runSummary.extend({ operations: z.array(runOperation) });
export type RunDetail = z.infer<typeof runDetail>;

async function getJson(url: string, token: string, path: string): Promise<unknown> {
  const res = await request(url, path, { token });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A run with the result of each of its operations (all of them: ≤ 1000 per run here). */
export async function getRun(url: string, token: string, id: string): Promise<RunDetail> {
  return runDetail.parse(await getJson(url, token, `/api/v1/inbound/runs/${id}?limit=1000`));
}

/** The newest `limit` runs of a source (newest first). */
export async function listRuns(
  url: string,
  token: string,
  sourceId: string,
  limit = 1000,
): Promise<RunSummary[]> {
  const body = z
    .object({ items: z.array(runSummary) })
    .parse(
      await getJson(
        url,
        token,
        `/api/v1/inbound/runs?sourceId=${encodeURIComponent(sourceId)}&limit=${limit}`,
      ),
    );
  return body.items;
}

export const directoryUser = z
  .object({
    id: z.string(),
    userName: z.string(),
    employeeId: z.string().nullable(),
    givenName: z.string().nullable(),
    familyName: z.string().nullable(),
    displayName: z.string().nullable(),
    title: z.string().nullable(),
    accountEnabled: z.boolean(),
  })
  .loose();
export type DirectoryUser = z.infer<typeof directoryUser>;

/** Live users whose employeeId is `employeeId` (the filter of GET /api/v1/users). */
export async function usersByEmployeeId(
  url: string,
  token: string,
  employeeId: string,
): Promise<DirectoryUser[]> {
  const body = z
    .object({ items: z.array(directoryUser), nextCursor: z.string().nullable() })
    .parse(
      await getJson(url, token, `/api/v1/users?employeeId=${encodeURIComponent(employeeId)}&limit=1000`),
    );
  return body.items;
}

export const auditRecord = z
  .object({ id: z.number(), action: z.string(), targetId: z.string().nullable() })
  .loose();
export type AuditRecord = z.infer<typeof auditRecord>;

/** Every audit record with this action, following nextCursor pages of 1000. */
export async function auditByAction(url: string, token: string, action: string): Promise<AuditRecord[]> {
  const all: AuditRecord[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const body = z
      .object({ items: z.array(auditRecord), nextCursor: z.string().nullable() })
      .parse(
        await getJson(url, token, `/api/v1/audit?action=${encodeURIComponent(action)}&limit=1000${query}`),
      );
    all.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) return all;
  }
  throw new Error('GET /api/v1/audit: more than 1000 pages');
}
