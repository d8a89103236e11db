// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${name} here is .NET replacement syntax inside expression text.
import { describe, expect, it } from 'vitest';
import { compileError, runtimeError, value } from './test-support.ts';

describe('Replace with oldValue', () => {
  it("Microsoft's example 1: oldValue and replacementValue", () => {
    expect(
      value('Replace([BusinessTitle],"Product Developer", , , "Software Engineer", , )', {
        BusinessTitle: 'Product Developer',
      }),
    ).toBe('Software Engineer');
  });
  it("Microsoft's example: strip a known domain", () => {
    expect(value('Replace([mail], "@contoso.com", , ,"", ,)', { mail: 'john.doe@contoso.com' })).toBe(
      'john.doe',
    );
  });
  it("Microsoft's example 2: oldValue and template", () => {
    expect(
      value('Replace([UserID],"<username>", , , , , "<username>@contoso.com")', { UserID: 'jsmith' }),
    ).toBe('jsmith@contoso.com');
  });
  it('replaces every occurrence, case-sensitively, and takes $ literally', () => {
    expect(value('Replace("a-b-A", "a", , , "$1", , )')).toBe('$1-b-A');
    expect(value('Replace("x", "y", , , "z", , )')).toBe('x');
  });
  it('passes no value through and rejects an empty oldValue', () => {
    expect(value('Replace([missing], "a", , , "b", , )')).toBeNull();
    expect(value('Replace([missing], "<u>", , , , , "<u>@contoso.com")')).toBeNull();
    expect(runtimeError('Replace("abc", [old], , , "b", , )').message).toBe('Replace: oldValue is empty');
  });
});

describe('Replace with regexPattern', () => {
  it("Microsoft's example 3: named groups in the replacement", () => {
    expect(
      value(
        'Replace([telephoneNumber], , "\\\\+(?<isdCode>\\\\d* )(?<phoneNumber>\\\\d{10})", , "${phoneNumber}", , )',
        {
          telephoneNumber: '+91 9998887777',
        },
      ),
    ).toBe('9998887777');
    expect(value('Replace([mobile], , "[()\\\\s-]+", , "", , )', { mobile: '+1 (999) 888-7777' })).toBe(
      '+19998887777',
    );
  });
  it("Microsoft's example 6: zero-length matches", () => {
    expect(value('Replace([mailNickname], , "[a-zA-Z_]*", , "", , )', { mailNickname: 'john_doe72' })).toBe(
      '72',
    );
  });
  it('accepts single-backslash regex escapes, as in the Workday guide', () => {
    expect(
      value('Replace([t], , "\\+(?<isdCode>49|44|1)(?<phoneNumber>.*)", , "${isdCode}", , )', {
        t: '+493012345678',
      }),
    ).toBe('49');
  });
  it('expands .NET substitutions', () => {
    expect(value('Replace("John Smith", , "(\\\\w+) (\\\\w+)", , "$2, $1", , )')).toBe('Smith, John');
    expect(value('Replace("ab", , "b", , "[$&][$`][$\'][$$][$_]", , )')).toBe('a[b][a][][$][ab]');
    expect(value('Replace("ab", , "(a)(b)", , "$+ ${1} ${nope} $9", , )')).toBe('b a ${nope} $9');
  });
  it("translates .NET-only syntax: inline options, (?'name'), \\A and \\z", () => {
    expect(value('Replace("ABC abc", , "(?i)b", , "x", , )')).toBe('AxC axc');
    expect(value('Replace("jsmith", , "(?\'first\'^.)", , "${first}.", , )')).toBe('j.smith');
    expect(value('Replace("aaa", , "\\\\Aa", , "b", , )')).toBe('baa');
    expect(value('Replace("a.a", , "a\\\\z", , "b", , )')).toBe('a.b');
    expect(value('Replace("J.Smith:x", , "[\\\\.\\\\:]", , "", , )')).toBe('JSmithx');
    expect(value('Replace("Ünïcode", , "\\\\p{Lu}", , "_", , )')).toBe('_nïcode');
  });
  it('compiles a pattern from an attribute at run time', () => {
    expect(value('Replace("a1b2", , [p], , "#", , )', { p: '\\d' })).toBe('a#b#');
    expect(runtimeError('Replace("a", , [p], , "#", , )', { p: '(' }).message).toContain(
      'Replace: "(" is not a valid regular expression',
    );
  });
});

describe('Replace with regexGroupName', () => {
  it("Microsoft's example 4: only the group is replaced", () => {
    expect(
      value('Replace([AddressLineData], ,"(?<streetNumber>^\\\\d*)","streetNumber", "888", , )', {
        AddressLineData: '545 Tremont Street',
      }),
    ).toBe('888 Tremont Street');
    expect(
      value('Replace([userPrincipalName], , "(?<Suffix>@(.)*)", "Suffix", "", , )', {
        userPrincipalName: 'jsmith@contoso.com',
      }),
    ).toBe('jsmith');
  });
  it("Microsoft's example 5: replacementAttributeName when source is empty", () => {
    const expression =
      'Replace([telephoneNumber], , "\\\\+(?<isdCode>\\\\d* )(?<phoneNumber>\\\\d{10})", "phoneNumber" , , [mobile], )';
    expect(value(expression, { telephoneNumber: '', mobile: '+91 8887779999' })).toBe('8887779999');
    expect(value(expression, { mobile: '+91 8887779999' })).toBe('8887779999');
    expect(value(expression, { telephoneNumber: '+1 5551234567', mobile: '+91 8887779999' })).toBe(
      '+1 5551234567',
    );
    expect(value(expression, { telephoneNumber: '', mobile: 'no digits' })).toBeNull();
  });
  it('rejects a group the pattern does not have', () => {
    expect(runtimeError('Replace("abc", , "(?<x>b)", "y", "z", , )').message).toBe(
      'Replace: the pattern has no group named "y"',
    );
  });
  it('needs a pattern for a group and one of the replacement parameters with a pattern', () => {
    expect(compileError('Replace([a], , , "g", "x", , )').message).toBe(
      'Replace: regexGroupName needs regexPattern',
    );
    expect(compileError('Replace([a], , "x", , , , )').message).toBe(
      'Replace: with regexPattern, fill in replacementValue, or regexGroupName with replacementValue or replacementAttributeName',
    );
    expect(compileError('Replace([a], "x", , , "y")').message).toBe(
      'Replace expects 7 arguments but got 5: Replace(source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttributeName, template)',
    );
  });
});
