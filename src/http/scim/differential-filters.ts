/**
 * Filters for the SCIMMY differential test: a small filter tree of our own (independent of Joinery's
 * parser), fast-check arbitraries that draw literals from the data set, the text Joinery is sent, and the
 * question each leaf is put to SCIMMY.
 *
 * SCIMMY evaluates every leaf (a comparison, a presence test or a whole value path `emails[...]`) with
 * `new SCIMMY.Types.Filter(expression).match(resources)`; and/or/not between leaves are set operations
 * here. SCIMMY 1.3.5 cannot be handed the whole expression because its own logic is wrong in ways
 * RFC 7644 leaves no room for: `not (a or b)` is evaluated as `not a or not b`, and two sub-attribute
 * comparisons on the same multi-valued attribute joined by `and` must hold for one and the same element
 * (`emails.value co "a@" and emails.type eq "work"` misses a user whose "a@..." address is a home one
 * and whose work address is another). Leaves are given to SCIMMY as expression objects rather than
 * filter text because its lexer decodes no escape: `\"` ends the string and `\\` stays two characters.
 */
import fc from 'fast-check';
import { ENTERPRISE_URN } from './differential-data.ts';

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type Literal = string | boolean | null;
type Kind = 'string' | 'boolean' | 'dateTime' | 'uuid' | 'constant';

/** A filterable attribute as the differential sees it. */
export interface AttrSpec {
  /** As a filter spells it canonically, e.g. `name.givenName` or `urn:...:User:department`. */
  path: string;
  /** Where the attribute sits in the peer view (see peerView in differential-peer.ts). */
  peer: readonly string[];
  kind: Kind;
  /** From Joinery's /Schemas (src/scim/schemas): decides whether the peer compares case-folded values. */
  caseExact: boolean;
  /** Values present in the data set, from which literals are drawn. */
  pool: readonly string[];
}

export type MultiName = 'emails' | 'phoneNumbers';
export interface SubSpec {
  name: 'value' | 'type' | 'primary';
  kind: 'string' | 'boolean';
  pool: readonly string[];
}

/** `spelling` is the attribute path exactly as sent (case varies: RFC 7643 §2.1). */
export type Leaf =
  | {
      kind: 'compare';
      attr: AttrSpec;
      spelling: string;
      op: CompareOp;
      opText: string;
      value: Literal;
      escaped: boolean;
    }
  | { kind: 'present'; attr: AttrSpec; spelling: string; opText: string }
  | { kind: 'valuePath'; multi: MultiName; spelling: string; filter: Inner };

export type InnerLeaf =
  | {
      kind: 'compare';
      sub: SubSpec;
      spelling: string;
      op: CompareOp;
      opText: string;
      value: Literal;
      escaped: boolean;
    }
  | { kind: 'present'; sub: SubSpec; spelling: string; opText: string };
type Tree<L> =
  | L
  | { kind: 'and' | 'or'; left: Tree<L>; right: Tree<L>; word: string; parens: boolean }
  | { kind: 'not'; filter: Tree<L>; word: string };
export type Inner = Tree<InnerLeaf>;
export type Filter = Tree<Leaf>;

// ---------------------------------------------------------------------------------------------------
// The attributes, with literal pools taken from the data set.

type Resource = Record<string, unknown>;
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (values: unknown[]): string[] =>
  [...new Set(values.filter((v): v is string => typeof v === 'string' && v !== ''))].sort();
const listOf = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isRecord) : []);

export interface Catalogue {
  attrs: AttrSpec[];
  subs: Record<MultiName, SubSpec[]>;
}

