import { describe, expect, it } from 'vitest';
import type { AttrPath, CompareOp, CompareValue, Filter } from './ast.ts';
import { formatFilter, parseFilter } from './index.ts';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const LAST_MODIFIED = '2011-05-13T04:42:34Z';

const path = (name: string, subAttr: string | null = null, uri: string | null = null): AttrPath => ({
  uri,
  name,
  subAttr,
});
const cmp = (p: AttrPath, op: CompareOp, value: CompareValue): Filter => ({
  kind: 'compare',
  path: p,
  op,
  value,
});
const pr = (p: AttrPath): Filter => ({ kind: 'present', path: p });
const and = (left: Filter, right: Filter): Filter => ({ kind: 'and', left, right });
const or = (left: Filter, right: Filter): Filter => ({ kind: 'or', left, right });
const not = (filter: Filter): Filter => ({ kind: 'not', filter });
const valuePath = (p: AttrPath, filter: Filter): Filter => ({ kind: 'valuePath', path: p, filter });

function parsed(text: string): Filter {
  const result = parseFilter(text);
  if (!result.ok) throw new Error(`expected ${text} to parse, got: ${result.error.detail}`);
  return result.value;
}

function failure(text: string): string {
  const result = parseFilter(text);
  if (result.ok) throw new Error(`expected ${text} to fail, got ${JSON.stringify(result.value)}`);
  expect(result.error.status).toBe(400);
  expect(result.error.scimType).toBe('invalidFilter');
  return result.error.detail;
}

describe('RFC 7644 §3.4.2.2 example filters', () => {
  const emailsOr = or(
    cmp(path('emails'), 'co', 'example.com'),
    cmp(path('emails', 'value'), 'co', 'example.org'),
  );
  const workAtExample = and(cmp(path('type'), 'eq', 'work'), cmp(path('value'), 'co', '@example.com'));
  const examples: [string, Filter][] = [
    ['userName eq "bjensen"', cmp(path('userName'), 'eq', 'bjensen')],
    [`name.familyName co "O'Malley"`, cmp(path('name', 'familyName'), 'co', "O'Malley")],
    ['userName sw "J"', cmp(path('userName'), 'sw', 'J')],
    [`${CORE_USER}:userName sw "J"`, cmp(path('userName', null, CORE_USER), 'sw', 'J')],
    ['title pr', pr(path('title'))],
    [`meta.lastModified gt "${LAST_MODIFIED}"`, cmp(path('meta', 'lastModified'), 'gt', LAST_MODIFIED)],
    [`meta.lastModified ge "${LAST_MODIFIED}"`, cmp(path('meta', 'lastModified'), 'ge', LAST_MODIFIED)],
    [`meta.lastModified lt "${LAST_MODIFIED}"`, cmp(path('meta', 'lastModified'), 'lt', LAST_MODIFIED)],
    [`meta.lastModified le "${LAST_MODIFIED}"`, cmp(path('meta', 'lastModified'), 'le', LAST_MODIFIED)],
    ['title pr and userType eq "Employee"', and(pr(path('title')), cmp(path('userType'), 'eq', 'Employee'))],
    ['title pr or userType eq "Intern"', or(pr(path('title')), cmp(path('userType'), 'eq', 'Intern'))],
    [`schemas eq "${ENTERPRISE_USER}"`, cmp(path('schemas'), 'eq', ENTERPRISE_USER)],
    [
      'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
      and(cmp(path('userType'), 'eq', 'Employee'), emailsOr),
    ],
    [
      'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
      and(cmp(path('userType'), 'ne', 'Employee'), not(emailsOr)),
    ],
    [
      'userType eq "Employee" and (emails.type eq "work")',
      and(cmp(path('userType'), 'eq', 'Employee'), cmp(path('emails', 'type'), 'eq', 'work')),
    ],
    [
      'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]',
      and(cmp(path('userType'), 'eq', 'Employee'), valuePath(path('emails'), workAtExample)),
    ],
    [
      'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
      or(
        valuePath(path('emails'), workAtExample),
        valuePath(path('ims'), and(cmp(path('type'), 'eq', 'xmpp'), cmp(path('value'), 'co', '@foo.com'))),
      ),
    ],
  ];

  it.each(examples)('%s', (text, expected) => {
    expect(parsed(text)).toEqual(expected);
    expect(parsed(formatFilter(expected))).toEqual(expected);
  });
});

