import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORE_USER, createScimClient, ENTERPRISE, patch, type ScimTestClient } from '../../../test/scim.ts';
import { fakeClock } from '../../core/index.ts';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const clock = fakeClock('2026-02-01T10:00:00.123Z');
const ids: Record<string, string> = {};
let c: ScimTestClient;
let groupOfAda = '';
let groupOfGrace = '';

async function createUser(key: string, at: string, body: Record<string, unknown>): Promise<void> {
  clock.set(at);
  const res = await c.scim('POST', '/Users', { schemas: [CORE_USER, ENTERPRISE], ...body });
  expect(res.status).toBe(201);
  ids[key] = res.body.id as string;
}

beforeAll(async () => {
  c = await createScimClient({ clock });
  await createUser('ada', '2026-02-01T10:00:00.123Z', {
    userName: 'ada.lovelace',
    externalId: 'EXT-Ada',
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    displayName: 'Ada Lovelace',
    title: 'Countess',
    userType: 'Employee',
    emails: [
      { value: 'ada@example.com', type: 'work', primary: true },
      { value: 'ada@home.example.org', type: 'home' },
    ],
    [ENTERPRISE]: { employeeNumber: '701984', department: 'Engineering', costCenter: '100%_off' },
  });
  await createUser('grace', '2026-02-02T00:00:00.000Z', {
    userName: 'grace.hopper',
    externalId: 'ext-grace',
    name: { givenName: 'Grace', familyName: 'Hopper' },
    displayName: 'Grace Hopper',
    userType: 'Contractor',
    active: false,
    emails: [
      { value: 'grace@example.org', type: 'work' },
      { value: 'grace@example.com', type: 'home' },
    ],
    [ENTERPRISE]: { employeeNumber: '701985', department: 'Navy', costCenter: 'ab' },
  });
  await createUser('linus', '2026-02-03T12:30:00.000Z', {
    userName: 'linus_t',
    displayName: '50% Linus',
    emails: [{ value: 'linus@kernel.example', type: 'work' }],
    [ENTERPRISE]: { employeeNumber: '12', costCenter: 'a\\b' },
  });
  await createUser('linusx', '2026-02-04T00:00:00.000Z', {
    userName: 'linusXt',
    displayName: '500 Linus',
    [ENTERPRISE]: { costCenter: '100xyoff' },
  });
  clock.set('2026-03-01T00:00:00.000Z');
  const patched = await c.scim(
    'PATCH',
    `/Users/${ids.linusx}`,
    patch({ op: 'replace', path: 'title', value: 'Fellow' }),
  );
  expect(patched.status).toBe(200);
  const ada = await c.scim('POST', '/Groups', { displayName: 'Analysts', members: [{ value: ids.ada }] });
  const grace = await c.scim('POST', '/Groups', { displayName: 'Admirals', members: [{ value: ids.grace }] });
  groupOfAda = ada.body.id as string;
  groupOfGrace = grace.body.id as string;
});
afterAll(async () => {
  await c.close();
});

async function users(filter: string): Promise<string[]> {
  const res = await c.scim('GET', `/Users?filter=${encodeURIComponent(filter)}`);
  expect(res.status, `${filter}: ${JSON.stringify(res.body)}`).toBe(200);
  expect(res.body.totalResults).toBe(res.body.Resources?.length ?? 0);
  const byId = new Map(Object.entries(ids).map(([k, v]) => [v, k]));
  return (res.body.Resources ?? []).map((u) => byId.get(u.id as string) ?? String(u.id)).sort();
}

async function rejected(filter: string, resource = 'Users'): Promise<string> {
  const res = await c.scim('GET', `/${resource}?filter=${encodeURIComponent(filter)}`);
  expect(res.status, filter).toBe(400);
  expect(res.body.schemas).toEqual([ERROR]);
  expect(res.body.status).toBe('400');
  expect(res.body.scimType).toBe('invalidFilter');
  return String(res.body.detail);
}

describe('every comparison operator (RFC 7644 §3.4.2.2)', () => {
  it.each([
    ['userName eq "ada.lovelace"', ['ada']],
    ['userName ne "ada.lovelace"', ['grace', 'linus', 'linusx']],
    ['userName co "HOP"', ['grace']],
    ['userName sw "linus"', ['linus', 'linusx']],
    ['userName ew "xt"', ['linusx']],
    ['userName gt "grace.hopper"', ['linus', 'linusx']],
    ['userName ge "grace.hopper"', ['grace', 'linus', 'linusx']],
    ['userName lt "grace.hopper"', ['ada']],
    ['userName le "grace.hopper"', ['ada', 'grace']],
    ['title pr', ['ada', 'linusx']],
    // pr on a complex attribute: present when any of its sub-attributes is.
    ['name pr', ['ada', 'grace']],
    ['meta pr', ['ada', 'grace', 'linus', 'linusx']],
    // meta.resourceType is caseExact (RFC 7643 §3.1).
    ['meta.resourceType eq "User"', ['ada', 'grace', 'linus', 'linusx']],
    ['meta.resourceType eq "user"', []],
    ['active eq false', ['grace']],
    ['active ne false', ['ada', 'linus', 'linusx']],
    ['displayName ne "Ada Lovelace"', ['grace', 'linus', 'linusx']],
  ])('%s', async (filter, expected) => {
    expect(await users(filter)).toEqual(expected);
  });
});