export function catalogue(users: readonly Resource[]): Catalogue {
  const core = (name: string, caseExact = false): AttrSpec => ({
    path: name,
    peer: name.split('.'),
    kind: 'string',
    caseExact,
    pool: strings(
      users.map((u) => {
        const [a, b] = name.split('.') as [string, string | undefined];
        const v = u[a];
        return b === undefined ? v : isRecord(v) ? v[b] : undefined;
      }),
    ),
  });
  const enterprise = (name: string, caseExact = false): AttrSpec => ({
    path: `${ENTERPRISE_URN}:${name}`,
    peer: [`${ENTERPRISE_URN}:${name}`],
    kind: 'string',
    caseExact,
    pool: strings(users.map((u) => (isRecord(u[ENTERPRISE_URN]) ? u[ENTERPRISE_URN][name] : undefined))),
  });
  const elementPool = (multi: MultiName, sub: string) =>
    strings(users.flatMap((u) => listOf(u[multi]).map((e) => e[sub])));
  const ids = strings(users.map((u) => u.id));
  const instants = strings(
    users.flatMap((u) => (isRecord(u.meta) ? [u.meta.created, u.meta.lastModified] : [])),
  );
  const multiAttrs = (multi: MultiName): AttrSpec[] => [
    {
      path: `${multi}.value`,
      peer: [multi, 'value'],
      kind: 'string',
      caseExact: false,
      pool: elementPool(multi, 'value'),
    },
    {
      path: `${multi}.type`,
      peer: [multi, 'type'],
      kind: 'string',
      caseExact: false,
      pool: elementPool(multi, 'type'),
    },
    { path: `${multi}.primary`, peer: [multi, 'primary'], kind: 'boolean', caseExact: false, pool: [] },
  ];
  const attrs: AttrSpec[] = [
    core('userName'),
    core('externalId', true),
    core('name.givenName'),
    core('name.familyName'),
    core('name.middleName'),
    core('name.honorificPrefix'),
    core('name.honorificSuffix'),
    core('name.formatted'),
    core('displayName'),
    core('title'),
    core('userType'),
    core('preferredLanguage'),
    core('timezone'),
    { path: 'active', peer: ['active'], kind: 'boolean', caseExact: false, pool: [] },
    // `emails co "x"` names a complex attribute without a sub-attribute: RFC 7644 §3.4.2.2 reads it as
    // its `value`, and so does Joinery; SCIMMY is asked about emails.value.
    {
      path: 'emails',
      peer: ['emails', 'value'],
      kind: 'string',
      caseExact: false,
      pool: elementPool('emails', 'value'),
    },
    ...multiAttrs('emails'),
    ...multiAttrs('phoneNumbers'),
    enterprise('employeeNumber', true),
    enterprise('costCenter'),
    enterprise('organization'),
    enterprise('division'),
    enterprise('department'),
    {
      path: `${ENTERPRISE_URN}:manager.value`,
      peer: [`${ENTERPRISE_URN}:manager`, 'value'],
      kind: 'uuid',
      caseExact: true,
      pool: ids,
    },
    { path: 'id', peer: ['id'], kind: 'uuid', caseExact: true, pool: ids },
    { path: 'meta.created', peer: ['meta', 'created'], kind: 'dateTime', caseExact: false, pool: instants },
    {
      path: 'meta.lastModified',
      peer: ['meta', 'lastModified'],
      kind: 'dateTime',
      caseExact: false,
      pool: instants,
    },
    {
      path: 'meta.resourceType',
      peer: ['meta', 'resourceType'],
      kind: 'constant',
      caseExact: true,
      pool: ['User'],
    },
  ];
  const subs = (multi: MultiName): SubSpec[] => [
    { name: 'value', kind: 'string', pool: elementPool(multi, 'value') },
    { name: 'type', kind: 'string', pool: [...elementPool(multi, 'type'), 'WORK', 'Home', 'fax'] },
    { name: 'primary', kind: 'boolean', pool: [] },
  ];
  return {
    attrs: attrs.filter((a) => a.kind !== 'string' || a.pool.length > 0),
    subs: { emails: subs('emails'), phoneNumbers: subs('phoneNumbers') },
  };
}

