/** fast-check arbitraries of PATCH requests built against one user's current resource. */
import fc from 'fast-check';
import {
  COST_CENTERS,
  DEPARTMENTS,
  DIVISIONS,
  EMAIL_TYPES,
  FAMILY_NAMES,
  GIVEN_NAMES,
  LANGUAGES,
  ORGANIZATIONS,
  PHONE_TYPES,
  TIME_ZONES,
  TITLES,
  USER_TYPES,
} from './differential-data.ts';
import { ENT, MULTIS, type Multi, type PatchCase, type PatchOperation, str } from './differential-patch.ts';
import { CORE_URN, listOf, type Resource } from './differential-shared.ts';

export interface Subject {
  resource: Resource;
  /** Users this one may report to without a cycle (created before it; chains point backwards). */
  managers: readonly string[];
}

/** A path as a client may spell it: the attribute name in every casing, with or without the core URN. */
function spellPath(path: string): fc.Arbitrary<string> {
  const colon = path.lastIndexOf(':');
  const urn = path.slice(0, colon + 1);
  const name = path.slice(colon + 1);
  return fc.constantFrom(
    path,
    path,
    urn + name.toLowerCase(),
    urn + name.toUpperCase(),
    ...(urn === '' ? [`${CORE_URN}:${name}`] : []),
  );
}

const opName = (op: string) => fc.constantFrom(op, op, op[0]?.toUpperCase() + op.slice(1));
const setOp = fc.constantFrom('add', 'replace').chain(opName);

function simpleTargets(s: Subject, salt: number): Array<{ path: string; value: fc.Arbitrary<string> }> {
  const userName = str(s.resource.userName) ?? 'x';
  const swapped = [...userName]
    .map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()))
    .join('');
  return [
    { path: 'displayName', value: fc.constantFrom('New Display', 'ÉLODIE "E" Ø', 'back\\slash_%') },
    { path: 'title', value: fc.constantFrom(...TITLES) },
    { path: 'userType', value: fc.constantFrom(...USER_TYPES) },
    { path: 'preferredLanguage', value: fc.constantFrom(...LANGUAGES) },
    { path: 'timezone', value: fc.constantFrom(...TIME_ZONES) },
    { path: 'externalId', value: fc.nat().map((n) => `pext-${salt}-${n}`) },
    {
      path: 'userName',
      value: fc.oneof(
        fc.nat().map((n) => `patched.${salt}.${n}`),
        fc.constant(swapped),
      ),
    },
    { path: 'name.givenName', value: fc.constantFrom(...GIVEN_NAMES) },
    { path: 'name.familyName', value: fc.constantFrom(...FAMILY_NAMES) },
    { path: 'name.middleName', value: fc.constantFrom('Q.', 'Ö', 'x_y') },
    { path: 'name.honorificPrefix', value: fc.constantFrom('Dr.', 'Mx.') },
    { path: 'name.honorificSuffix', value: fc.constantFrom('IV', 'Sr.') },
    { path: `${ENT}:employeeNumber`, value: fc.nat().map((n) => `PE-${salt}-${n}`) },
    { path: `${ENT}:costCenter`, value: fc.constantFrom(...COST_CENTERS) },
    { path: `${ENT}:organization`, value: fc.constantFrom(...ORGANIZATIONS) },
    { path: `${ENT}:division`, value: fc.constantFrom(...DIVISIONS) },
    { path: `${ENT}:department`, value: fc.constantFrom(...DEPARTMENTS) },
  ];
}

/** A new element for emails/phoneNumbers; `tag` keeps values of one request distinct. */
function newElement(multi: Multi, tag: string): fc.Arbitrary<Record<string, unknown>> {
  const value =
    multi === 'emails'
      ? fc
          .constantFrom('new', 'New.Person', "o'new", 'x+y')
          .map((local) => `${local}.${tag}@Patched.Example.com`)
      : fc.nat({ max: 99 }).map((n) => `+1 555 ${tag.replace(/\D/g, '').slice(-4).padStart(4, '0')} ${n}`);
  return fc.record(
    {
      value,
      type: fc.constantFrom(...(multi === 'emails' ? EMAIL_TYPES : PHONE_TYPES)),
      primary: fc.boolean(),
      display: fc.constant('shown'),
    },
    { requiredKeys: ['value'] },
  );
}

function newElements(multi: Multi, tag: string): fc.Arbitrary<Record<string, unknown>[]> {
  return fc
    .integer({ min: 1, max: 3 })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => newElement(multi, `${tag}${i}`))));
}

interface ValueFilter {
  text: string;
  /** Whether it selects an element of the subject as it was before the request. */
  matches: boolean;
}