describe('logical operators and grouping', () => {
  it.each([
    ['userType eq "Employee" and active eq true', ['ada']],
    ['userName eq "ada.lovelace" or userName eq "grace.hopper"', ['ada', 'grace']],
    ['not (active eq true)', ['grace']],
    ['not (title eq "Countess")', ['grace', 'linus', 'linusx']],
    ['(userName sw "linus" or userName sw "grace") and not (displayName co "50%")', ['grace', 'linusx']],
    ['userName sw "linus" or userName sw "grace" and active eq true', ['linus', 'linusx']],
    ['title pr or not (title pr)', ['ada', 'grace', 'linus', 'linusx']],
  ])('%s', async (filter, expected) => {
    expect(await users(filter)).toEqual(expected);
  });
});

describe('complex, multi-valued and extension attributes', () => {
  it.each([
    ['emails[type eq "work" and value co "@example.com"]', ['ada']],
    ['emails[type eq "home" and value ew ".com"]', ['grace']],
    ['emails[not (type eq "work")]', ['ada', 'grace']],
    ['emails co "example.com"', ['ada', 'grace']],
    // emails eq: the exact-lookup index (migration 0003), case-insensitive like every e-mail compare.
    ['emails eq "ADA@Example.com"', ['ada']],
    ['emails.value eq "grace@example.com"', ['grace']],
    ['emails[type eq "work" and value eq "Grace@Example.org"]', ['grace']],
    ['emails[type eq "home" and value eq "grace@example.org"]', []],
    ['emails eq "nobody@example.com"', []],
    ['emails eq "ada"', []],
    ['not (emails eq "ada@example.com")', ['grace', 'linus', 'linusx']],
    ['emails.value ew "@kernel.example"', ['linus']],
    ['emails.type eq "HOME"', ['ada', 'grace']],
    ['emails pr', ['ada', 'grace', 'linus']],
    ['name.familyName eq "hopper"', ['grace']],
    ['name.FAMILYNAME co "ove"', ['ada']],
    [`${ENTERPRISE}:employeeNumber eq "701984"`, ['ada']],
    [`${ENTERPRISE}:employeeNumber sw "7019"`, ['ada', 'grace']],
    [`${ENTERPRISE}:department eq "navy"`, ['grace']],
    [`${CORE_USER}:userName eq "linus_t"`, ['linus']],
  ])('%s', async (filter, expected) => {
    expect(await users(filter)).toEqual(expected);
  });
});

describe('dateTime comparisons on meta.created and meta.lastModified', () => {
  it.each([
    ['meta.created eq "2026-02-01T10:00:00.123Z"', ['ada']],
    ['meta.created eq "2026-02-01T10:00:00.123000Z"', ['ada']],
    ['meta.created eq "2026-02-01T10:00:00.1230000Z"', ['ada']],
    ['meta.created eq "2026-02-01T10:00:00Z"', []],
    ['meta.created gt "2026-02-01T10:00:00Z"', ['ada', 'grace', 'linus', 'linusx']],
    ['meta.created lt "2026-02-01T10:00:01Z"', ['ada']],
    ['meta.created gt "2026-02-01T10:00:00.122999Z"', ['ada', 'grace', 'linus', 'linusx']],
    ['meta.created lt "2026-02-01T10:00:00.123001Z"', ['ada']],
    ['meta.created ge "2026-02-01T10:00:00.123Z"', ['ada', 'grace', 'linus', 'linusx']],
    ['meta.created gt "2026-02-01T10:00:00.123Z"', ['grace', 'linus', 'linusx']],
    ['meta.created le "2026-02-02T00:00:00.000Z"', ['ada', 'grace']],
    ['meta.created lt "2026-02-01T10:00:00.1234567Z"', ['ada']],
    ['meta.created eq "2026-02-01T11:00:00.123+01:00"', ['ada']],
    ['meta.created eq "2026-02-01T05:00:00.123-05:00"', ['ada']],
    ['meta.created eq "2026-02-03T14:00:00+0130"', ['linus']],
    ['meta.created ge "2026-02-02T01:00:00+01:00" and meta.created lt "2026-02-03"', ['grace']],
    ['meta.lastModified gt "2026-02-28T23:59:59.999999Z"', ['linusx']],
    ['meta.lastModified eq "2026-02-03T12:30:00Z"', ['linus']],
  ])('%s', async (filter, expected) => {
    expect(await users(filter)).toEqual(expected);
  });

  it('compares 7-digit fractions exactly, without rounding them to microseconds first', async () => {
    // .1229996 is before .123: rounding it to .123000 would wrongly make ada not "gt".
    expect(await users('meta.created gt "2026-02-01T10:00:00.1229996Z"')).toEqual([
      'ada',
      'grace',
      'linus',
      'linusx',
    ]);
    expect(await users('meta.created le "2026-02-01T10:00:00.1229996Z"')).toEqual([]);
    // Entra sends 7 digits; linusx was modified at exactly 2026-03-01T00:00:00.000Z.
    expect(await users('meta.lastModified gt "2026-02-28T23:59:59.9999999Z"')).toEqual(['linusx']);
  });
});