// ---------------------------------------------------------------------------------------------------
// Literals.

const codePoints = (s: string) => Array.from(s);
const swapCase = (s: string) =>
  codePoints(s)
    .map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()))
    .join('');

/** Characters that mean something to LIKE, JSON or a naive lexer, plus case-folding traps. */
const SPECIALS = [
  '%',
  '_',
  '\\',
  '"',
  "'",
  '😀',
  'é',
  'É',
  'ß',
  'SS',
  'nomatch',
  'a%',
  '%b',
  '_%',
  'R&D',
  '[',
  ']',
  '(',
  ')',
  '*',
  '.',
  '@',
  '-',
  ' ',
];

/** A literal for a string attribute: exact, re-cased, prefix, suffix, infix, special, or empty. */
function stringLiteral(pool: readonly string[]): fc.Arbitrary<string> {
  const from = fc.constantFrom(...(pool.length > 0 ? pool : ['x']));
  const slice = (pick: (cps: string[], a: number, b: number) => string[]) =>
    fc
      .tuple(from, fc.nat(), fc.nat())
      .map(([s, x, y]) => {
        const cps = codePoints(s);
        const a = x % Math.max(1, cps.length);
        const b = a + 1 + (y % Math.max(1, cps.length - a));
        return pick(cps, a, b).join('');
      })
      .filter((s) => s !== '' && s.trim() === s);
  return fc.oneof(
    { arbitrary: from, weight: 4 },
    { arbitrary: from.map((s) => s.toUpperCase()), weight: 1 },
    { arbitrary: from.map((s) => s.toLowerCase()), weight: 1 },
    { arbitrary: from.map(swapCase), weight: 1 },
    { arbitrary: slice((cps, a) => cps.slice(0, a + 1)), weight: 2 },
    { arbitrary: slice((cps, a) => cps.slice(a)), weight: 2 },
    { arbitrary: slice((cps, a, b) => cps.slice(a, b)), weight: 2 },
    { arbitrary: slice((cps, a, b) => cps.slice(a, b)).map(swapCase), weight: 1 },
    { arbitrary: fc.constantFrom(...SPECIALS), weight: 2 },
    { arbitrary: fc.constant(''), weight: 1 },
  );
}

/**
 * A uuid literal: exact, a piece of one, or not a uuid at all (matches nothing, never an error).
 *
 * Not generated: a re-cased uuid (`id eq "01A2..."`). Joinery reads a uuid literal case-insensitively
 * (it lower-cases it, also for co/sw/ew/gt... on `id::text`) although RFC 7643 §3.1 gives `id`
 * caseExact true, so SCIMMY, comparing exactly, disagrees. RFC 4122 §3 makes the hex digits of a uuid
 * "case insensitive on input", every id and manager.value Joinery holds is a lower-case uuid, and the
 * answer cannot confuse two resources, so Joinery's reading is defensible.
 */
