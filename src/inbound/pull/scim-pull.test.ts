import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type PullError, pullScim, type ScimPullConfig } from './index.ts';
import { scimFilter } from './scim-pull.ts';
import {
  collect,
  collectFailure,
  type Seen,
  sendJson,
  startServer,
  type TestServer,
} from './test-support.ts';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const NOW = new Date('2024-06-01T12:00:00Z');
const now = () => NOW;

interface User {
  schemas: string[];
  id: string;
  userName: string;
  name: { givenName: string; familyName: string };
  active: boolean;
  emails: { value: string; type: string; primary: boolean }[];
  meta: { resourceType: 'User'; created: string; lastModified: string; location: string };
  [ENTERPRISE]: { employeeNumber: string; department: string; manager?: { value: string } };
}

function user(n: number, lastModified: string, active = true): User {
  const id = `2819c223-7f76-453a-919d-41381${String(n).padStart(7, '0')}`;
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE],
    id,
    userName: `worker${n}@example.com`,
    name: { givenName: `Given${n}`, familyName: `Family${n}` },
    active,
    emails: [{ value: `worker${n}@example.com`, type: 'work', primary: true }],
    meta: {
      resourceType: 'User',
      created: '2023-01-01T00:00:00Z',
      lastModified,
      location: `https://hr.example.com/scim/v2/Users/${id}`,
    },
    [ENTERPRISE]: { employeeNumber: String(7000 + n), department: 'Operations', manager: { value: 'boss' } },
  };
}

interface ScimServerOptions {
  sort?: 'honour' | 'ignore' | 'reject';
  maxCount?: number;
  omitTotal?: boolean;
  afterPage?: (page: number) => void;
}

