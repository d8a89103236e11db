/**
 * PATCH requests for the SCIMMY differential test: a generator that builds them against one user's
 * current resource, SCIMMY's application of them (`SCIMMY.Messages.PatchOp#apply` on a
 * `SCIMMY.Schemas.User`), and the normal form both results are compared in.
 *
 * Not generated, because Joinery's answer is the defensible one and SCIMMY's is not comparable:
 * - attribute names in another case inside a value filter or a pathless value (`{"TITLE": ...}`). Paths
 *   do vary in case and may carry the core schema URN (RFC 7643 §2.1, RFC 7644 §3.10); SCIMMY, which
 *   answers invalidPath to both, is given the canonical spelling. Operation names vary in case too.
 * - `add` through a value filter that matches nothing (`emails[type eq "fax"].value`): SCIMMY answers
 *   noTarget, Joinery creates the element the filter describes, as Entra expects. RFC 7644 §3.5.2.1 does
 *   not say what an add through a filter without match does; replace through one is generated (both
 *   must answer noTarget, §3.5.2.3).
 * - re-adding a value already present: SCIMMY appends a duplicate; §3.5.2.1 says "no changes SHOULD be
 *   made" and Joinery keeps one. Added values are always new.
 * - sub-attributes of every element at once (`emails.type` without a filter): SCIMMY throws a TypeError
 *   ("trap returned falsish"); RFC 7644 is silent on the case.
 * - removing `emails[...].value` (or a phone number's): Joinery keeps e-mails and phone numbers only with
 *   a value and refuses the result (400); an element without a value is meaningless, and SCIMMY keeps
 *   `{type, primary}`.
 * - values Joinery validates (e-mail addresses, phone numbers, language tags, IANA zones, uuids of
 *   existing users as manager, unique userName/externalId/employeeNumber, no manager cycles) are always
 *   valid: SCIMMY validates none of them, and RFC 7644 §3.12 lets a server refuse them (invalidValue,
 *   uniqueness).
 * - booleans spelt as strings (`"True"`, Entra's habit): Joinery accepts them, SCIMMY refuses;
 *   RFC 7643 §2.3.2 booleans are JSON true/false.
 * - unknown attributes: SCIMMY refuses `{"fooBar": 1}` (invalidPath), Joinery ignores what it does not
 *   store, as RFC 7644 §3.3 allows. Attributes SCIMMY knows and Joinery does not store (nickName, an
 *   e-mail's display) are generated and normalised away.
 */
import fc from 'fast-check';
import SCIMMY from 'scimmy';
import {
  COST_CENTERS,
  DEPARTMENTS,
  DIVISIONS,
  EMAIL_TYPES,
  ENTERPRISE_URN,
  FAMILY_NAMES,
  GIVEN_NAMES,
  LANGUAGES,
  ORGANIZATIONS,
  PHONE_TYPES,
  TIME_ZONES,
  TITLES,
  USER_TYPES,
} from './differential-data.ts';
import './differential-peer.ts';

type Resource = Record<string, unknown>;
/** A type, not an interface, so that it passes as the Record test/scim.ts `patch()` takes. */
export type PatchOperation = {
  op: string;
  path?: string;
  value?: unknown;
};
export interface PatchCase {
  /** Index into the subjects the arbitrary was built for. */
  subject: number;
  operations: PatchOperation[];
}

const ENT = ENTERPRISE_URN;
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const listOf = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isRecord) : []);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
type Multi = 'emails' | 'phoneNumbers';
const MULTIS: Multi[] = ['emails', 'phoneNumbers'];

// ---------------------------------------------------------------------------------------------------
// Generation.

export interface Subject {
  resource: Resource;
  /** Users this one may report to without a cycle (created before it; chains point backwards). */
  managers: readonly string[];
}

const CORE_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** A path as a client may spell it: any case for the attribute name, the core URN or not. */
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

// ---------------------------------------------------------------------------------------------------
// SCIMMY's side.

export type PeerOutcome = { ok: true; resource: Resource } | { ok: false; error: string };

interface Step {
  operation: PatchOperation;
  /** The list operand replaces a whole multi-valued attribute: every value in it is new. */
  wholeReplace: boolean;
}