describe('attribute paths', () => {
  it('splits a URN-qualified path on its last colon, then on the first dot', () => {
    expect(parsed(`${ENTERPRISE_USER}:employeeNumber eq "701984"`)).toEqual(
      cmp(path('employeeNumber', null, ENTERPRISE_USER), 'eq', '701984'),
    );
    expect(parsed(`${ENTERPRISE_USER}:manager.value eq "26118915"`)).toEqual(
      cmp(path('manager', 'value', ENTERPRISE_USER), 'eq', '26118915'),
    );
    expect(parsed(`URN:IETF:params:scim:schemas:core:2.0:User:userName pr`)).toEqual(
      pr(path('userName', null, 'URN:IETF:params:scim:schemas:core:2.0:User')),
    );
  });

  it('accepts $ref, keeps the spelling, and allows names that look like keywords', () => {
    expect(parsed('members.$ref eq "https://example.com/v2/Users/1"')).toEqual(
      cmp(path('members', '$ref'), 'eq', 'https://example.com/v2/Users/1'),
    );
    expect(parsed('USERNAME Eq "x"')).toEqual(cmp(path('USERNAME'), 'eq', 'x'));
    expect(parsed('not pr and and eq 1 or or pr')).toEqual(
      or(and(pr(path('not')), cmp(path('and'), 'eq', 1)), pr(path('or'))),
    );
    expect(parsed('not[pr pr]')).toEqual(valuePath(path('not'), pr(path('pr'))));
  });

  it('allows a URN-qualified multi-valued attribute before a value filter', () => {
    expect(parsed(`${CORE_USER}:emails[type eq "work"]`)).toEqual(
      valuePath(path('emails', null, CORE_USER), cmp(path('type'), 'eq', 'work')),
    );
  });
});

describe('precedence, case and whitespace', () => {
  const a = cmp(path('a'), 'eq', 1);
  const b = cmp(path('b'), 'eq', 2);
  const c = cmp(path('c'), 'eq', 3);

  it('binds and tighter than or, both left-associative, and not tightest', () => {
    expect(parsed('a eq 1 or b eq 2 and c eq 3')).toEqual(or(a, and(b, c)));
    expect(parsed('a eq 1 and b eq 2 or c eq 3')).toEqual(or(and(a, b), c));
    expect(parsed('a eq 1 and b eq 2 and c eq 3')).toEqual(and(and(a, b), c));
    expect(parsed('a eq 1 or b eq 2 or c eq 3')).toEqual(or(or(a, b), c));
    expect(parsed('(a eq 1 or b eq 2) and c eq 3')).toEqual(and(or(a, b), c));
    expect(parsed('not (a eq 1) and b eq 2')).toEqual(and(not(a), b));
    expect(parsed('a eq 1 and not (b eq 2 or c eq 3)')).toEqual(and(a, not(or(b, c))));
  });

  it('treats operators and keywords case-insensitively and normalises operators', () => {
    expect(parsed('a EQ 1 AnD b Eq 2 OR NOT (c eQ 3)')).toEqual(or(and(a, b), not(c)));
    expect(parsed('title PR')).toEqual(pr(path('title')));
    expect(parsed('active eq True')).toEqual(cmp(path('active'), 'eq', true));
    expect(parsed('active ne FALSE')).toEqual(cmp(path('active'), 'ne', false));
    expect(parsed('manager eq NULL')).toEqual(cmp(path('manager'), 'eq', null));
    expect(parsed('userName ew "x"')).toEqual(cmp(path('userName'), 'ew', 'x'));
  });

  it('tolerates extra whitespace and "not(" without a space', () => {
    expect(parsed('  a \t eq   1\n and\tnot(b eq 2)  ')).toEqual(and(a, not(b)));
    expect(parsed('emails[ type eq "work" ]')).toEqual(
      valuePath(path('emails'), cmp(path('type'), 'eq', 'work')),
    );
  });
});

describe('values', () => {
  it('decodes JSON string escapes', () => {
    expect(parsed(String.raw`a eq "say \"hi\" \\ \/ \u00e9 \n\t"`)).toEqual(
      cmp(path('a'), 'eq', 'say "hi" \\ / é \n\t'),
    );
    expect(parsed('a eq ""')).toEqual(cmp(path('a'), 'eq', ''));
    expect(parsed('a eq "(not) [and] or"')).toEqual(cmp(path('a'), 'eq', '(not) [and] or'));
  });

  it('reads JSON numbers', () => {
    expect(parsed('a eq -1')).toEqual(cmp(path('a'), 'eq', -1));
    expect(parsed('a gt 3.5')).toEqual(cmp(path('a'), 'gt', 3.5));
    expect(parsed('a lt 1e3')).toEqual(cmp(path('a'), 'lt', 1000));
    expect(parsed('a le 2.5E-1')).toEqual(cmp(path('a'), 'le', 0.25));
    expect(parsed('a eq 0')).toEqual(cmp(path('a'), 'eq', 0));
  });
});