function uuidLiteral(pool: readonly string[]): fc.Arbitrary<string> {
  const from = fc.constantFrom(...pool);
  return fc.oneof(
    { arbitrary: from, weight: 5 },
    { arbitrary: fc.tuple(from, fc.integer({ min: 1, max: 35 })).map(([s, n]) => s.slice(0, n)), weight: 2 },
    { arbitrary: fc.tuple(from, fc.integer({ min: 1, max: 35 })).map(([s, n]) => s.slice(n)), weight: 2 },
    {
      arbitrary: fc.constantFrom('not-a-uuid', '00000000-0000-0000-0000-000000000000', '-4', 'ffff'),
      weight: 1,
    },
  );
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The same instant written with a +05:30 offset. */
function withOffset(iso: string): string {
  const d = new Date(Date.parse(iso) + (5 * 60 + 30) * 60_000);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
  return `${date}T${time}+05:30`;
}

/** A dateTime literal: an instant of the data set, the same instant spelt differently, or a neighbour. */
function dateLiteral(pool: readonly string[]): fc.Arbitrary<string> {
  const from = fc.constantFrom(...pool);
  const shift = (ms: number) => (s: string) => new Date(Date.parse(s) + ms).toISOString();
  return fc.oneof(
    { arbitrary: from, weight: 4 },
    { arbitrary: from.map(withOffset), weight: 2 },
    { arbitrary: from.map((s) => s.replace(/Z$/, '000Z')), weight: 1 },
    { arbitrary: from.map(shift(1)), weight: 1 },
    { arbitrary: from.map(shift(-1)), weight: 1 },
    { arbitrary: from.map((s) => s.slice(0, 10)), weight: 2 },
    { arbitrary: from.map((s) => `${s.slice(0, 19)}Z`), weight: 1 },
    {
      arbitrary: fc.constantFrom('2000-01-01T00:00:00Z', '2022-06-15T12:00:00+02:00', '2030-01-01'),
      weight: 1,
    },
  );
}

// ---------------------------------------------------------------------------------------------------
// Spelling: attribute names and operators are case-insensitive (RFC 7643 §2.1, RFC 7644 §3.4.2.2).

const CORE_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
const spellWord = (word: string) =>
  fc.constantFrom(word, word.toUpperCase(), word[0]?.toUpperCase() + word.slice(1));

function spellPath(attr: AttrSpec): fc.Arbitrary<string> {
  const colon = attr.path.lastIndexOf(':');
  const urn = colon < 0 ? '' : attr.path.slice(0, colon + 1);
  const name = attr.path.slice(colon + 1);
  const casing = fc.constantFrom(
    (s: string) => s,
    (s: string) => s.toLowerCase(),
    (s: string) => s.toUpperCase(),
  );
  // Core attributes may also be written fully qualified (RFC 7644 §3.10).
  const prefix =
    urn !== ''
      ? fc.constant(urn)
      : attr.path.startsWith('meta.')
        ? fc.constant('')
        : fc.constantFrom('', '', '', `${CORE_URN}:`);
  return fc.tuple(prefix, casing).map(([p, c]) => p + c(name));
}

// ---------------------------------------------------------------------------------------------------
// Arbitraries.

function opsFor(kind: Kind): fc.Arbitrary<CompareOp | 'pr'> {
  switch (kind) {
    case 'boolean':
      return fc.constantFrom<CompareOp | 'pr'>('eq', 'ne', 'pr');
    case 'constant':
      // Joinery accepts only eq/ne/pr on meta.resourceType; RFC 7644 §3.4.2.2 lets a server refuse a
      // comparison it does not support (invalidFilter), so co/sw/... are not asked.
      return fc.constantFrom<CompareOp | 'pr'>('eq', 'ne', 'pr');
    case 'dateTime':
      // co/sw/ew are string operators; on a dateTime Joinery answers 400 invalidFilter.
      return fc.oneof(
        { arbitrary: fc.constantFrom<CompareOp | 'pr'>('gt', 'ge', 'lt', 'le'), weight: 4 },
        { arbitrary: fc.constantFrom<CompareOp | 'pr'>('eq', 'ne'), weight: 2 },
        { arbitrary: fc.constant<CompareOp | 'pr'>('pr'), weight: 1 },
      );
    default:
      return fc.oneof(
        { arbitrary: fc.constantFrom<CompareOp | 'pr'>('eq', 'co'), weight: 3 },
        { arbitrary: fc.constantFrom<CompareOp | 'pr'>('ne', 'sw', 'ew'), weight: 2 },
        { arbitrary: fc.constantFrom<CompareOp | 'pr'>('gt', 'ge', 'lt', 'le', 'pr'), weight: 1 },
      );
  }
}

function literalFor(kind: Kind, pool: readonly string[]): fc.Arbitrary<Literal> {
  switch (kind) {
    case 'boolean':
      return fc.boolean();
    case 'dateTime':
      return dateLiteral(pool);
    case 'uuid':
      return uuidLiteral(pool);
    case 'constant':
      return fc.constantFrom('User', 'user', 'USER', 'Group');
    default:
      return stringLiteral(pool);
  }
}

function leafOn<S extends { kind: Kind }, L>(
  spec: S,
  pool: readonly string[],
  spelling: fc.Arbitrary<string>,
  make: (parts: {
    spelling: string;
    op: CompareOp | 'pr';
    opText: string;
    value: Literal;
    escaped: boolean;
  }) => L,
): fc.Arbitrary<L> {
  return fc
    .tuple(spelling, opsFor(spec.kind))
    .chain(([s, op]) => {
      // `eq null` / `ne null` ask for absence / presence; only string attributes get them, rarely.
      const value: fc.Arbitrary<Literal> =
        op === 'pr'
          ? fc.constant(null)
          : spec.kind === 'string' && (op === 'eq' || op === 'ne')
            ? fc.oneof(
                { arbitrary: literalFor(spec.kind, pool), weight: 12 },
                { arbitrary: fc.constant(null), weight: 1 },
              )
            : literalFor(spec.kind, pool);
      const escaped = fc.oneof(
        { arbitrary: fc.constant(false), weight: 4 },
        { arbitrary: fc.constant(true), weight: 1 },
      );
      return fc.tuple(fc.constant(s), fc.constant(op), spellWord(op), value, escaped);
    })
    .map(([spelling, op, opText, value, escaped]) => make({ spelling, op, opText, value, escaped }));
}

function attributeLeaf(attr: AttrSpec): fc.Arbitrary<Leaf> {
  return leafOn(attr, attr.pool, spellPath(attr), ({ spelling, op, opText, value, escaped }) =>
    op === 'pr'
      ? { kind: 'present', attr, spelling, opText }
      : { kind: 'compare', attr, spelling, op, opText, value, escaped },
  );
}

function innerLeaf(sub: SubSpec): fc.Arbitrary<InnerLeaf> {
  return leafOn(sub, sub.pool, spellWord(sub.name), ({ spelling, op, opText, value, escaped }) =>
    op === 'pr'
      ? { kind: 'present', sub, spelling, opText }
      : { kind: 'compare', sub, spelling, op, opText, value, escaped },
  );
}

/** and/or/not over `leaf`, at most `depth` levels deep; `parens` adds redundant parentheses. */
function tree<L>(leaf: fc.Arbitrary<L>, depth: number): fc.Arbitrary<Tree<L>> {
  if (depth === 0) return leaf;
  const sub = tree(leaf, depth - 1);
  return fc.oneof(
    { arbitrary: leaf, weight: 3 },
    {
      arbitrary: fc
        .tuple(fc.constantFrom<'and' | 'or'>('and', 'or'), sub, sub, fc.boolean())
        .chain(([kind, left, right, parens]) =>
          spellWord(kind).map((word): Tree<L> => ({ kind, left, right, word, parens })),
        ),
      weight: 3,
    },
    {
      arbitrary: fc
        .tuple(sub, spellWord('not'))
        .map(([filter, word]): Tree<L> => ({ kind: 'not', filter, word })),
      weight: 1,
    },
  );
}

export function filterArbitrary(cat: Catalogue): fc.Arbitrary<Filter> {
  const attrLeaf = fc.constantFrom(...cat.attrs).chain(attributeLeaf);
  const valuePath = fc
    .constantFrom<MultiName>('emails', 'emails', 'phoneNumbers')
    .chain((multi) =>
      fc.tuple(
        fc.constant(multi),
        fc.constantFrom(multi, multi.toLowerCase(), multi.toUpperCase()),
        tree(fc.constantFrom(...cat.subs[multi]).chain(innerLeaf), 2),
      ),
    )
    .map(([multi, spelling, filter]): Leaf => ({ kind: 'valuePath', multi, spelling, filter }));
  const leaf = fc.oneof({ arbitrary: attrLeaf, weight: 5 }, { arbitrary: valuePath, weight: 1 });
  return tree(leaf, 3);
}

// ---------------------------------------------------------------------------------------------------
// The text Joinery is sent.

/**
 * JSON text of a literal; `escaped` spells every non-ASCII code unit and `/` with JSON escapes
 * (`\u00e9`, `\ud83d\ude00`, `\/`), which must decode to the same string.
 */
function literalText(value: Literal, escaped: boolean): string {
  if (typeof value !== 'string') return String(value);
  const text = JSON.stringify(value);
  if (!escaped) return text;
  return text
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/');
}

function render<L>(f: Tree<L>, leaf: (l: L) => string): string {
  if (typeof f === 'object' && f !== null && 'kind' in f) {
    const node = f as Tree<L> & { kind: string };
    if (node.kind === 'not' && 'filter' in node) return `${node.word} (${render(node.filter, leaf)})`;
    if ((node.kind === 'and' || node.kind === 'or') && 'left' in node) {
      // Only an `or` operand of `and` needs parentheses (and binds tighter; both are associative).
      const operand = (child: Tree<L>) => {
        const text = render(child, leaf);
        const kind = (child as { kind: string }).kind;
        return node.parens || (node.kind === 'and' && kind === 'or') ? `(${text})` : text;
      };
      return `${operand(node.left)} ${node.word} ${operand(node.right)}`;
    }
  }
  return leaf(f as L);
}

function innerText(l: InnerLeaf): string {
  return l.kind === 'present'
    ? `${l.spelling} ${l.opText}`
    : `${l.spelling} ${l.opText} ${literalText(l.value, l.escaped)}`;
}

export function filterText(f: Filter): string {
  return render(f, (l: Leaf) => {
    switch (l.kind) {
      case 'present':
        return `${l.spelling} ${l.opText}`;
      case 'compare':
        return `${l.spelling} ${l.opText} ${literalText(l.value, l.escaped)}`;
      case 'valuePath':
        return `${l.spelling}[${render(l.filter, innerText)}]`;
    }
  });
}

/** Walks a tree, combining leaf answers with set operations over `all`. */
export function evaluate<L>(
  f: Tree<L>,
  all: ReadonlySet<string>,
  leaf: (l: L) => ReadonlySet<string>,
): Set<string> {
  const node = f as Tree<L> & { kind: string };
  if (node.kind === 'not' && 'filter' in node) {
    const inner = evaluate(node.filter, all, leaf);
    return new Set([...all].filter((id) => !inner.has(id)));
  }
  if ((node.kind === 'and' || node.kind === 'or') && 'left' in node) {
    const left = evaluate(node.left, all, leaf);
    const right = evaluate(node.right, all, leaf);
    return node.kind === 'and'
      ? new Set([...left].filter((id) => right.has(id)))
      : new Set([...left, ...right]);
  }
  return new Set(leaf(f as L));
}

/** Negation normal form then disjunctive normal form of a value filter: OR of ANDs of literals. */
export interface InnerLiteral {
  leaf: InnerLeaf;
  negated: boolean;
}
export function disjunctiveForm(f: Inner, negated = false): InnerLiteral[][] {
  const node = f as Inner & { kind: string };
  if (node.kind === 'not' && 'filter' in node) return disjunctiveForm(node.filter, !negated);
  if ((node.kind === 'and' || node.kind === 'or') && 'left' in node) {
    const left = disjunctiveForm(node.left, negated);
    const right = disjunctiveForm(node.right, negated);
    // De Morgan: under negation `and` becomes `or` and the reverse.
    const conjunction = (node.kind === 'and') !== negated;
    return conjunction ? left.flatMap((l) => right.map((r) => [...l, ...r])) : [...left, ...right];
  }
  return [[{ leaf: f as InnerLeaf, negated }]];
}
