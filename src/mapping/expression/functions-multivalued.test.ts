import { describe, expect, it } from 'vitest';
import { runtimeError, value } from './test-support.ts';

const proxies = { proxyAddresses: ['SMTP:a@contoso.com', 'smtp:b@contoso.com', 'SMTP:a@contoso.com'] };

describe('Count', () => {
  it('counts the values of a multi-valued attribute', () => {
    expect(value('Count([proxyAddresses])', proxies)).toBe(3);
    expect(value('Count([proxyAddresses])', { proxyAddresses: [] })).toBe(0);
    expect(value('Count([missing])')).toBe(0);
    expect(value('Count([mail])', { mail: 'a@b.c' })).toBe(1);
    expect(value('Count(Split("a,b,c", ","))')).toBe(3);
  });
});

describe('Item', () => {
  it("Microsoft's example: index 1 is the first item", () => {
    expect(value('Item([proxyAddresses], 1)', proxies)).toBe('SMTP:a@contoso.com');
    expect(value('Item([proxyAddresses], "2")', proxies)).toBe('smtp:b@contoso.com');
  });
  it('fails outside the values, including index 0, and has no value for no attribute', () => {
    expect(runtimeError('Item([proxyAddresses], 0)', proxies)).toEqual({
      code: 'mapping.runtime',
      message: 'Item: index 0 is out of range: the attribute has 3 value(s) and the first is 1',
      line: 1,
      column: 1,
    });
    expect(runtimeError('Item([proxyAddresses], 4)', proxies).message).toBe(
      'Item: index 4 is out of range: the attribute has 3 value(s) and the first is 1',
    );
    expect(value('Item([missing], 1)')).toBeNull();
    expect(value('Item([mail], 1)', { mail: 'a@b.c' })).toBe('a@b.c');
  });
});

describe('Join', () => {
  it("Microsoft's examples", () => {
    expect(value('Join(", ", "", [surname], [givenName])', { givenName: 'John', surname: 'Doe' })).toBe(
      'Doe, John',
    );
    expect(
      value('Join("", [last], ",", [first], " ", Mid([middle],1,1), "-", [id])', {
        last: 'Johnson',
        first: 'Sarah',
        middle: 'Elizabeth',
        id: '12345',
      }),
    ).toBe('Johnson,Sarah E-12345');
    expect(value('Join("", 1000, "42")')).toBe('100042');
  });
  it('joins every value of a multi-valued source and leaves out missing and empty values', () => {
    expect(value('Join(";", [proxyAddresses], "x")', proxies)).toBe(
      'SMTP:a@contoso.com;smtp:b@contoso.com;SMTP:a@contoso.com;x',
    );
    expect(value('Join(" ", [first], Mid([middle],1,1), [last])', { first: 'Jose', last: 'Garcia' })).toBe(
      'Jose Garcia',
    );
    expect(value('Join(",", [a], , [b])', { a: 'x', b: 'y' })).toBe('x,y');
    expect(value('Join(",", [missing])')).toBe('');
    expect(value('Join([sep], "a", "b")')).toBe('ab');
  });
});

describe('RemoveDuplicates', () => {
  it("Microsoft's example: removes repeated proxy addresses, case-sensitively", () => {
    expect(value('RemoveDuplicates([proxyAddresses])', proxies)).toEqual([
      'SMTP:a@contoso.com',
      'smtp:b@contoso.com',
    ]);
    expect(value('RemoveDuplicates([a])', { a: ['X', 'x', 'X', 1, '1', 1] })).toEqual(['X', 'x', 1, '1']);
  });
  it('makes a single value a one-element list and passes no value through', () => {
    expect(value('RemoveDuplicates([mail])', { mail: 'a@b.c' })).toEqual(['a@b.c']);
    expect(value('RemoveDuplicates([missing])')).toBeNull();
  });
});

describe('Split', () => {
  it("Microsoft's example", () => {
    expect(
      value('Split([extensionAttribute5], ",")', {
        extensionAttribute5: 'PermissionSetOne, PermissionSetTwo',
      }),
    ).toEqual(['PermissionSetOne', 'PermissionSetTwo']);
  });
  it("the Workday guide's proxyAddresses example", () => {
    const expression = `Split(
      Join(",",
        Append("smtp:", Join("@", NormalizeDiacritics(StripSpaces(Join(".", [first], [last]))), "contoso.mail.onmicrosoft.com")),
        Append("SMTP:", Join("@", NormalizeDiacritics(StripSpaces(Join(".", [first], [last]))), "contoso.com"))
      ), ","
    )`;
    expect(value(expression, { first: 'Michael', last: 'Brown' })).toEqual([
      'smtp:Michael.Brown@contoso.mail.onmicrosoft.com',
      'SMTP:Michael.Brown@contoso.com',
    ]);
  });
  it('splits on the whole delimiter, drops empty pieces and passes no value through', () => {
    expect(value('Split("a::b::::c", "::")')).toEqual(['a', 'b', 'c']);
    expect(value('Split("abc", "")')).toEqual(['abc']);
    expect(value('Split("", ",")')).toEqual([]);
    expect(value('Split([missing], ",")')).toBeNull();
    expect(value('Split([a], ",")', { a: ['x,y', 'z'] })).toEqual(['x', 'y', 'z']);
  });
});
