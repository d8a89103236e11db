/** fast-check arbitraries of differential filters, with literals drawn from the data set. */
import fc from 'fast-check';
import type {
  AttrSpec,
  Catalogue,
  CompareOp,
  Filter,
  InnerLeaf,
  Kind,
  Leaf,
  Literal,
  MultiName,
  SubSpec,
  Tree,
} from './differential-filters.ts';
import { CORE_URN } from './differential-shared.ts';

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