/**
 * Value filters over the subject's own elements. Inside a PATCH path SCIMMY matches case-sensitively
 * (`emails[value eq "A@X.COM"]` finds nothing), Joinery case-insensitively as value and type are
 * caseExact false. The peer cannot be handed folded data here (the folding would end up in the result),
 * so literals are the subject's exact values, and no user holds two values differing only in case.
 */
function valueFilters(s: Subject, multi: Multi): fc.Arbitrary<ValueFilter> {
  const elements = listOf(s.resource[multi]);
  const choices: ValueFilter[] = [
    { text: multi === 'emails' ? 'value eq "nobody@nowhere.example"' : 'value eq "+0 000"', matches: false },
    { text: 'type eq "fax"', matches: false },
    { text: 'primary eq true', matches: elements.some((e) => e.primary === true) },
  ];
  for (const e of elements) {
    const value = str(e.value);
    const type = str(e.type);
    if (value !== undefined) choices.push({ text: `value eq ${JSON.stringify(value)}`, matches: true });
    if (type !== undefined) choices.push({ text: `type eq ${JSON.stringify(type)}`, matches: true });
    if (value !== undefined && type !== undefined)
      choices.push({
        text: `type eq ${JSON.stringify(type)} and value eq ${JSON.stringify(value)}`,
        matches: true,
      });
  }
  return fc.constantFrom(...choices);
}
/**
 * `first`: whether this is the request's first operation. Only then is an add through a matching value
 * filter generated, since an earlier operation may have removed or rewritten the element it matched.
 */
function multiOperation(s: Subject, multi: Multi, tag: string, first: boolean): fc.Arbitrary<PatchOperation> {
  const elements = listOf(s.resource[multi]);
  const filtered = valueFilters(s, multi);
  const types = multi === 'emails' ? EMAIL_TYPES : PHONE_TYPES;
  return fc.oneof(
    {
      arbitrary: fc
        .tuple(opName('add'), newElements(multi, tag))
        .map(([op, value]) => ({ op, path: multi, value })),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(opName('add'), newElement(multi, tag))
        .map(([op, value]) => ({ op, path: multi, value })),
      weight: 1,
    },
    {
      arbitrary: fc
        .tuple(opName('replace'), fc.oneof(newElements(multi, tag), fc.constant([])))
        .map(([op, value]) => ({ op, path: multi, value })),
      weight: 2,
    },
    { arbitrary: opName('remove').map((op) => ({ op, path: multi })), weight: 1 },
    // Entra's `{"op":"remove","path":"members","value":[{"value":"<id>"}]}`: outside RFC 7644, but both
    // implement it as "remove these values".
    ...(elements.length > 0
      ? [
          {
            arbitrary: fc
              .tuple(opName('remove'), fc.constantFrom(...elements), fc.boolean())
              .map(([op, e, withType]) => ({
                op,
                path: multi,
                value: [
                  withType && e.type !== undefined ? { value: e.value, type: e.type } : { value: e.value },
                ],
              })),
            weight: 1,
          },
        ]
      : []),
    {
      arbitrary: fc.tuple(opName('remove'), filtered).map(([op, f]) => ({ op, path: `${multi}[${f.text}]` })),
      weight: 2,
    },
    {
      arbitrary: fc
        .tuple(opName('remove'), filtered, fc.constantFrom('type', 'primary'))
        .map(([op, f, sub]) => ({ op, path: `${multi}[${f.text}].${sub}` })),
      weight: 2,
    },
    {
      // Through a filter: replace whether or not it matches, add only when it does (see the header).
      arbitrary: fc
        .tuple(
          filtered,
          fc.constantFrom('type', 'primary', 'value'),
          setOp,
          newElement(multi, tag),
          fc.constantFrom(...types),
          fc.boolean(),
        )
        .filter(([f, , op]) => (f.matches && first) || op.toLowerCase() === 'replace')
        .map(([f, sub, op, fresh, type, primary]) => ({
          op,
          path: `${multi}[${f.text}].${sub}`,
          value: sub === 'type' ? type : sub === 'primary' ? primary : fresh.value,
        })),
      weight: 4,
    },
    {
      arbitrary: fc
        .tuple(
          filtered,
          setOp,
          fc.record({ type: fc.constantFrom(...types), primary: fc.boolean() }, { requiredKeys: [] }),
        )
        .filter(
          ([f, op, v]) =>
            ((f.matches && first) || op.toLowerCase() === 'replace') && Object.keys(v).length > 0,
        )
        .map(([f, op, value]) => ({ op, path: `${multi}[${f.text}]`, value })),
      weight: 2,
    },
  );
}

function nameValue(): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record(
      {
        givenName: fc.constantFrom<string | null>(...GIVEN_NAMES.slice(0, 5), null),
        familyName: fc.constantFrom<string | null>(...FAMILY_NAMES.slice(0, 5), null),
        middleName: fc.constantFrom<string | null>('M.', null),
        formatted: fc.constant('ignored formatted'),
      },
      { requiredKeys: [] },
    )
    .filter((v) => Object.keys(v).length > 0);
}

