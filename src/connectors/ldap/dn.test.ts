import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalDn, formatDn, isUnder, parseDn, sameDn, tryParseDn } from './dn.ts';

describe('DN parsing (RFC 4514)', () => {
  it('decodes escapes, hex pairs and multi-valued RDNs', () => {
    expect(parseDn('cn=a\\,b\\=c+uid=x,ou=People, dc=example,dc=org')).toEqual([
      [
        { type: 'cn', value: 'a,b=c' },
        { type: 'uid', value: 'x' },
      ],
      [{ type: 'ou', value: 'People' }],
      [{ type: 'dc', value: 'example' }],
      [{ type: 'dc', value: 'org' }],
    ]);
    expect(parseDn('cn=Jos\\C3\\A9')[0]).toEqual([{ type: 'cn', value: 'José' }]);
    expect(parseDn('cn=\\#lead\\ ')[0]).toEqual([{ type: 'cn', value: '#lead ' }]);
    expect(parseDn('cn=#04024869')[0]).toEqual([{ type: 'cn', value: '#04024869', hex: true }]);
    expect(parseDn('')).toEqual([]);
  });

  it('rejects broken DNs with a position', () => {
    for (const bad of ['uid', 'uid=a,', 'uid=a,,dc=x', '=a', 'ui d=a', 'cn=a;b', 'cn=a\\', 'cn=\\zz'])
      expect(tryParseDn(bad).ok, bad).toBe(false);
    expect(tryParseDn('uid=a,,dc=x')).toMatchObject({
      ok: false,
      message: expect.stringContaining('position'),
    });
  });

  it('compares like a server: types and values case-insensitively, spaces ignored', () => {
    expect(
      sameDn(
        parseDn('UID=Jane,OU=people,dc=Example,dc=org'),
        parseDn('uid=jane, ou=People,dc=example,dc=org'),
      ),
    ).toBe(true);
    expect(sameDn(parseDn('cn=a+uid=b,dc=x'), parseDn('uid=b+cn=a,dc=x'))).toBe(true);
    expect(isUnder(parseDn('uid=a,ou=people,dc=x'), parseDn('OU=People,DC=x'))).toBe(true);
    expect(isUnder(parseDn('ou=people,dc=x'), parseDn('ou=people,dc=x'))).toBe(false);
    expect(isUnder(parseDn('uid=a,ou=people2,dc=x'), parseDn('ou=people,dc=x'))).toBe(false);
    expect(isUnder(parseDn('uid=a\\,ou=people,dc=x'), parseDn('ou=people,dc=x'))).toBe(false);
  });

  it('canonical spelling: lower-case types, values escaped one way', () => {
    expect(canonicalDn('CN=Jane Doe, OU=People,DC=example,DC=org')).toBe(
      'cn=Jane Doe,ou=People,dc=example,dc=org',
    );
    expect(canonicalDn('cn=a\\2Cb,dc=x')).toBe('cn=a\\,b,dc=x');
    expect(canonicalDn('not a dn')).toBe('not a dn');
  });

  it('format and parse round-trip for any values', () => {
    const value = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 });
    const rdn = fc.array(fc.record({ type: fc.constantFrom('cn', 'uid', 'ou', 'dc'), value }), {
      minLength: 1,
      maxLength: 2,
    });
    fc.assert(
      fc.property(fc.array(rdn, { minLength: 1, maxLength: 4 }), fc.boolean(), (dn, hexBackslash) => {
        expect(parseDn(formatDn(dn, { hexBackslash }))).toEqual(dn);
      }),
    );
  });
});
