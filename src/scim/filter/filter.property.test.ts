import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ScimResult } from '../errors.ts';
import type { AttrPath, CompareOp, CompareValue, Filter } from './ast.ts';
import { formatFilter, parseFilter, parsePatchPath } from './index.ts';

const OPS: CompareOp[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];

/** Fragments that steer random text into the interesting corners of the grammar. */
const PIECES = [
  ' ',
  '  ',
  '\t',
  '(',
  ')',
  '[',
  ']',
  '"',
  '\\',
  '"x"',
  '"a\\"b"',
  '"\\u00e9"',
  '\\u12',
  'userName',
  'emails',
  'name.givenName',
  '.value',
  'members.$ref',
  'urn:ietf:params:scim:schemas:core:2.0:User:',
  'urn:',
  'a..b',
  ':',
  'eq',
  'EQ',
  'co',
  'pr',
  'and',
  'Or',
  'not',
  'not(',
  'true',
  'null',
  '1',
  '-1.5e3',
  '1e999',
  '01',
];
const filterish = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((pieces) => pieces.join(''));
const anyText = fc.oneof(
  filterish,
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
);

function expectOkOr400<T>(result: ScimResult<T>, scimType: 'invalidFilter' | 'invalidPath'): void {
  if (result.ok) return;
  expect(result.error.status).toBe(400);
  expect(result.error.scimType).toBe(scimType);
  expect(result.error.detail.length).toBeGreaterThan(0);
}

describe('parsers never throw', () => {
  it('parseFilter returns ok or a 400 invalidFilter for any text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const result = parseFilter(text);
        expectOkOr400(result, 'invalidFilter');
        // Whatever parses has a canonical spelling that parses back to the same tree.
        if (result.ok) expect(parseFilter(formatFilter(result.value))).toEqual(result);
      }),
      { numRuns: 2000 },
    );
  });

  it('parsePatchPath returns ok or a 400 invalidPath for any text', () => {
    fc.assert(
      fc.property(anyText, (text) => expectOkOr400(parsePatchPath(text), 'invalidPath')),
      { numRuns: 2000 },
    );
  });

  it('survives pathological sizes without overflowing the stack', () => {
    for (const text of ['('.repeat(100_000), '['.repeat(9_999), 'not ('.repeat(2_000), '"'.repeat(10_000)]) {
      expectOkOr400(parseFilter(text), 'invalidFilter');
      expectOkOr400(parsePatchPath(text), 'invalidPath');
    }
    const longChain = Array.from({ length: 800 }, (_, i) => `a${i} pr`).join(' or ');
    expect(longChain.length).toBeGreaterThan(8_000);
    const chained = parseFilter(longChain);
    expect(chained.ok).toBe(true);
    if (chained.ok) expect(parseFilter(formatFilter(chained.value))).toEqual(chained);
  });
});

// Keywords are deliberately included: attribute position is syntactic, so they must work as names too.
const attrName = fc.oneof(
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,8}$/),
  fc.constantFrom('$ref', 'not', 'NOT', 'and', 'or', 'Or', 'pr', 'eq', 'true', 'null', 'urn'),
);
const uri = fc
  .array(fc.stringMatching(/^[A-Za-z0-9.-]{1,8}$/), { minLength: 1, maxLength: 6 })
  .map((segments) => `urn:${segments.join(':')}`);
const value: fc.Arbitrary<CompareValue> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ maxLength: 20 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const anyPath: fc.Arbitrary<AttrPath> = fc.record({
  uri: fc.option(uri),
  name: attrName,
  subAttr: fc.option(attrName),
});
const plainName: fc.Arbitrary<AttrPath> = attrName.map((name) => ({ uri: null, name, subAttr: null }));
const multiValued: fc.Arbitrary<AttrPath> = fc.record({
  uri: fc.option(uri),
  name: attrName,
  subAttr: fc.constant(null),
});

/** Trees shaped like what the grammar can express: value filters use plain names and never nest. */
function filterTree(paths: fc.Arbitrary<AttrPath>, inner: fc.Arbitrary<Filter> | null): fc.Arbitrary<Filter> {
  return fc.letrec<{ filter: Filter }>((tie) => {
    const leaves: fc.Arbitrary<Filter>[] = [
      fc.record({ kind: fc.constant('compare' as const), path: paths, op: fc.constantFrom(...OPS), value }),
      fc.record({ kind: fc.constant('present' as const), path: paths }),
    ];
    if (inner)
      leaves.push(fc.record({ kind: fc.constant('valuePath' as const), path: multiValued, filter: inner }));
    return {
      filter: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        ...leaves,
        fc.record({ kind: fc.constant('and' as const), left: tie('filter'), right: tie('filter') }),
        fc.record({ kind: fc.constant('or' as const), left: tie('filter'), right: tie('filter') }),
        fc.record({ kind: fc.constant('not' as const), filter: tie('filter') }),
      ),
    };
  }).filter;
}

const anyFilter = filterTree(anyPath, filterTree(plainName, null));

describe('formatFilter', () => {
  it('round-trips every tree: parseFilter(formatFilter(f)) equals f', () => {
    fc.assert(
      fc.property(anyFilter, (filter) => {
        const text = formatFilter(filter);
        expect(parseFilter(text)).toEqual({ ok: true, value: filter });
      }),
      { numRuns: 2000 },
    );
  });

  it('writes the canonical spelling', () => {
    const parsed = parseFilter('A EQ 1 AND (b Pr OR NOT(c eq -0)) or d[e sw "\\u0001"]');
    expect(parsed.ok && formatFilter(parsed.value)).toBe(
      'A eq 1 and (b pr or not (c eq -0)) or d[e sw "\\u0001"]',
    );
  });
});