describe('errors name the problem and its position', () => {
  it.each([
    ['', 'empty filter'],
    ['   ', 'empty filter'],
    ['userName', 'expected a comparison operator after "userName" at position 8, found end of input'],
    [
      'userName "bjensen"',
      'expected a comparison operator after "userName" at position 9, found string "bjensen"',
    ],
    ['userName equals "x"', 'unknown operator "equals" at position 9'],
    ['userName eq "bjensen', 'unterminated string starting at position 12'],
    ['userName eq', 'expected a value after "eq" at position 11, found end of input'],
    [
      'userName eq bjensen',
      'invalid value "bjensen" at position 12: expected a quoted string, a number, true, false or null',
    ],
    ['a eq 1e999', 'number "1e999" at position 5 is out of range'],
    ['a eq 01', 'invalid value "01" at position 5: expected a quoted string, a number, true, false or null'],
    ['a eq "\\x"', 'invalid escape "\\x" in string at position 6'],
    ['a eq "\\u12"', 'invalid escape "\\u" in string at position 6: expected four hex digits'],
    ['title pr "x"', '"pr" takes no value, found string "x" at position 9'],
    ['title pr true', '"pr" takes no value, found "true" at position 9'],
    ['(a pr', 'unbalanced parenthesis: "(" at position 0 is never closed'],
    ['a pr)', 'unbalanced parenthesis: ")" at position 4 has no matching "("'],
    ['emails[type pr', 'unbalanced bracket: "[" at position 6 is never closed'],
    ['(a pr]', 'unbalanced parenthesis: "(" at position 0 is closed by "]" at position 5'],
    ['a pr b pr', 'expected "and", "or" or the end of the filter at position 5, found "b"'],
    ['(a pr b pr)', 'expected "and", "or" or ")" at position 6, found "b"'],
    ['a pr and', 'expected an attribute path at position 8, found end of input'],
    ['()', 'expected an attribute path at position 1, found ")"'],
    ['"userName" eq "x"', 'expected an attribute path at position 0, found string "userName"'],
    ['a pr and or', 'expected a comparison operator after "or" at position 11, found end of input'],
    ['title and x pr', 'expected a comparison operator after "title" at position 6, found "and"'],
    ['not userName eq "x"', 'expected "(" after "not" at position 4, found "userName"'],
    ['not', 'expected "(" after "not" at position 3, found end of input'],
    [
      'a..b pr',
      'invalid attribute path "a..b" at position 0: expected name or name.subAttribute, ' +
        'each a letter followed by letters, digits, "-" or "_"',
    ],
    ['1abc pr', 'invalid attribute path "1abc" at position 0'],
    ['name.given.family pr', 'invalid attribute path "name.given.family" at position 0'],
    ['urn:foo pr', 'invalid attribute path "urn:foo" at position 0: expected urn:<schema>:<attribute>'],
    ['foo:bar pr', 'invalid attribute path "foo:bar" at position 0: a schema URI must start with "urn:"'],
    ['emails[type eq "work"].value eq "x"', 'unexpected sub-attribute ".value" at position 22'],
    ['emails[value[type pr]]', 'value filters cannot be nested: "[" at position 12'],
    ['emails[value.type pr]', '"value.type" at position 7 must be a plain sub-attribute name'],
    [`emails[${CORE_USER}:type pr]`, 'must be a plain sub-attribute name'],
    ['name.givenName[value pr]', 'a value filter must follow an attribute without a sub-attribute'],
    ['emails[]', 'expected an attribute path at position 7, found "]"'],
  ])('%j', (text, message) => {
    expect(failure(text)).toContain(message);
  });

  it('bounds nesting depth and length', () => {
    const deep = `${'('.repeat(51)}a pr${')'.repeat(51)}`;
    expect(failure(deep)).toBe(
      'filter is nested too deeply: more than 50 levels of parentheses or brackets at position 50',
    );
    const deepNot = `${'not ('.repeat(51)}a pr${')'.repeat(51)}`;
    expect(failure(deepNot)).toContain('filter is nested too deeply');
    expect(parsed(`${'('.repeat(50)}a pr${')'.repeat(50)}`)).toEqual(pr(path('a')));
    expect(failure(`a eq "${'x'.repeat(10_000)}"`)).toBe(
      'filter is too long: 10007 characters, the limit is 10000',
    );
  });

  it('shortens long user text quoted in messages', () => {
    expect(failure(`${'a'.repeat(500)} x`)).toBe(`unknown operator "x" at position 501`);
    expect(failure(`x ${'q'.repeat(500)}`)).toBe(`unknown operator "${'q'.repeat(40)}…" at position 2`);
  });
});
