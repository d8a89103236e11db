import fc from 'fast-check';
import { AndFilter, EqualityFilter, FilterParser } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { parseDn } from './dn.ts';
import { escapeDnValue, escapeFilterValue, unescapeFilterValue } from './escape.ts';

describe('escapeFilterValue (RFC 4515)', () => {
  it('escapes the filter metacharacters, NUL and non-ASCII', () => {
    expect(escapeFilterValue('*)(uid=*')).toBe('\\2a\\29\\28uid=\\2a');
    expect(escapeFilterValue('a\\b')).toBe('a\\5cb');
    expect(escapeFilterValue('x\0y')).toBe('x\\00y');
    expect(escapeFilterValue('José')).toBe('Jos\\c3\\a9');
    expect(escapeFilterValue('😀')).toBe('\\f0\\9f\\98\\80');
    expect(escapeFilterValue('plain value-1')).toBe('plain value-1');
  });

  it('gives printable ASCII with no metacharacter outside an escape, and round-trips', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const escaped = escapeFilterValue(value);
        expect(escaped).toMatch(/^[\x20-\x7e]*$/);
        expect(escaped.replace(/\\[0-9a-f]{2}/g, '')).not.toMatch(/[*()\\\0]/);
        expect(unescapeFilterValue(escaped)).toBe(value);
      }),
    );
  });

  it('cannot change the shape of a filter it is placed in (ASCII: ldapts decodes \\xx as one char each)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', minLength: 1 }), (value) => {
        const filter = FilterParser.parseString(`(&(objectClass=person)(uid=${escapeFilterValue(value)}))`);
        expect(filter).toBeInstanceOf(AndFilter);
        const parts = (filter as AndFilter).filters;
        expect(parts).toHaveLength(2);
        expect(parts[1]).toBeInstanceOf(EqualityFilter);
        expect(parts[1]).toMatchObject({ attribute: 'uid', value });
      }),
    );
  });
});

describe('escapeDnValue (RFC 4514)', () => {
  it('escapes specials, leading space or #, trailing space and NUL', () => {
    expect(escapeDnValue('a,b=c')).toBe('a\\,b\\=c');
    expect(escapeDnValue('#lead')).toBe('\\#lead');
    expect(escapeDnValue(' both ')).toBe('\\ both\\ ');
    expect(escapeDnValue('x+y"z<>;')).toBe('x\\+y\\"z\\<\\>\\;');
    expect(escapeDnValue('back\\slash')).toBe('back\\\\slash');
    expect(escapeDnValue('back\\', { hexBackslash: true })).toBe('back\\5c');
    expect(escapeDnValue('nul\0')).toBe('nul\\00');
    expect(escapeDnValue('Zoë 日本')).toBe('Zoë 日本');
    expect(escapeDnValue('mid # ok')).toBe('mid # ok');
  });

  it('any value escaped into an RDN parses back to itself, as one RDN', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1 }), fc.boolean(), (value, hex) => {
        const dn = parseDn(`cn=${escapeDnValue(value, { hexBackslash: hex })},ou=people,dc=example,dc=org`);
        expect(dn).toHaveLength(4);
        expect(dn[0]).toEqual([{ type: 'cn', value }]);
      }),
    );
  });
});