let users: User[];
let server: TestServer | undefined;
beforeEach(() => {
  users = [
    user(1, '2024-05-01T10:00:00Z'),
    user(2, '2024-05-02T09:00:00+02:00'),
    user(3, '2024-05-02T08:00:00Z', false),
    user(4, '2024-04-15T16:30:00.123Z'),
    user(5, '2024-03-20T06:00:00Z'),
  ];
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const scimError = (detail: string, scimType: string) => ({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
  scimType,
  detail,
  status: '400',
});

/** Parses the two filter shapes Joinery sends (plus `active eq true`) and really applies them. */
function filterOf(filter: string | null): ((u: User) => boolean) | null {
  if (filter === null) return () => true;
  const gt = '(?:meta\\.lastModified gt ("(?:[^"\\\\]|\\\\.)*"))';
  const m = new RegExp(`^(?:${gt}|\\(${gt}\\) and \\((active eq true)\\)|(active eq true))$`).exec(filter);
  if (!m) return null;
  const literal = m[1] ?? m[2];
  const since = literal === undefined ? null : Date.parse(JSON.parse(literal) as string);
  const activeOnly = m[3] !== undefined || m[4] !== undefined;
  return (u) => (since === null || Date.parse(u.meta.lastModified) > since) && (!activeOnly || u.active);
}

function startScim(options: ScimServerOptions = {}) {
  let pages = 0;
  return startServer((req: Seen, res) => {
    if (req.headers.authorization !== 'Bearer scim-token')
      return sendJson(res, 401, scimError('bad token', ''));
    if (req.url.pathname !== '/scim/v2/Users') return sendJson(res, 404, scimError('no such resource', ''));
    const q = req.url.searchParams;
    const match = filterOf(q.get('filter'));
    if (!match)
      return sendJson(res, 400, scimError(`unsupported filter ${q.get('filter')}`, 'invalidFilter'));
    if (q.has('sortBy') && options.sort === 'reject')
      return sendJson(res, 400, scimError('sorting is not supported', 'invalidValue'));
    let list = users.filter(match);
    if (q.get('sortBy') === 'meta.lastModified' && (options.sort ?? 'honour') === 'honour') {
      const sign = q.get('sortOrder') === 'descending' ? -1 : 1;
      list = [...list].sort(
        (a, b) => sign * (Date.parse(a.meta.lastModified) - Date.parse(b.meta.lastModified)),
      );
    }
    const startIndex = Number(q.get('startIndex') ?? 1);
    const count = Math.min(Number(q.get('count') ?? 100), options.maxCount ?? 1000);
    const Resources = list.slice(startIndex - 1, startIndex - 1 + count);
    const body: Record<string, unknown> = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      itemsPerPage: Resources.length,
      startIndex,
      Resources,
    };
    if (!options.omitTotal) body.totalResults = list.length;
    pages += 1;
    sendJson(res, 200, body, { 'content-type': 'application/scim+json' });
    options.afterPage?.(pages);
  });
}

const config = (base: string, extra: Partial<ScimPullConfig> = {}): ScimPullConfig => ({
  url: `${base}/scim/v2/`,
  pageSize: 2,
  auth: { type: 'bearer', token: 'scim-token' },
  ...extra,
});

const ids = (records: Record<string, unknown>[]) => records.map((r) => String(r.id).slice(-1));
const touch = (n: number, lastModified: string) => {
  const found = users.find((u) => u.id.endsWith(String(n)));
  if (found) found.meta.lastModified = lastModified;
};

describe('pullScim', () => {
  it('full sync pages with startIndex/count, newest first, and returns the latest lastModified', async () => {
    server = await startScim();
    const result = await collect(pullScim(config(server.base), { now }));
    expect(result.records).toEqual([users[2], users[1], users[0], users[3], users[4]]);
    expect(result.pages).toBe(3);
    // 08:00Z is later than 09:00+02:00 although it sorts lower as text; the original string comes back.
    expect(result.watermark).toBe('2024-05-02T08:00:00Z');
    const q = server.requests.map((r) => r.url.searchParams);
    expect(q.map((p) => p.get('startIndex'))).toEqual(['1', '3', '5']);
    expect(q.every((p) => p.get('count') === '2' && !p.has('filter'))).toBe(true);
    expect(
      q.every((p) => p.get('sortBy') === 'meta.lastModified' && p.get('sortOrder') === 'descending'),
    ).toBe(true);
    expect(server.requests[0]?.headers.accept).toBe('application/scim+json');
  });

  it('a delta asks only for what changed after the watermark', async () => {
    server = await startScim();
    const full = await collect(pullScim(config(server.base), { now }));
    touch(5, '2024-05-20T10:00:00Z');
    touch(1, '2024-05-21T10:00:00.5Z');
    const delta = await collect(pullScim(config(server.base), { now, watermark: full.watermark }));
    expect(ids(delta.records)).toEqual(['1', '5']);
    expect(delta.watermark).toBe('2024-05-21T10:00:00.5Z');
    expect(server.requests.at(-1)?.url.searchParams.get('filter')).toBe(
      'meta.lastModified gt "2024-05-02T08:00:00Z"',
    );
    const quiet = await collect(pullScim(config(server.base), { now, watermark: delta.watermark }));
    expect(quiet).toEqual({ records: [], pages: 0, watermark: '2024-05-21T10:00:00.5Z' });
  });

  it('ANDs the configured filter with the delta condition', async () => {
    server = await startScim();
    touch(3, '2024-05-30T00:00:00Z');
    touch(4, '2024-05-30T00:00:01Z');
    const result = await collect(
      pullScim(config(server.base, { filter: 'active eq true' }), { now, watermark: '2024-05-29T00:00:00Z' }),
    );
    expect(ids(result.records)).toEqual(['4']);
    expect(server.requests[0]?.url.searchParams.get('filter')).toBe(
      '(meta.lastModified gt "2024-05-29T00:00:00Z") and (active eq true)',
    );
    const full = await collect(pullScim(config(server.base, { filter: 'active eq true' }), { now }));
    expect(ids(full.records).sort()).toEqual(['1', '2', '4', '5']);
  });

  it('a change made mid-run is repeated or deferred, never skipped', async () => {
    // After page 1, worker 4 (not read yet) changes; newest-first order moves it to the front.
    server = await startScim({ afterPage: (page) => page === 1 && touch(4, '2024-06-01T12:00:01Z') });
    const run = await collect(pullScim(config(server.base), { now }));
    expect(ids(run.records)).toEqual(['3', '2', '2', '1', '5']);
    expect(run.watermark).toBe('2024-05-02T08:00:00Z');
    const next = await collect(pullScim(config(server.base), { now, watermark: run.watermark }));
    expect(ids(next.records)).toEqual(['4']);
  });

  it('with a server that ignores sortBy, the watermark stays behind the run start', async () => {
    server = await startScim({
      sort: 'ignore',
      afterPage: (page) => {
        if (page !== 1) return;
        touch(1, '2024-06-01T12:00:01Z'); // already read
        touch(5, '2024-06-01T12:00:02Z'); // read later in this run
      },
    });
    const run = await collect(pullScim(config(server.base), { now }));
    expect(ids(run.records)).toEqual(['1', '2', '3', '4', '5']);
    // Taking 12:00:02 would lose worker 1's change; the newest value before run start - skew is kept.
    expect(run.watermark).toBe('2024-05-02T08:00:00Z');
    const next = await collect(pullScim(config(server.base), { now, watermark: run.watermark }));
    expect(ids(next.records)).toEqual(['1', '5']);
  });

  it('retries without sorting when the server rejects sortBy', async () => {
    server = await startScim({ sort: 'reject' });
    const result = await collect(pullScim(config(server.base), { now }));
    expect(ids(result.records)).toEqual(['1', '2', '3', '4', '5']);
    expect(server.requests.map((r) => r.url.searchParams.has('sortBy'))).toEqual([true, false, false, false]);
  });

  it('keeps paging when the server caps count, using totalResults', async () => {
    server = await startScim({ maxCount: 2 });
    const result = await collect(pullScim(config(server.base, { pageSize: 100 }), { now }));
    expect(result.records).toHaveLength(5);
    expect(server.requests.map((r) => r.url.searchParams.get('startIndex'))).toEqual(['1', '3', '5']);
  });

  it('stops on a short page when totalResults is missing', async () => {
    server = await startScim({ omitTotal: true });
    const result = await collect(pullScim(config(server.base, { pageSize: 3 }), { now }));
    expect(result.records).toHaveLength(5);
    expect(server.requests).toHaveLength(2);
  });

  it('fails on a rejected token and on a watermark that is not a date', async () => {
    server = await startScim();
    const denied = await collectFailure(
      pullScim(config(server.base, { auth: { type: 'bearer', token: 'nope' } }), {}),
    );
    expect((denied.error as PullError).failure).toMatchObject({ status: 401, retryable: false });
    const bad = await collectFailure(pullScim(config(server.base), { watermark: 'yesterday' }));
    expect((bad.error as PullError).failure.message).toBe('watermark "yesterday" is not a date-time');
  });

  it('quotes the watermark as a SCIM string', () => {
    expect(scimFilter('2024-01-01T00:00:00Z', undefined)).toBe('meta.lastModified gt "2024-01-01T00:00:00Z"');
    expect(scimFilter('a"b\\c', 'userType eq "Employee"')).toBe(
      '(meta.lastModified gt "a\\"b\\\\c") and (userType eq "Employee")',
    );
    expect(scimFilter(null, undefined)).toBeUndefined();
  });
});