const lower = (op: string) => op.toLowerCase();
const isMulti = (path: string | undefined): path is Multi => path === 'emails' || path === 'phoneNumbers';
const ENTERPRISE_ATTRIBUTES = [
  'employeeNumber',
  'costCenter',
  'organization',
  'division',
  'department',
  'manager',
];
const CANONICAL = new Map(
  [
    ...['userName', 'externalId', 'displayName', 'title', 'userType', 'preferredLanguage', 'timezone'],
    ...['active', 'id', 'emails', 'phoneNumbers', 'name'],
    ...['givenName', 'familyName', 'middleName', 'honorificPrefix', 'honorificSuffix'].map(
      (n) => `name.${n}`,
    ),
    ENT,
    ...[...ENTERPRISE_ATTRIBUTES, 'manager.value'].map((a) => `${ENT}:${a}`),
  ].map((p) => [p.toLowerCase(), p]),
);

/** The canonical spelling of a path without a value filter; SCIMMY matches names case-sensitively. */
function canonical(path: string | undefined): string | undefined {
  if (path === undefined || path.includes('[')) return path;
  const core = `${CORE_URN.toLowerCase()}:`;
  const bare = path.toLowerCase().startsWith(core) ? path.slice(core.length) : path;
  return CANONICAL.get(bare.toLowerCase()) ?? bare;
}

/**
 * The request as SCIMMY must be asked for RFC 7644 semantics:
 * - paths are spelt canonically (see spellPath);
 * - a pathless replace becomes one replace per member: SCIMMY appends a pathless replace's list to the
 *   existing values instead of replacing them (§3.5.2.3);
 * - add/replace of null becomes remove: null is "unassigned" (RFC 7643 §2.5) and SCIMMY would otherwise
 *   store null, or merge nothing into a complex value;
 * - replace with a path becomes add, except on a whole multi-valued attribute. SCIMMY's replace is
 *   remove-then-add: replacing `emails[primary eq true].primary` removes the very value the filter needs
 *   (noTarget), and replacing `name` or `emails[...]` drops the sub-attributes not sent. §3.5.2.3 keeps
 *   those ("Sub-attributes that are not specified in the value parameter are left unchanged"), and on a
 *   single-valued or filtered target add has exactly those semantics (§3.5.2.1);
 * - removing the whole enterprise extension becomes removing each of its attributes: SCIMMY throws a
 *   TypeError on that path;
 * - setting `urn:...:User:manager.value` becomes setting `urn:...:User:manager` to `{value}`: SCIMMY
 *   answers noTarget when the user has no manager yet, where §3.5.2.1 creates the attribute.
 */
function steps(operations: readonly PatchOperation[]): Step[] {
  const out: Step[] = [];
  const push = (operation: PatchOperation) => {
    const op = lower(operation.op);
    const { value } = operation;
    const path = canonical(operation.path);
    if (path !== operation.path) return push({ ...operation, path });
    if (op !== 'remove' && path !== undefined && value === null) return push({ op: 'remove', path });
    if (op === 'remove' && path === ENT) {
      for (const a of ENTERPRISE_ATTRIBUTES)
        out.push({ operation: { op: 'remove', path: `${ENT}:${a}` }, wholeReplace: false });
      return;
    }
    if (op === 'replace' && path === undefined && isRecord(value)) {
      for (const [key, member] of Object.entries(value)) push({ op: 'replace', path: key, value: member });
      return;
    }
    if (op === 'replace' && path !== undefined && !isMulti(path)) return push({ op: 'add', path, value });
    if (op === 'add' && path === `${ENT}:manager.value`)
      return push({ op: 'add', path: `${ENT}:manager`, value: { value } });
    out.push({ operation, wholeReplace: op === 'replace' && isMulti(path) });
  };
  for (const operation of operations) push(operation);
  return out;
}

/** How many values of `multi` the step makes primary (RFC 7643 §2.4 allows one). */
function promoted(step: Step, multi: Multi, before: Record<string, unknown>[]): number {
  const { op, path, value } = step.operation;
  const primaries = (v: unknown) =>
    (Array.isArray(v) ? v : [v]).filter((e) => isRecord(e) && e.primary === true).length;
  if (lower(op) === 'remove') return 0;
  if (path === undefined) return isRecord(value) ? primaries(value[multi]) : 0;
  if (path === multi) return primaries(value);
  const m = new RegExp(`^${multi}\\[(.*)\\](?:\\.(\\w+))?$`).exec(path);
  if (!m || m[1] === undefined) return 0;
  const setsPrimary =
    m[2] === undefined ? isRecord(value) && value.primary === true : m[2] === 'primary' && value === true;
  if (!setsPrimary) return 0;
  const matched: unknown[] = new SCIMMY.Types.Filter(m[1]).match(before);
  return matched.length;
}

const sameElement = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  String(a.value).toLowerCase() === String(b.value).toLowerCase() && a.type === b.type;