describe('names, case and literal values', () => {
  it('matches attribute names case-insensitively', async () => {
    expect(await users('USERNAME eq "ada.lovelace"')).toEqual(['ada']);
    expect(await users('Meta.Created eq "2026-02-01T10:00:00.123Z"')).toEqual(['ada']);
    expect(await users(`${ENTERPRISE.toUpperCase()}:EMPLOYEENUMBER eq "701985"`)).toEqual(['grace']);
  });

  it('compares values per caseExact: userName ignores case, externalId and employeeNumber do not', async () => {
    expect(await users('userName eq "ADA.LOVELACE"')).toEqual(['ada']);
    expect(await users('externalId eq "EXT-Ada"')).toEqual(['ada']);
    expect(await users('externalId eq "ext-ada"')).toEqual([]);
    expect(await users('externalId sw "ext-"')).toEqual(['grace']);
    expect(await users('externalId co "ADA"')).toEqual([]);
  });

  it('takes LIKE metacharacters % _ and \\ literally', async () => {
    expect(await users('userName sw "linus_"')).toEqual(['linus']);
    expect(await users('userName ew "_t"')).toEqual(['linus']);
    expect(await users('displayName sw "50%"')).toEqual(['linus']);
    expect(await users('displayName co "%"')).toEqual(['linus']);
    expect(await users(`${ENTERPRISE}:costCenter ew "%_off"`)).toEqual(['ada']);
    expect(await users(`${ENTERPRISE}:costCenter eq "a\\\\b"`)).toEqual(['linus']);
    expect(await users(`${ENTERPRISE}:costCenter co "a\\\\b"`)).toEqual(['linus']);
    expect(await users(`${ENTERPRISE}:costCenter sw "a\\\\"`)).toEqual(['linus']);
  });

  it('answers an id that is not a UUID with an empty list, not an error', async () => {
    expect(await users('id eq "not-a-uuid"')).toEqual([]);
    expect(await users(`id eq "${ids.grace}"`)).toEqual(['grace']);
    expect(await users(`id eq "${ids.grace}" or id eq "x"`)).toEqual(['grace']);
  });
});

describe('Groups', () => {
  async function groups(filter: string): Promise<string[]> {
    const res = await c.scim('GET', `/Groups?filter=${encodeURIComponent(filter)}`);
    expect(res.status, filter).toBe(200);
    return (res.body.Resources ?? []).map((g) => g.id as string).sort();
  }

  it('filters by members.value and members[value eq ...]', async () => {
    expect(await groups(`members.value eq "${ids.ada}"`)).toEqual([groupOfAda]);
    expect(await groups(`members[value eq "${ids.grace}"]`)).toEqual([groupOfGrace]);
    expect(await groups(`members.value eq "${ids.linus}"`)).toEqual([]);
    expect(await groups('members.value eq "not-a-uuid"')).toEqual([]);
    expect(await groups(`members.value eq "${ids.ada}" or displayName eq "admirals"`)).toEqual(
      [groupOfAda, groupOfGrace].sort(),
    );
  });
});

describe('invalid filters are 400 invalidFilter and name the problem', () => {
  it('rejects an unknown attribute or sub-attribute', async () => {
    expect(await rejected('nickNameX eq "ada"')).toContain('nickNameX');
    expect(await rejected('name.nickname eq "ada"')).toContain('nickname');
    expect(await rejected('emails[kind eq "work"]')).toContain('kind');
    expect(await rejected('urn:example:unknown:1.0:User:x eq "1"')).toContain('urn:example:unknown:1.0:User');
    expect(await rejected('title eq "x"', 'Groups')).toContain('title');
  });

  it('rejects an operator the attribute type does not define', async () => {
    const detail = await rejected('active gt true');
    expect(detail).toContain('gt');
    expect(detail).toContain('active');
  });

  it('rejects a value of the wrong type', async () => {
    expect(await rejected('meta.created gt "yesterday"')).toContain('meta.created');
    expect(await rejected('userName eq 5')).toContain('userName');
    expect(await rejected('active eq "true"')).toContain('active');
    expect(await rejected('meta.lastModified lt 20260101')).toContain('meta.lastModified');
    // Shaped like ISO 8601 but no such instant: not a dateTime either.
    for (const day of ['2026-02-30', '2026-02-29T00:00:00Z']) {
      expect(await rejected(`meta.created gt "${day}"`)).toContain('meta.created');
    }
  });

  it('rejects text that does not parse', async () => {
    expect(await rejected('userName eq')).toContain('eq');
    expect(await rejected('(userName pr')).toContain('parenthesis');
  });
});
