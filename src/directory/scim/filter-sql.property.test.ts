import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CORE_USER,
  createScimClient,
  ENTERPRISE,
  type ScimReply,
  type ScimTestClient,
} from '../../../test/scim.ts';
import {
  type AttrPath,
  type CompareOp,
  type CompareValue,
  type Filter,
  formatFilter,
} from '../../scim/index.ts';

const JOINERY = 'urn:ietf:params:scim:schemas:extension:joinery:2.0:User';
const CUSTOM = 'urn:ietf:params:scim:schemas:extension:prop:1.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const OPS: CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
let c: ScimTestClient;
const knownIds: string[] = [];

const p = (name: string, subAttr: string | null = null, uri: string | null = null): AttrPath => ({
  uri,
  name,
  subAttr,
});

/** Real attribute paths of the User resource type (and a few that do not exist). */
const USER_PATHS: AttrPath[] = [
  ...['id', 'externalId', 'userName', 'displayName', 'title', 'userType', 'active', 'timezone'].map((n) =>
    p(n),
  ),
  ...['preferredLanguage', 'emails', 'phoneNumbers', 'groups', 'schemas', 'nickName'].map((n) => p(n)),
  ...['givenName', 'familyName', 'formatted', 'middleName', 'nope'].map((s) => p('name', s)),
  ...['value', 'type', 'primary', 'display'].flatMap((s) => [p('emails', s), p('phoneNumbers', s)]),
  p('groups', 'value'),
  p('groups', 'display'),
  ...['created', 'lastModified', 'resourceType', 'location', 'version'].map((s) => p('meta', s)),
  p('userName', null, CORE_USER),
  p('name', 'familyName', CORE_USER),
  ...['employeeNumber', 'costCenter', 'department', 'organization'].map((n) => p(n, null, ENTERPRISE)),
  p('manager', 'value', ENTERPRISE),
  p('manager', null, ENTERPRISE),
  p('employeeNumber'),
  ...['employeeHireDate', 'employeeLeaveDateTime', 'usageLocation', 'personalEmail'].map((n) =>
    p(n, null, JOINERY),
  ),
  ...['propText', 'propCount', 'propRatio', 'propFlag', 'propWhen'].map((n) => p(n, null, CUSTOM)),
  p('propCount'),
  p('x', null, 'urn:example:nothing:1.0:User'),
];
const GROUP_PATHS: AttrPath[] = [
  ...['id', 'externalId', 'displayName', 'members', 'title'].map((n) => p(n)),
  ...['value', 'display', 'type', '$ref'].map((s) => p('members', s)),
  ...['created', 'lastModified', 'resourceType'].map((s) => p('meta', s)),
  p('displayName', null, GROUP),
];
const MULTI: AttrPath[] = [
  p('emails'),
  p('phoneNumbers'),
  p('members'),
  p('groups'),
  p('name'),
  p('userName'),
];
const SUBS: AttrPath[] = ['value', 'type', 'primary', 'display', 'familyName', 'bogus'].map((n) => p(n));

/** Spell a name in random case: attribute names are case-insensitive (RFC 7643 §2.1). */
const cased = (path: AttrPath): fc.Arbitrary<AttrPath> =>
  fc.boolean().map((upper) => (upper ? { ...path, name: path.name.toUpperCase() } : path));

const isoInstant = fc
  .record({
    date: fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }),
    digits: fc.constantFrom(0, 3, 6, 7, 9),
    zone: fc.constantFrom('Z', '+01:00', '-0530', '', 'z'),
  })
  .map(({ date, digits, zone }) => {
    const base = date.toISOString().slice(0, 19);
    const fraction = digits
      ? `.${String(date.getTime() % 1000)
          .padStart(3, '0')
          .padEnd(digits, '7')}`
      : '';
    return `${base}${fraction}${zone}`;
  });
const oddStrings = fc.constantFrom(
  '',
  '%',
  '_',
  '\\',
  '%_\\',
  "O'Brien",
  '"quoted"',
  'yesterday',
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  '2026-02-30',
  '2026-02-29T00:00:00Z',
  '2026-01-01T24:00:00Z',
  '0000-01-01',
  '2026-13-01',
  '\u0000',
  'a\u0000b',
  '\u{1F600}',
  'é',
  'E\u0301',
  'x'.repeat(3000),
);
/** Built when a test runs, so the ids of the seeded resources are among the values. */
const value = (): fc.Arbitrary<CompareValue> =>
  fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 12 }),
    oddStrings,
    isoInstant,
    fc.constantFrom(...knownIds),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(0, -0, 1e308, -1e-308, 2 ** 53 + 1),
    fc.boolean(),
    fc.constant(null),
  );

