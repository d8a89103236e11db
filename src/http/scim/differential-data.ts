/**
 * The seeded user population of the SCIMMY differential test (differential.scimmy.test.ts): mixed-case
 * userNames, attributes left out at random, several e-mails with types and primary flags, and values
 * holding `%`, `_`, quotes, backslashes, non-ASCII letters and an emoji, so that LIKE escaping, case
 * folding and string ordering are all exercised.
 *
 * Two limits keep the comparison meaningful rather than testing nothing:
 * - no value has leading or trailing white space or is empty: Joinery trims and treats "" as "clear"
 *   (an Entra convention), which is its business and not a filter or PATCH question;
 * - no character lies in U+E000..U+FFFF. PostgreSQL orders text by code point (collation "C") and
 *   JavaScript by UTF-16 code unit; the two orders differ only between those characters and astral ones
 *   such as the emoji used here, and RFC 7644 §3.4.2.2 asks only for "a lexicographical comparison".
 */

export const ENTERPRISE_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** mulberry32: small, fast and good enough to spread test data; the same seed gives the same users. */
export interface Rng {
  next(): number;
  int(n: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      const item = items[int(items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
  };
}

const USER_NAMES = [
  'alice',
  'Alice',
  'ALICE',
  'bob.smith',
  'Bob.Smith',
  'émile',
  'Émile',
  'zoë_z',
  "o'neil",
  'user%1',
  'under_score',
  'MiXeD.CaSe',
  'straße',
];
export const GIVEN_NAMES = [
  'Alice',
  'alice',
  'ALICE',
  'Bob',
  'Émile',
  'émile',
  'Zoë',
  'Jürgen',
  'Анна',
  '李',
  'Ólafur',
  'Chloé',
  'Noah',
  'noah',
  'Mary-Jane',
  "D'Arcy",
  'Ana_Maria',
  'Søren',
  'Łukasz',
];
export const FAMILY_NAMES = [
  "O'Brien",
  'Smith',
  'smith',
  'SMITH',
  'de la Cruz',
  'Müller',
  'MÜLLER',
  'Ng',
  'van_Dijk',
  'Żółć',
  'Garcia-Lopez',
  'Nguyễn',
  '100%Pure',
  'Back\\slash',
  'Quote"d',
  'Straße',
];
const MIDDLE_NAMES = ['J.', 'Anne', 'Ö', 'x_y', 'Lee'];
const PREFIXES = ['Dr.', 'Ms.', 'Mr.', 'Prof.', 'dr.'];
const SUFFIXES = ['III', 'Jr.', 'PhD', 'jr.'];
export const TITLES = [
  'Senior Engineer',
  'senior engineer',
  'SENIOR ENGINEER',
  'Engineer',
  'Staff Engineer II',
  '100% Remote Lead',
  'QA_Manager',
  'QA Manager',
  'VP, "Growth"',
  "It's complicated",
  'back\\slash admin',
  'Ingénieure',
  'INGÉNIEURE',
  'Head of R&D',
  'a%b_c',
  '%',
  '_',
  'Ops 😀 Lead',
  'Директор',
  'Chief [Data] Officer',
  '(Interim) CTO',
  'Manager*',
  'Team lead / Scrum master',
  'Sales — EMEA',
  'Straße planner',
];
const DISPLAY_EXTRAS = ['The Boss', 'the boss', 'Ops_Team', 'ÆØÅ desk', '"Quoted" Name'];
export const USER_TYPES = ['Employee', 'employee', 'Contractor', 'CONTRACTOR', 'Intern', 'Temp'];
export const LANGUAGES = ['en-US', 'en-us', 'fr', 'FR-ca', 'de-CH', 'pt-BR', 'zh-Hant-TW'];
export const TIME_ZONES = [
  'Europe/Paris',
  'America/New_York',
  'Asia/Tokyo',
  'UTC',
  'Australia/Lord_Howe',
  'America/Argentina/Buenos_Aires',
];
export const DEPARTMENTS = [
  'R&D',
  'r&d',
  'Sales',
  'Sales_EMEA',
  'Finance %',
  'Engineering',
  'engineering',
  'Ops/IT',
  'Légal',
];
export const ORGANIZATIONS = ['Acme Inc.', 'ACME inc.', 'Globex', 'Initech "Labs"', 'Umbrella_Corp'];
export const DIVISIONS = ['North', 'north', 'South-East', 'Δelta', 'δELTA'];
export const COST_CENTERS = ['CC-100', 'cc-100', 'CC_200', 'CC%300', '9000'];
const EMAIL_LOCALS = [
  'alice',
  'Alice.Smith',
  'bob_jones',
  "o'brien",
  'x+tag',
  'first.last',
  'ANNA',
  'a_b',
  'q-1',
  'percent',
];
export const EMAIL_DOMAINS = [
  'example.com',
  'Example.COM',
  'corp.example.net',
  'x.org',
  'mail.ACME.io',
  'EXAMPLE.org',
];
export const EMAIL_TYPES = ['work', 'home', 'other'];
export const PHONE_NUMBERS = [
  '+1 555 0100',
  '+1 (555) 0101',
  '020 7946 0000',
  '+33.1.23.45.67.89',
  '555-0199 x12',
  '+49 30 1234567',
];
export const PHONE_TYPES = ['work', 'home', 'mobile'];

export interface SeedUser {
  /** The SCIM body to POST, without the manager (filled in once the manager's id is known). */
  body: Record<string, unknown>;
  /** Index of an earlier user who manages this one: a manager chain only ever points backwards. */
  managerIndex: number | null;
  /** What the clock reads when this user is created, so meta.created spreads over years. */
  created: string;
}

type Element = { value: string; type?: string; primary?: boolean };

/** 0..max elements with distinct values (case-insensitively), at most one primary. */
function elements(r: Rng, max: number, value: () => string, types: readonly string[]): Element[] {
  const count = r.int(max + 1);
  const out: Element[] = [];
  const seen = new Set<string>();
  for (let attempt = 0; out.length < count && attempt < 20; attempt++) {
    const v = value();
    if (seen.has(v.toLowerCase())) continue;
    seen.add(v.toLowerCase());
    const e: Element = { value: v };
    if (r.chance(0.8)) e.type = r.pick(types);
    out.push(e);
  }
  if (out.length > 0 && r.chance(0.6)) {
    const primary = out[r.int(out.length)];
    if (primary) primary.primary = true;
  }
  for (const e of out) if (e.primary === undefined && r.chance(0.3)) e.primary = false;
  return out;
}

const MIN_CREATED = Date.parse('2019-01-01T00:00:00Z');
const MAX_CREATED = Date.parse('2025-12-31T23:59:59Z');

export function generateUsers(seed: number, count: number): SeedUser[] {
  const r = seededRng(seed);
  const users: SeedUser[] = [];
  let lastCreated = MIN_CREATED;
  for (let i = 0; i < count; i++) {
    const body: Record<string, unknown> = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `${r.pick(USER_NAMES)}.${i}${r.chance(0.4) ? '@Example.COM' : ''}`,
    };
    // Pairs of users whose externalId / employeeNumber differ only in case: both attributes are
    // caseExact, so a filter must tell them apart.
    if (r.chance(0.75)) body.externalId = `${i % 2 === 0 ? 'EXT' : 'ext'}-${Math.floor(i / 2)}-x`;
    if (r.chance(0.8)) {
      const name: Record<string, string> = {};
      if (r.chance(0.9)) name.givenName = r.pick(GIVEN_NAMES);
      if (r.chance(0.85)) name.familyName = r.pick(FAMILY_NAMES);
      if (r.chance(0.3)) name.middleName = r.pick(MIDDLE_NAMES);
      if (r.chance(0.25)) name.honorificPrefix = r.pick(PREFIXES);
      if (r.chance(0.15)) name.honorificSuffix = r.pick(SUFFIXES);
      if (Object.keys(name).length > 0) body.name = name;
    }
    if (r.chance(0.7)) {
      const name = body.name as Record<string, string> | undefined;
      body.displayName =
        name?.givenName && r.chance(0.7)
          ? `${name.givenName} ${name.familyName ?? 'X'}`
          : r.pick(DISPLAY_EXTRAS);
    }
    if (r.chance(0.75)) body.title = r.pick(TITLES);
    if (r.chance(0.6)) body.userType = r.pick(USER_TYPES);
    if (r.chance(0.5)) body.preferredLanguage = r.pick(LANGUAGES);
    if (r.chance(0.5)) body.timezone = r.pick(TIME_ZONES);
    body.active = r.chance(0.75);
    const emails = elements(
      r,
      3,
      () => `${r.pick(EMAIL_LOCALS)}${r.int(5)}@${r.pick(EMAIL_DOMAINS)}`,
      EMAIL_TYPES,
    );
    if (emails.length > 0) body.emails = emails;
    const phones = elements(r, 2, () => r.pick(PHONE_NUMBERS), PHONE_TYPES);
    if (phones.length > 0) body.phoneNumbers = phones;
    const enterprise: Record<string, string> = {};
    if (r.chance(0.6))
      enterprise.employeeNumber = `${i % 2 === 0 ? 'E' : 'e'}-${String(Math.floor(i / 2)).padStart(4, '0')}`;
    if (r.chance(0.5)) enterprise.costCenter = r.pick(COST_CENTERS);
    if (r.chance(0.5)) enterprise.organization = r.pick(ORGANIZATIONS);
    if (r.chance(0.4)) enterprise.division = r.pick(DIVISIONS);
    if (r.chance(0.6)) enterprise.department = r.pick(DEPARTMENTS);
    if (Object.keys(enterprise).length > 0) {
      body[ENTERPRISE_URN] = enterprise;
      (body.schemas as string[]).push(ENTERPRISE_URN);
    }
    // Some users share a creation instant to the millisecond, so eq/ge/le meet exact ties.
    const created =
      i > 0 && r.chance(0.15)
        ? lastCreated
        : MIN_CREATED + Math.floor(r.next() * (MAX_CREATED - MIN_CREATED));
    lastCreated = created;
    users.push({
      body,
      managerIndex: i > 0 && r.chance(0.4) ? r.int(i) : null,
      created: new Date(created).toISOString(),
    });
  }
  return users;
}
