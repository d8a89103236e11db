import { z } from 'zod';
import { request } from './http.ts';

/** Client side of the outbound admin API (and the SCIM Bulk endpoint that loads people) for e2e tests. */

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

export interface Person {
  userName: string;
  givenName: string;
  familyName: string;
  displayName: string;
  title: string;
}

export const person = (i: number): Person => ({
  userName: `crash.${i}@example.com`,
  givenName: `Given${i}`,
  familyName: `Family${i % 97}`,
  displayName: `Crash Person ${i}`,
  title: `Title ${i % 13}`,
});

const bulkResponse = z.object({
  Operations: z.array(z.object({ status: z.string(), location: z.string().optional() }).loose()),
});

/** Creates the people through POST /scim/v2/Bulk, `chunk` per request; fails unless every one is a 201. */
export async function loadPeople(url: string, token: string, people: readonly Person[], chunk = 500) {
  for (let from = 0; from < people.length; from += chunk) {
    const slice = people.slice(from, from + chunk);
    const res = await request(url, '/scim/v2/Bulk', {
      method: 'POST',
      token,
      timeoutMs: 120_000,
      body: {
        schemas: [BULK_REQUEST],
        Operations: slice.map((p, i) => ({
          method: 'POST',
          path: '/Users',
          bulkId: `p${from + i}`,
          data: {
            schemas: [CORE_USER],
            userName: p.userName,
            name: { givenName: p.givenName, familyName: p.familyName },
            displayName: p.displayName,
            emails: [{ value: p.userName, type: 'work', primary: true }],
            title: p.title,
            active: true,
          },
        })),
      },
    });
    if (res.status !== 200) throw new Error(`POST /scim/v2/Bulk: ${res.status} ${JSON.stringify(res.body)}`);
    const ops = bulkResponse.parse(res.body).Operations;
    const bad = ops.filter((o) => o.status !== '201');
    if (ops.length !== slice.length || bad.length > 0)
      throw new Error(
        `POST /scim/v2/Bulk: ${bad.length} of ${ops.length} not created: ${JSON.stringify(bad[0])}`,
      );
  }
}

async function call<T>(
  url: string,
  token: string,
  method: string,
  path: string,
  schema: z.ZodType<T>,
  expected: number,
  body?: unknown,
): Promise<T> {
  const res = await request(url, `/api/v1${path}`, { method, token, body });
  if (res.status !== expected)
    throw new Error(`${method} /api/v1${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return schema.parse(res.body);
}

export const createApp = async (url: string, token: string, definition: Record<string, unknown>) =>
  (await call(url, token, 'POST', '/outbound/apps', z.object({ id: z.string() }).loose(), 201, definition))
    .id;

export const cycle = z
  .object({ id: z.string(), kind: z.string(), status: z.string(), counts: z.record(z.string(), z.number()) })
  .loose();

export const startCycle = async (url: string, token: string, appId: string) =>
  (await call(url, token, 'POST', `/outbound/apps/${appId}/start`, z.object({ cycle }).loose(), 202)).cycle;

export const appStatus = z
  .object({
    state: z.string(),
    pending: z.number(),
    escrowed: z.number(),
    linked: z.object({ users: z.number(), groups: z.number() }),
    quarantine: z.object({ reason: z.string(), message: z.string() }).loose().nullable(),
    lastCycle: cycle.nullable(),
    recentErrors: z.array(z.object({ objectId: z.string(), attempts: z.number() }).loose()),
  })
  .loose();
export type AppStatus = z.infer<typeof appStatus>;

export const getStatus = (url: string, token: string, appId: string) =>
  call(url, token, 'GET', `/outbound/apps/${appId}/status`, appStatus, 200);

const logPage = z.object({
  items: z.array(z.object({ provisioningAction: z.string() }).loose()),
  nextCursor: z.string().nullable(),
});

/** Every provisioning log entry of the app with this action and status (all pages). */
export async function logsOf(
  url: string,
  token: string,
  appId: string,
  filter: { action?: string; status?: 'success' | 'failure' | 'skipped' },
) {
  const items: Array<z.infer<typeof logPage>['items'][number]> = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const query: string = cursor ? `&cursor=${cursor}` : '';
    const body = await call(
      url,
      token,
      'GET',
      `/outbound/logs?${new URLSearchParams({ appId, ...filter, limit: '1000' })}${query}`,
      logPage,
      200,
    );
    items.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) return items;
  }
  throw new Error('GET /api/v1/outbound/logs: more than 100 pages');
}
