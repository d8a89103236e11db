/**
 * fast-check arbitraries for patch.property.test.ts: PATCH bodies that reach every branch of the engine,
 * from garbage to well-typed Entra-like requests. Used only by tests.
 */
import fc from 'fast-check';
import { CORE_USER, ENTERPRISE_USER, JOINERY_USER } from '../schemas/index.ts';
import { PATCH_OP, patch } from './test-fixtures.ts';

const PATHS = [
  'displayName',
  'DISPLAYNAME',
  'title',
  'active',
  'userName',
  'externalId',
  'name',
  'name.givenName',
  'name.formatted',
  'emails',
  'emails.type',
  'emails[type eq "work"]',
  'emails[type eq "work"].value',
  'emails[type eq "other" and primary eq true].value',
  'emails[value co "@"].primary',
  'emails[not (type eq "home")]',
  'emails[primary gt true]',
  'emails[nope pr]',
  'phoneNumbers[type eq "mobile"].value',
  'groups',
  'id',
  'meta',
  'meta.version',
  'members',
  'members[value eq "u1"]',
  'members[value eq "u1"].value',
  'members[value eq "u1"].display',
  ENTERPRISE_USER,
  `${ENTERPRISE_USER}:manager`,
  `${ENTERPRISE_USER}:manager.value`,
  `${ENTERPRISE_USER}:manager.displayName`,
  `${ENTERPRISE_USER}:employeeNumber`,
  'employeeNumber',
  JOINERY_USER,
  `${JOINERY_USER}:employeeHireDate`,
  `${CORE_USER}:displayName`,
  'nickName',
  'emails[',
  'urn:x:y',
  '',
];

const SCALARS = ['True', 'False', 'true', '2026-01-01T00:00:00Z', '2026-13-01T00:00:00Z', 'm2', '', 'u1'];
const element = fc.record(
  {
    value: fc.oneof(fc.constantFrom('bjensen@example.com', 'BABS@jensen.org', 'u1', 'u2', ''), fc.string()),
    type: fc.constantFrom('work', 'home', 'other', 'User', 5),
    primary: fc.oneof(fc.boolean(), fc.constantFrom('True', 'nope')),
    display: fc.string(),
  },
  { requiredKeys: [] },
);
const value: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string(),
  fc.constantFrom(...SCALARS, true, false, null),
  element,
  fc.array(element, { maxLength: 4 }),
  fc.dictionary(fc.constantFrom(...PATHS, 'schemas', 'ID'), fc.oneof(fc.string(), fc.boolean(), element), {
    maxKeys: 4,
  }),
);
/** Any operation: mostly plausible paths and values, some garbage. */
export const operation = fc.record(
  {
    op: fc.oneof(
      { weight: 20, arbitrary: fc.constantFrom('add', 'replace', 'remove', 'Add', 'Replace', 'Remove') },
      { weight: 1, arbitrary: fc.constantFrom('copy', 7) },
    ),
    path: fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...PATHS) },
      { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
      { weight: 4, arbitrary: fc.constant(null) },
    ),
    value,
  },
  { requiredKeys: ['op'] },
);

/** Well-typed User operations, so that most requests succeed and the invariants see real results. */
const email = fc.record(
  {
    value: fc.oneof(
      fc.constantFrom('bjensen@example.com', 'BABS@jensen.org', 'new@example.com'),
      fc.string(),
    ),
    type: fc.constantFrom('work', 'home', 'other'),
    primary: fc.boolean(),
  },
  { requiredKeys: [] },
);
const text = fc.oneof(fc.string(), fc.constantFrom('Babs', 'EMEA'));
const simplePath = fc.constantFrom(
  'displayName',
  'Title',
  'name.givenName',
  'NAME.familyName',
  'employeeNumber',
  `${ENTERPRISE_USER}:department`,
  `${JOINERY_USER}:usageLocation`,
  `${ENTERPRISE_USER}:manager`,
  `${ENTERPRISE_USER}:manager.value`,
);
const upsert = fc.constantFrom('add', 'replace', 'Add', 'Replace');
const wellTyped: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ op: upsert, path: simplePath, value: text }),
  fc.record({
    op: upsert,
    path: fc.constant('active'),
    value: fc.constantFrom(true, false, 'True', 'False'),
  }),
  fc.record({
    op: upsert,
    path: fc.constant('emails'),
    value: fc.oneof(email, fc.array(email, { maxLength: 3 })),
  }),
  fc.record({
    op: upsert,
    path: fc.constantFrom(
      'emails[type eq "work"].value',
      'emails[type eq "other"].value',
      'phoneNumbers[type eq "fax"].value',
    ),
    value: text,
  }),
  fc.record({
    op: upsert,
    path: fc.constantFrom('emails[type eq "home"].primary', 'emails[value ew ".org"].primary'),
    value: fc.boolean(),
  }),
  fc.record({
    op: fc.constant('remove'),
    path: fc.constantFrom(
      'displayName',
      'emails',
      'emails[type eq "work"]',
      'emails[type eq "home"].type',
      'name.givenName',
      `${ENTERPRISE_USER}:manager`,
      'employeeNumber',
      ENTERPRISE_USER,
      JOINERY_USER,
    ),
  }),
  fc.record({
    op: upsert,
    value: fc.record(
      {
        displayName: text,
        emails: fc.array(email, { maxLength: 3 }),
        'name.givenName': text,
        [ENTERPRISE_USER]: fc.record({ department: text, manager: fc.string() }, { requiredKeys: [] }),
        [`${JOINERY_USER}:employeeHireDate`]: fc.constantFrom(
          '2026-01-01T00:00:00Z',
          '2026-06-30T12:00:00+02:00',
        ),
        nickName: text,
      },
      { requiredKeys: [] },
    ),
  }),
);

/** A PATCH body: random operations, well-typed User operations, or anything at all. */
export const body: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.array(operation, { minLength: 1, maxLength: 4 }).map((ops) => patch(...ops)) },
  { weight: 6, arbitrary: fc.array(wellTyped, { minLength: 1, maxLength: 5 }).map((ops) => patch(...ops)) },
  { weight: 1, arbitrary: fc.anything() },
  { weight: 1, arbitrary: fc.record({ schemas: fc.constant([PATCH_OP]), Operations: fc.anything() }) },
);