function filterOf(paths: readonly AttrPath[]): fc.Arbitrary<Filter> {
  const attrPath = fc.constantFrom(...paths).chain(cased);
  const compare = (path: fc.Arbitrary<AttrPath>): fc.Arbitrary<Filter> =>
    fc.record({ kind: fc.constant('compare' as const), path, op: fc.constantFrom(...OPS), value: value() });
  const present = (path: fc.Arbitrary<AttrPath>): fc.Arbitrary<Filter> =>
    fc.record({ kind: fc.constant('present' as const), path });
  const inner = fc.letrec<{ f: Filter }>((tie) => ({
    f: fc.oneof(
      { depthSize: 'small' },
      compare(fc.constantFrom(...SUBS)),
      present(fc.constantFrom(...SUBS)),
      fc.record({ kind: fc.constant('and' as const), left: tie('f'), right: tie('f') }),
      fc.record({ kind: fc.constant('or' as const), left: tie('f'), right: tie('f') }),
      fc.record({ kind: fc.constant('not' as const), filter: tie('f') }),
    ),
  })).f;
  return fc.letrec<{ f: Filter }>((tie) => ({
    f: fc.oneof(
      { depthSize: 'small' },
      compare(attrPath),
      present(attrPath),
      fc.record({ kind: fc.constant('valuePath' as const), path: fc.constantFrom(...MULTI), filter: inner }),
      fc.record({ kind: fc.constant('and' as const), left: tie('f'), right: tie('f') }),
      fc.record({ kind: fc.constant('or' as const), left: tie('f'), right: tie('f') }),
      fc.record({ kind: fc.constant('not' as const), filter: tie('f') }),
    ),
  })).f;
}

function expectAnswer(res: ScimReply, filter: string): void {
  const context = `${filter} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
  expect([200, 400], context).toContain(res.status);
  if (res.status === 200) {
    expect(typeof res.body.totalResults, context).toBe('number');
    expect(res.body.Resources?.length ?? 0, context).toBe(res.body.itemsPerPage);
  } else {
    expect(['invalidFilter', 'tooMany'], context).toContain(res.body.scimType);
    expect(String(res.body.detail).length, context).toBeGreaterThan(0);
  }
}

const get = (resource: string, filter: string) =>
  c.scim('GET', `/${resource}?filter=${encodeURIComponent(filter)}&count=5`);

beforeAll(async () => {
  c = await createScimClient();
  const admin = await c.t.token(['admin']);
  const declared = await c.t.call('PUT', '/api/v1/scim-extensions', {
    token: admin,
    body: {
      id: CUSTOM,
      name: 'Prop',
      attributes: ['string', 'integer', 'decimal', 'boolean', 'dateTime'].map((type, i) => ({
        name: ['propText', 'propCount', 'propRatio', 'propFlag', 'propWhen'][i],
        type,
      })),
    },
  });
  expect(declared.status).toBe(200);
  const bodies = [
    {
      userName: 'p1',
      displayName: '50%_\\',
      emails: [{ value: 'p1@example.com', type: 'work', primary: true }],
    },
    { userName: 'p2', active: false, title: 'T', phoneNumbers: [{ value: '+1 555', type: 'work' }] },
    {
      userName: 'p3',
      name: { givenName: 'G', familyName: 'F' },
      [ENTERPRISE]: { employeeNumber: '7', department: 'D' },
      [JOINERY]: { employeeHireDate: '2026-05-01', usageLocation: 'FR' },
      [CUSTOM]: {
        propText: 'x',
        propCount: 3,
        propRatio: 0.5,
        propFlag: true,
        propWhen: '2026-01-01T00:00:00Z',
      },
    },
  ];
  for (const body of bodies) {
    const res = await c.scim('POST', '/Users', {
      schemas: [CORE_USER, ENTERPRISE, JOINERY, CUSTOM],
      ...body,
    });
    expect(res.status).toBe(201);
    knownIds.push(res.body.id as string);
  }
  const group = await c.scim('POST', '/Groups', { displayName: 'G1', members: [{ value: knownIds[0] }] });
  expect(group.status).toBe(201);
});
afterAll(async () => {
  await c.close();
});

describe('any filter over real attributes is answered 200 or 400, never 5xx', () => {
  it('on /Users', async () => {
    await fc.assert(
      fc.asyncProperty(filterOf(USER_PATHS), async (filter) => {
        const text = formatFilter(filter);
        expectAnswer(await get('Users', text), text);
      }),
      { numRuns: 2500 },
    );
  });

  it('on /Groups', async () => {
    await fc.assert(
      fc.asyncProperty(filterOf(GROUP_PATHS), async (filter) => {
        const text = formatFilter(filter);
        expectAnswer(await get('Groups', text), text);
      }),
      { numRuns: 800 },
    );
  });
});

describe('any text as a filter is answered 200 or 400, never 5xx', () => {
  const PIECES = ['userName', 'emails', 'meta.created', 'name.familyName', 'members.value', `${ENTERPRISE}:`];
  const OTHER = [
    ' ',
    '(',
    ')',
    '[',
    ']',
    '"',
    '\\',
    'eq',
    'gt',
    'pr',
    'and',
    'or',
    'not',
    'true',
    '1',
    '"x"',
  ];
  const filterish = fc
    .array(fc.constantFrom(...PIECES, ...OTHER), { maxLength: 20 })
    .map((pieces) => pieces.join(' '));
  const text = fc.oneof(
    filterish,
    fc.string({ maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 60 }),
  );

  it('through GET ?filter= and POST /.search', async () => {
    await fc.assert(
      fc.asyncProperty(
        text,
        fc.constantFrom('Users', 'Groups'),
        fc.boolean(),
        async (filter, kind, viaPost) => {
          const res = viaPost
            ? await c.scim('POST', `/${kind}/.search`, { filter, count: 5 })
            : await get(kind, filter);
          if (filter === '') expect(res.status).toBe(200);
          expectAnswer(res, filter);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