function enterpriseValue(s: Subject): fc.Arbitrary<Record<string, unknown>> {
  const manager =
    s.managers.length > 0 ? fc.constantFrom(...s.managers).map((value) => ({ value })) : fc.constant(null);
  return fc
    .record(
      {
        department: fc.constantFrom(...DEPARTMENTS),
        costCenter: fc.constantFrom<string | null>(...COST_CENTERS, null),
        division: fc.constantFrom(...DIVISIONS),
        manager,
      },
      { requiredKeys: [] },
    )
    .filter((v) => Object.keys(v).length > 0);
}

function operation(s: Subject, tag: string, salt: number, first: boolean): fc.Arbitrary<PatchOperation> {
  const simple = fc.constantFrom(...simpleTargets(s, salt));
  const managerOps: Array<fc.Arbitrary<PatchOperation>> =
    s.managers.length > 0
      ? [
          fc
            .tuple(setOp, fc.constantFrom(...s.managers))
            .map(([op, value]) => ({ op, path: `${ENT}:manager.value`, value })),
          fc
            .tuple(setOp, fc.constantFrom(...s.managers))
            .map(([op, value]) => ({ op, path: `${ENT}:manager`, value: { value } })),
        ]
      : [];
  const pathless = fc
    .tuple(
      setOp,
      fc.record(
        {
          title: fc.constantFrom<string | null>(...TITLES.slice(0, 6), null),
          'name.givenName': fc.constantFrom(...GIVEN_NAMES),
          name: nameValue(),
          active: fc.boolean(),
          nickName: fc.constant('Nick'),
          emails: newElements('emails', `${tag}p`),
          [ENT]: enterpriseValue(s),
          [`${ENT}:costCenter`]: fc.constantFrom(...COST_CENTERS),
        },
        { requiredKeys: [] },
      ),
    )
    .filter(([, value]) => Object.keys(value).length > 0 && !('name' in value && 'name.givenName' in value))
    .map(([op, value]): PatchOperation => ({ op, value }));
  return fc.oneof(
    {
      arbitrary: fc
        .tuple(setOp, simple)
        .chain(([op, t]) =>
          fc.tuple(spellPath(t.path), t.value).map(([path, value]) => ({ op, path, value })),
        ),
      weight: 6,
    },
    {
      arbitrary: fc
        .tuple(
          opName('replace'),
          simple.chain((t) => spellPath(t.path)),
        )
        .map(([op, path]) => ({ op, path, value: null })),
      weight: 1,
    },
    {
      arbitrary: fc
        .tuple(
          opName('remove'),
          simple.chain((t) => spellPath(t.path)),
        )
        .map(([op, path]) => ({ op, path })),
      weight: 2,
    },
    {
      arbitrary: fc.tuple(setOp, fc.boolean()).map(([op, value]) => ({ op, path: 'active', value })),
      weight: 1,
    },
    { arbitrary: opName('remove').map((op) => ({ op, path: 'active' })), weight: 1 },
    {
      arbitrary: fc.tuple(setOp, nameValue()).map(([op, value]) => ({ op, path: 'name', value })),
      weight: 2,
    },
    { arbitrary: opName('remove').map((op) => ({ op, path: 'name' })), weight: 1 },
    ...managerOps.map((arbitrary) => ({ arbitrary, weight: 1 })),
    { arbitrary: opName('remove').map((op) => ({ op, path: `${ENT}:manager` })), weight: 1 },
    {
      arbitrary: fc.tuple(setOp, enterpriseValue(s)).map(([op, value]) => ({ op, path: ENT, value })),
      weight: 2,
    },
    { arbitrary: opName('remove').map((op) => ({ op, path: ENT })), weight: 1 },
    {
      arbitrary: fc.constantFrom<Multi>(...MULTIS).chain((m) => multiOperation(s, m, tag, first)),
      weight: 10,
    },
    { arbitrary: pathless, weight: 4 },
    // `id` is readOnly: both must refuse to change it.
    {
      arbitrary: fc.constant({ op: 'replace', path: 'id', value: '00000000-0000-4000-8000-000000000000' }),
      weight: 1,
    },
  );
}

export function patchArbitrary(subjects: readonly Subject[]): fc.Arbitrary<PatchCase> {
  return fc
    .tuple(fc.nat({ max: subjects.length - 1 }), fc.integer({ min: 1, max: 3 }), fc.nat({ max: 9999 }))
    .chain(([subject, count, salt]) => {
      const s = subjects[subject];
      if (!s) throw new Error('no subject');
      const ops = Array.from({ length: count }, (_, i) => operation(s, `${salt}x${i}`, salt, i === 0));
      return fc.tuple(...ops).map((operations) => ({ subject, operations }));
    });
}
