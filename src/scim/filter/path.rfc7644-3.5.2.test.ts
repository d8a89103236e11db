import { describe, expect, it } from 'vitest';
import type { AttrPath, Filter, PatchPath } from './ast.ts';
import { parsePatchPath } from './index.ts';

const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const MEMBER_ID = '2819c223-7f76-453a-919d-413861904646';

const path = (name: string, subAttr: string | null = null, uri: string | null = null): AttrPath => ({
  uri,
  name,
  subAttr,
});
const eq = (name: string, value: string): Filter => ({ kind: 'compare', path: path(name), op: 'eq', value });

function parsed(text: string): PatchPath {
  const result = parsePatchPath(text);
  if (!result.ok) throw new Error(`expected ${text} to parse, got: ${result.error.detail}`);
  return result.value;
}

describe('RFC 7644 §3.5.2 PATCH paths', () => {
  const cases: [string, PatchPath][] = [
    ['members', { attr: path('members'), filter: null, subAttr: null }],
    ['name.givenName', { attr: path('name', 'givenName'), filter: null, subAttr: null }],
    ['name.familyName', { attr: path('name', 'familyName'), filter: null, subAttr: null }],
    [
      'members[value eq "2819c223"]',
      { attr: path('members'), filter: eq('value', '2819c223'), subAttr: null },
    ],
    [
      `members[value eq "${MEMBER_ID}"]`,
      { attr: path('members'), filter: eq('value', MEMBER_ID), subAttr: null },
    ],
    [
      `members[value eq "${MEMBER_ID}"].displayName`,
      { attr: path('members'), filter: eq('value', MEMBER_ID), subAttr: 'displayName' },
    ],
    ['emails[type eq "work"].value', { attr: path('emails'), filter: eq('type', 'work'), subAttr: 'value' }],
    ['addresses[type eq "work"]', { attr: path('addresses'), filter: eq('type', 'work'), subAttr: null }],
    [
      'addresses[type eq "work"].streetAddress',
      { attr: path('addresses'), filter: eq('type', 'work'), subAttr: 'streetAddress' },
    ],
    [
      'emails[type eq "work" and value ew "example.com"]',
      {
        attr: path('emails'),
        filter: {
          kind: 'and',
          left: eq('type', 'work'),
          right: { kind: 'compare', path: path('value'), op: 'ew', value: 'example.com' },
        },
        subAttr: null,
      },
    ],
    [
      `${ENTERPRISE_USER}:manager`,
      { attr: path('manager', null, ENTERPRISE_USER), filter: null, subAttr: null },
    ],
    [
      `${ENTERPRISE_USER}:manager.value`,
      { attr: path('manager', 'value', ENTERPRISE_USER), filter: null, subAttr: null },
    ],
    [
      ENTERPRISE_USER,
      {
        attr: path('User', null, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0'),
        filter: null,
        subAttr: null,
      },
    ],
    ['members.$ref', { attr: path('members', '$ref'), filter: null, subAttr: null }],
    [' members ', { attr: path('members'), filter: null, subAttr: null }],
  ];

  it.each(cases)('%s', (text, expected) => {
    expect(parsed(text)).toEqual(expected);
  });
});

describe('invalid paths', () => {
  it.each([
    ['', 'empty path'],
    ['  ', 'empty path'],
    ['emails[', 'unbalanced bracket: "[" at position 6 is never closed'],
    ['a..b', 'invalid attribute path "a..b" at position 0'],
    ['.value', 'invalid attribute path ".value" at position 0'],
    [
      'emails[type eq "x"]extra',
      'unexpected "extra" at position 19 after the value filter (expected ".subAttribute" or the end of the path)',
    ],
    ['emails[type eq "x"].value.display', 'invalid sub-attribute ".value.display" at position 19'],
    ['emails[type eq "x"].', 'invalid sub-attribute "." at position 19'],
    ['emails[type eq "x"].value extra', 'unexpected "extra" at position 26 after the sub-attribute'],
    ['name givenName', 'unexpected "givenName" at position 5 after the path'],
    ['members eq "x"', 'unexpected "eq" at position 8 after the path'],
    ['"members"', 'expected an attribute path at position 0, found string "members"'],
    ['[type eq "x"]', 'expected an attribute path at position 0, found "["'],
    ['emails[]', 'expected an attribute path at position 7, found "]"'],
    ['emails[type]', 'expected a comparison operator after "type" at position 11, found "]"'],
    ['emails[type eq "x"', 'unbalanced bracket: "[" at position 6 is never closed'],
    ['name.givenName[value pr]', 'a value filter must follow an attribute without a sub-attribute'],
    ['emails[value[type pr]]', 'value filters cannot be nested'],
    ['emails[type eq "x" or]', 'expected an attribute path at position 21, found "]"'],
    ['a:b', 'a schema URI must start with "urn:"'],
  ])('%j', (text, message) => {
    const result = parsePatchPath(text);
    if (result.ok) throw new Error(`expected ${text} to fail, got ${JSON.stringify(result.value)}`);
    expect(result.error).toMatchObject({ status: 400, scimType: 'invalidPath' });
    expect(result.error.detail).toContain(message);
  });

  it('bounds length and nesting', () => {
    const long = parsePatchPath(`a${'b'.repeat(10_000)}`);
    expect(long.ok ? null : long.error.detail).toBe('path is too long: 10001 characters, the limit is 10000');
    const deep = parsePatchPath(`emails[${'('.repeat(60)}type pr${')'.repeat(60)}]`);
    expect(deep.ok ? null : deep.error.detail).toContain('nested too deeply');
  });
});
