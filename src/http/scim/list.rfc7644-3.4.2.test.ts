import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CORE_USER,
  createScimClient,
  ENTERPRISE,
  type ScimReply,
  type ScimTestClient,
} from '../../../test/scim.ts';
import { fakeClock } from '../../core/index.ts';

const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const MAX = 22;
const PAGED = 20;
const clock = fakeClock('2026-04-01T08:00:00.000Z');
let c: ScimTestClient;
const pagedIds: string[] = [];

const q = (filter: string) => `filter=${encodeURIComponent(filter)}`;
const names = (r: ScimReply) => (r.body.Resources ?? []).map((u) => u.userName);
const ids = (r: ScimReply) => (r.body.Resources ?? []).map((u) => u.id as string);
const paged = (extra = '') => c.scim('GET', `/Users?${q('userName sw "p-"')}${extra}`);
const sorted = (extra: string) => c.scim('GET', `/Users?${q('userName sw "s-"')}&${extra}`);

async function createUser(body: Record<string, unknown>, at?: string): Promise<string> {
  if (at) clock.set(at);
  const res = await c.scim('POST', '/Users', { schemas: [CORE_USER], ...body });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

beforeAll(async () => {
  c = await createScimClient({ clock, env: { JOINERY_SCIM_MAX_RESULTS: String(MAX) } });
  for (let i = 0; i < PAGED; i++)
    pagedIds.push(await createUser({ userName: `p-${String(i).padStart(3, '0')}` }));
  // Created (by id) in this order, but with meta.created in another order.
  await createUser(
    {
      userName: 's-alpha',
      displayName: 'banana',
      name: { familyName: 'Alpha', givenName: 'Ann' },
      emails: [
        { value: 'zz@s.example', type: 'home' },
        { value: 'aa@s.example', type: 'work', primary: true },
      ],
      schemas: [CORE_USER, ENTERPRISE],
      [ENTERPRISE]: { department: 'Sales', employeeNumber: 'E-1' },
    },
    '2026-04-01T10:00:03.000Z',
  );
  await createUser(
    {
      userName: 's-Bravo',
      displayName: 'Apple',
      emails: [{ value: 'mm@s.example' }, { value: 'bb@s.example' }],
    },
    '2026-04-01T10:00:01.000Z',
  );
  await createUser(
    { userName: 's-charlie', displayName: 'cherry', emails: [{ value: 'CC@s.example', primary: true }] },
    '2026-04-01T10:00:04.000Z',
  );
  await createUser({ userName: 's-Delta' }, '2026-04-01T10:00:02.000Z');
});
afterAll(async () => {
  await c.close();
});

describe('startIndex and count (RFC 7644 §3.4.2.4)', () => {
  it('returns every match by default with a complete ListResponse envelope', async () => {
    const res = await paged();
    expect(res.status).toBe(200);
    expect(res.body.schemas).toEqual([LIST_RESPONSE]);
    expect(res.body.totalResults).toBe(PAGED);
    expect(res.body.itemsPerPage).toBe(PAGED);
    expect(res.body.startIndex).toBe(1);
    expect(new Set(names(res)).size).toBe(PAGED);
  });

  it('pages with a 1-based startIndex', async () => {
    const all = ids(await paged());
    const res = await paged('&startIndex=3&count=5');
    expect(res.body).toMatchObject({ totalResults: PAGED, itemsPerPage: 5, startIndex: 3 });
    expect(ids(res)).toEqual(all.slice(2, 7));
  });

  it('reads startIndex below 1 (any spelling of the name) as 1', async () => {
    const first = ids(await paged('&count=4'));
    for (const value of ['startindex=0', 'startIndex=0', 'STARTINDEX=-5']) {
      const res = await paged(`&${value}&count=4`);
      expect(res.status).toBe(200);
      expect(res.body.startIndex).toBe(1);
      expect(ids(res)).toEqual(first);
    }
  });

  it('reads a negative count as 0: totalResults only', async () => {
    for (const count of ['-1', '0']) {
      const res = await paged(`&count=${count}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ totalResults: PAGED, itemsPerPage: 0, startIndex: 1 });
      expect(res.body.Resources ?? []).toEqual([]);
    }
  });

  it('lowers a count above JOINERY_SCIM_MAX_RESULTS to the maximum', async () => {
    for (const extra of ['?count=1000', '?count=23', '']) {
      const res = await c.scim('GET', `/Users${extra}`);
      expect(res.body.totalResults).toBe(PAGED + 4);
      expect(res.body.itemsPerPage).toBe(MAX);
      expect(res.body.Resources).toHaveLength(MAX);
    }
  });

  it('sets itemsPerPage to the number returned on a short last page and past the end', async () => {
    const last = await paged('&startIndex=16&count=10');
    expect(last.body).toMatchObject({ totalResults: PAGED, itemsPerPage: 5, startIndex: 16 });
    expect(last.body.Resources).toHaveLength(5);
    const beyond = await paged('&startIndex=21&count=10');
    expect(beyond.body).toMatchObject({ totalResults: PAGED, itemsPerPage: 0, startIndex: 21 });
    expect(beyond.body.Resources ?? []).toEqual([]);
  });

  it('counts only what the filter matches', async () => {
    const res = await c.scim('GET', `/Users?${q('userName sw "s-" and displayName pr')}`);
    expect(res.body.totalResults).toBe(3);
    expect(new Set(names(res))).toEqual(new Set(['s-alpha', 's-Bravo', 's-charlie']));
  });
});

describe('sortBy and sortOrder (RFC 7644 §3.4.2.3)', () => {
  it('sorts userName case-insensitively, ascending by default', async () => {
    expect(names(await sorted('sortBy=userName'))).toEqual(['s-alpha', 's-Bravo', 's-charlie', 's-Delta']);
    expect(names(await sorted('sortBy=USERNAME&sortOrder=descending'))).toEqual([
      's-Delta',
      's-charlie',
      's-Bravo',
      's-alpha',
    ]);
  });

  it('sorts displayName with users lacking one last when ascending and first when descending', async () => {
    expect(names(await sorted('sortBy=displayName&sortOrder=ascending'))).toEqual([
      's-Bravo',
      's-alpha',
      's-charlie',
      's-Delta',
    ]);
    expect(names(await sorted('sortBy=displayName&sortOrder=descending'))).toEqual([
      's-Delta',
      's-charlie',
      's-alpha',
      's-Bravo',
    ]);
  });

  it('sorts by meta.created, not by creation order of ids', async () => {
    const asc = ['s-Bravo', 's-Delta', 's-alpha', 's-charlie'];
    expect(names(await sorted('sortBy=meta.created'))).toEqual(asc);
    expect(names(await sorted('sortBy=meta.created&sortOrder=descending'))).toEqual([...asc].reverse());
  });

  it('sorts a multi-valued attribute by its primary value, else its first value', async () => {
    // alpha: primary aa (first is zz); Bravo: no primary, first mm; charlie: primary CC; Delta: none.
    expect(names(await sorted('sortBy=emails'))).toEqual(['s-alpha', 's-charlie', 's-Bravo', 's-Delta']);
    expect(names(await sorted('sortBy=emails.value&sortOrder=descending'))).toEqual([
      's-Delta',
      's-Bravo',
      's-charlie',
      's-alpha',
    ]);
  });

  it('pages through a sorted result', async () => {
    const res = await sorted('sortBy=userName&startIndex=2&count=2');
    expect(res.body).toMatchObject({ totalResults: 4, itemsPerPage: 2, startIndex: 2 });
    expect(names(res)).toEqual(['s-Bravo', 's-charlie']);
  });
});

describe('attributes and excludedAttributes (RFC 7644 §3.4.2.5)', () => {
  const alpha = (extra: string) => c.scim('GET', `/Users?${q('userName eq "s-alpha"')}&${extra}`);
  const only = async (extra: string) => {
    const res = await alpha(extra);
    expect(res.status).toBe(200);
    expect(res.body.Resources).toHaveLength(1);
    return res.body.Resources?.[0] ?? {};
  };

  it('returns only the requested attributes plus those returned always', async () => {
    const user = await only('attributes=userName');
    expect(Object.keys(user).sort()).toEqual(['id', 'schemas', 'userName']);
    expect(user.userName).toBe('s-alpha');
  });

  it('narrows complex and multi-valued attributes to the requested sub-attributes', async () => {
    const user = await only('attributes=name.familyName,emails.value');
    expect(user.name).toEqual({ familyName: 'Alpha' });
    expect(user.emails).toEqual([{ value: 'zz@s.example' }, { value: 'aa@s.example' }]);
    expect(user.displayName).toBeUndefined();
  });

  it('accepts URN-qualified names, including extension attributes', async () => {
    const user = await only(`attributes=${CORE_USER}:displayName,${ENTERPRISE}:department`);
    expect(user.displayName).toBe('banana');
    expect(user[ENTERPRISE]).toEqual({ department: 'Sales' });
    expect(user.schemas).toEqual([CORE_USER, ENTERPRISE]);
    expect(user.userName).toBeUndefined();
  });

  it('drops excluded attributes but never those returned always', async () => {
    const user = await only('excludedAttributes=emails,meta,id,name.givenName');
    expect(user.emails).toBeUndefined();
    expect(user.meta).toBeUndefined();
    expect(user.id).toEqual(expect.any(String));
    expect(user.name).toEqual({ familyName: 'Alpha', formatted: 'Ann Alpha' });
    expect(user.displayName).toBe('banana');
  });
});

describe('POST /.search (RFC 7644 §3.4.3)', () => {
  it('takes the list parameters from a SearchRequest body on /Users', async () => {
    const res = await c.scim('POST', '/Users/.search', {
      schemas: [SEARCH_REQUEST],
      filter: 'userName sw "s-"',
      sortBy: 'userName',
      sortOrder: 'descending',
      startIndex: 1,
      count: 2,
      attributes: ['userName'],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      schemas: [LIST_RESPONSE],
      totalResults: 4,
      itemsPerPage: 2,
      startIndex: 1,
    });
    expect(res.body.Resources?.map((u) => Object.keys(u).sort())).toEqual([
      ['id', 'schemas', 'userName'],
      ['id', 'schemas', 'userName'],
    ]);
    expect(names(res)).toEqual(['s-Delta', 's-charlie']);
  });

  it('lowers count and honours excludedAttributes in a body', async () => {
    const res = await c.scim('POST', '/Users/.search', {
      schemas: [SEARCH_REQUEST],
      count: 500,
      excludedAttributes: ['meta'],
    });
    expect(res.body.itemsPerPage).toBe(MAX);
    expect(res.body.Resources?.every((u) => u.meta === undefined && typeof u.userName === 'string')).toBe(
      true,
    );
  });

  it('searches Groups too', async () => {
    for (const displayName of ['Search Zeta', 'Search Eta', 'Other']) {
      expect((await c.scim('POST', '/Groups', { displayName })).status).toBe(201);
    }
    const res = await c.scim('POST', '/Groups/.search', {
      schemas: [SEARCH_REQUEST],
      filter: 'displayName sw "search"',
      sortBy: 'displayName',
    });
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(2);
    expect(res.body.Resources?.map((g) => g.displayName)).toEqual(['Search Eta', 'Search Zeta']);
  });

  it('is POST only', async () => {
    const res = await c.scim('GET', '/Users/.search');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});

describe('deep pages stay consistent', () => {
  async function walk(extra: string, count: number): Promise<string[]> {
    const seen: string[] = [];
    for (let start = 1; start <= PAGED; start += count) {
      const res = await paged(`${extra}&startIndex=${start}&count=${count}`);
      expect(res.body.totalResults).toBe(PAGED);
      expect(res.body.itemsPerPage).toBe(Math.min(count, PAGED - start + 1));
      seen.push(...ids(res));
    }
    return seen;
  }

  it('returns every user exactly once when walking all pages, sorted or not', async () => {
    const all = [...pagedIds].sort();
    expect(ids(await paged()).sort()).toEqual(all);
    for (const [extra, count] of [
      ['', 7],
      ['', 7],
      ['&sortBy=userName', 4],
      ['&sortBy=userName&sortOrder=descending', 6],
    ] as const) {
      const seen = await walk(extra, count);
      expect(seen).toHaveLength(PAGED);
      expect([...seen].sort()).toEqual(all);
    }
  });

  it('reflects a write between pages in totalResults and the next page', async () => {
    const first = await paged('&startIndex=1&count=5');
    await paged('&startIndex=6&count=5');
    expect(first.body.totalResults).toBe(PAGED);
    const added = await createUser({ userName: 'p-zzz' }, '2026-04-01T11:00:00.000Z');
    const second = await paged('&startIndex=6&count=5');
    expect(second.body.totalResults).toBe(PAGED + 1);
    const third = await paged('&startIndex=11&count=11');
    expect(third.body.totalResults).toBe(PAGED + 1);
    expect(ids(third)).toHaveLength(11);
    expect(ids(third)).toContain(added);

    const gone = ids(third)[0] as string;
    expect((await c.scim('DELETE', `/Users/${added}`)).status).toBe(204);
    expect((await c.scim('DELETE', `/Users/${gone}`)).status).toBe(204);
    const after = await paged('&startIndex=11&count=10');
    expect(after.body.totalResults).toBe(PAGED - 1);
    expect(ids(after)).not.toContain(added);
    expect(ids(after)).not.toContain(gone);
    expect(ids(after)).toHaveLength(PAGED - 1 - 10);
  });
});