/**
 * RFC 7644 §3.5.2: "a PATCH operation that sets a value's "primary" sub-attribute to "true" SHALL cause
 * the server to automatically set "primary" to "false" for any other values in the array". SCIMMY keeps
 * both primary; this applies the rule to its result, and refuses a step that makes two values primary
 * at once (RFC 7643 §2.4: "The primary attribute value "true" MUST appear no more than once").
 */
function settlePrimary(step: Step, before: Resource, after: Resource): string | null {
  for (const multi of MULTIS) {
    const previous = listOf(before[multi]);
    const count =
      step.wholeReplace && step.operation.path === multi
        ? primaries(after[multi])
        : promoted(step, multi, previous);
    if (count > 1) return `${count} values of ${multi} made primary by one operation`;
    const current = listOf(after[multi]);
    if (count === 1 && current.filter((e) => e.primary === true).length > 1) {
      for (const e of current)
        if (e.primary === true && previous.some((p) => p.primary === true && sameElement(p, e)))
          e.primary = false;
    }
  }
  return null;
}
const primaries = (v: unknown) => listOf(v).filter((e) => e.primary === true).length;

export async function peerPatch(base: Resource, operations: readonly PatchOperation[]): Promise<PeerOutcome> {
  let current: Resource = structuredClone(base);
  for (const step of steps(operations)) {
    let next: Resource;
    try {
      const message = new SCIMMY.Messages.PatchOp({
        schemas: [SCIMMY.Messages.PatchOp.id],
        Operations: [step.operation as SCIMMY.Messages.PatchOp.PatchOpOperation],
      });
      const patched: unknown = await message.apply(new SCIMMY.Schemas.User(current, 'out'));
      // apply() answers undefined when nothing changed.
      next = patched === undefined ? current : (JSON.parse(JSON.stringify(patched)) as Resource);
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    const refused = settlePrimary(step, current, next);
    if (refused) return { ok: false, error: refused };
    current = next;
  }
  return { ok: true, resource: current };
}

// ---------------------------------------------------------------------------------------------------
// Comparison.

/**
 * The attributes Joinery stores, in a fixed shape, so that two results compare as JSON text:
 * - meta, id and schemas are left out: meta is the server's (timestamps, version), id cannot change, and
 *   `schemas` follows from the extension object being present or not;
 * - name.formatted is left out: Joinery computes it from the other parts (it is readOnly there), SCIMMY
 *   keeps whatever it was given;
 * - manager is reduced to its value: $ref and displayName are readOnly and the server's;
 * - attributes Joinery does not store (nickName, an e-mail's display...) are left out;
 * - null, absent, an empty object and an empty array are one state (RFC 7643 §2.5), and so are an absent
 *   `primary` and `primary: false` (only `true` marks a primary value, RFC 7643 §2.4);
 * - the values of emails and phoneNumbers are compared as a set (sorted): RFC 7643 §2.4 gives
 *   multi-valued attributes no order;
 * - an absent `active` is true: Joinery always holds one, true by default, and RFC 7643 §4.1.1 leaves its
 *   meaning to the service provider.
 */
export function normalise(r: Resource): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (target: Record<string, unknown>, key: string, v: unknown) => {
    if (typeof v === 'string' || typeof v === 'boolean') target[key] = v;
  };
  for (const key of [
    'userName',
    'externalId',
    'displayName',
    'title',
    'userType',
    'preferredLanguage',
    'timezone',
  ])
    put(out, key, r[key]);
  out.active = typeof r.active === 'boolean' ? r.active : true;
  const name: Record<string, unknown> = {};
  const n = isRecord(r.name) ? r.name : {};
  for (const key of ['givenName', 'familyName', 'middleName', 'honorificPrefix', 'honorificSuffix'])
    put(name, key, n[key]);
  if (Object.keys(name).length > 0) out.name = name;
  for (const multi of MULTIS) {
    const values = listOf(r[multi])
      .map((e) => {
        const v: Record<string, unknown> = {};
        put(v, 'value', e.value);
        put(v, 'type', e.type);
        if (e.primary === true) v.primary = true;
        return JSON.stringify(v);
      })
      .sort();
    if (values.length > 0) out[multi] = values.map((v) => JSON.parse(v) as unknown);
  }
  const e = isRecord(r[ENT]) ? r[ENT] : {};
  const enterprise: Record<string, unknown> = {};
  for (const key of ['employeeNumber', 'costCenter', 'organization', 'division', 'department'])
    put(enterprise, key, e[key]);
  if (isRecord(e.manager)) put(enterprise, 'manager', e.manager.value);
  if (Object.keys(enterprise).length > 0) out.enterprise = enterprise;
  return out;
}
