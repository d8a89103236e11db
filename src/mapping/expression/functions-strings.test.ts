import { describe, expect, it } from 'vitest';
import { runtimeError, value } from './test-support.ts';

describe('Append', () => {
  it("Microsoft's example: appends a suffix to the user name", () => {
    expect(value('Append([userPrincipalName], ".test")', { userPrincipalName: 'John.Doe@contoso.com' })).toBe(
      'John.Doe@contoso.com.test',
    );
  });
  it('reads a missing source or suffix as empty and stringifies numbers and booleans', () => {
    expect(value('Append([missing], "x")')).toBe('x');
    expect(value('Append("x", [missing])')).toBe('x');
    expect(value('Append(10, True)')).toBe('10True');
  });
  it('treats a single-valued array as its value and rejects several values', () => {
    expect(value('Append([a], "!")', { a: ['one'] })).toBe('one!');
    expect(runtimeError('Append([a], "!")', { a: ['one', 'two'] })).toEqual({
      code: 'mapping.runtime',
      message: 'Append: source has 2 values but a single value is expected (use Item or Join)',
      line: 1,
      column: 1,
    });
  });
  it("Microsoft's alias example: Append(Mid(...), Mid(...))", () => {
    expect(
      value('Append(Mid([givenName], 1, 3), Mid([surname], 1, 5))', { givenName: 'John', surname: 'Doe' }),
    ).toBe('JohDoe');
  });
});

describe('ConvertToBase64', () => {
  it("Microsoft's example: UTF-16LE bytes in base64", () => {
    expect(value('ConvertToBase64("Hello world!")')).toBe('SABlAGwAbABvACAAdwBvAHIAbABkACEA');
  });
  it('handles non-ASCII, empty and missing input', () => {
    expect(value('ConvertToBase64("é")')).toBe('6QA=');
    expect(value('ConvertToBase64("😀")')).toBe('PdgA3g==');
    expect(value('ConvertToBase64("")')).toBe('');
    expect(value('ConvertToBase64([missing])')).toBeNull();
  });
});

describe('ConvertToUTF8Hex', () => {
  it("Microsoft's example: upper-case hex of the UTF-8 bytes", () => {
    expect(value('ConvertToUTF8Hex("Hello world!")')).toBe('48656C6C6F20776F726C6421');
  });
  it('encodes multi-byte characters and passes no value through', () => {
    expect(value('ConvertToUTF8Hex("é€😀")')).toBe('C3A9E282ACF09F9880');
    expect(value('ConvertToUTF8Hex([missing])')).toBeNull();
  });
});

describe('CStr', () => {
  it("Microsoft's example: a reference attribute's value as a string", () => {
    expect(value('CStr([dn])', { dn: 'cn=Joe,dc=contoso,dc=com' })).toBe('cn=Joe,dc=contoso,dc=com');
  });
  it('converts numbers, booleans and dates as .NET does', () => {
    expect(value('CStr(1000)')).toBe('1000');
    expect(value('CStr([n])', { n: 2.5 })).toBe('2.5');
    expect(value('CStr([b])', { b: true })).toBe('True');
    expect(value('CStr(False)')).toBe('False');
    expect(value('CStr(CDate("2021-08-24T13:05:00Z"))')).toBe('8/24/2021 1:05:00 PM');
    expect(value('CStr([missing])')).toBeNull();
  });
});

describe('InStr', () => {
  it("Microsoft's examples", () => {
    expect(value('InStr("The quick brown fox","quick")')).toBe(5);
    expect(value('InStr("repEated","e",3,vbBinaryCompare)')).toBe(7);
  });
  it('compares case-insensitively with vbTextCompare, as a constant, a number or a name', () => {
    expect(value('InStr("repEated","e",3,vbTextCompare)')).toBe(4);
    expect(value('InStr("repEated","e",3,1)')).toBe(4);
    expect(value('InStr("repEated","e",3,"vbTextCompare")')).toBe(4);
    expect(value('InStr("repEated","e", ,vbTextCompare)')).toBe(2);
  });
  it("follows Visual Basic's edge cases", () => {
    expect(value('InStr("abc","z")')).toBe(0);
    expect(value('InStr([missing],"a")')).toBe(0);
    expect(value('InStr("abc","")')).toBe(1);
    expect(value('InStr("abc","",2)')).toBe(2);
    expect(value('InStr("abc","a",4)')).toBe(0);
    expect(runtimeError('InStr("abc","a",0)').message).toBe('InStr: start must be 1 or more, not 0');
    expect(runtimeError('InStr("abc","a",1,"fuzzy")').message).toBe(
      'InStr: compareType must be vbBinaryCompare or vbTextCompare',
    );
  });
});

describe('Left', () => {
  it("Microsoft's example and documented edge cases", () => {
    expect(value('Left("John Doe", 3)')).toBe('Joh');
    expect(value('Left("John Doe", 0)')).toBe('');
    expect(value('Left("John Doe", -1)')).toBe('John Doe');
    expect(value('Left([missing], 3)')).toBe('');
    expect(value('Left("Jo", 5)')).toBe('Jo');
  });
  it('accepts numeric strings and rejects other counts', () => {
    expect(value('Left("John", "2")')).toBe('Jo');
    expect(runtimeError('Left("John", "two")')).toEqual({
      code: 'mapping.runtime',
      message: 'Left: NumChars must be a whole number, not "two"',
      line: 1,
      column: 1,
    });
    expect(runtimeError('Left("John", 1.5)').message).toBe('Left: NumChars must be a whole number, not 1.5');
    expect(runtimeError('Left("John", [n])').message).toBe('Left: NumChars is required but has no value');
  });
});

describe('Mid', () => {
  it('is 1-based and stops at the end of the source', () => {
    expect(value('Mid("John", 1, 1)')).toBe('J');
    expect(value('Mid("John", 2, 2)')).toBe('oh');
    expect(value('Mid("John", 3, 10)')).toBe('hn');
    expect(value('Mid("John", 9, 1)')).toBe('');
    expect(value('Mid("John", "1", "2")')).toBe('Jo');
    expect(value('Mid([missing], 1, 1)')).toBe('');
  });
  it('rejects a start before the first character and a negative length', () => {
    expect(runtimeError('Mid("John", 0, 1)').message).toBe(
      'Mid: start must be 1 or more (the first character is 1), not 0',
    );
    expect(runtimeError('Mid("John", 1, -1)').message).toBe('Mid: length must not be negative, not -1');
  });
});

describe('NormalizeDiacritics', () => {
  it("Microsoft's example", () => {
    expect(value('NormalizeDiacritics([givenName])', { givenName: 'Zoë' })).toBe('Zoe');
  });
  it("maps Microsoft's table, including letters that do not decompose", () => {
    expect(value('NormalizeDiacritics("äàâãåáąăā ÄÅ ǟ æ Æ ǣ")')).toBe('aaaaaaaaa AA a ae AE ae');
    expect(value('NormalizeDiacritics("çčć ďḏ ëèéêęěėē ğ ïîìíıī İ")')).toBe('ccc dd eeeeeeee g iiiiii I');
    expect(value('NormalizeDiacritics("ľł Ł ñńň öòőõôóō ø Ø ř ß šśșş ťț üùûúůűū ÿýȳ źžż")')).toBe(
      'll L nnn ooooooo oe OE r ss ssss tt uuuuuuu yyy zzz',
    );
  });
  it('also strips the other Latin stroke letters and leaves plain text alone', () => {
    expect(value('NormalizeDiacritics("Đorđe Þór Ħal œuvre")')).toBe('Dorde THor Hal oeuvre');
    expect(value('NormalizeDiacritics("plain ASCII 123")')).toBe('plain ASCII 123');
    expect(value('NormalizeDiacritics([missing])')).toBeNull();
  });
  it("Microsoft's UPN example", () => {
    expect(
      value(
        'ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".", [first], [last]))), "contoso.com"))',
        {
          first: 'María',
          last: 'José González',
        },
      ),
    ).toBe('maria.josegonzalez@contoso.com');
  });
});

describe('PCase', () => {
  it("Microsoft's examples", () => {
    expect(value('PCase([firstName])', { firstName: 'PABLO GONSALVES (SECOND)' })).toBe(
      'Pablo Gonsalves (Second)',
    );
    expect(value('PCase([lastName]," \'-")', { lastName: "PINTO-DE'SILVA" })).toBe("Pinto-De'Silva");
    expect(
      value('PCase(Join(" ",[firstName],[lastName]))', { firstName: 'GREGORY', lastName: 'JAMES' }),
    ).toBe('Gregory James');
    // The Workday guide's example that needs a Replace afterwards: the apostrophe separates words.
    expect(value('Replace(PCase("st john\'s hospital"),"\'S", , ,"\'s", , )')).toBe("St John's Hospital");
  });
  it("uses .NET's separator categories by default and only the given characters otherwise", () => {
    expect(value('PCase("anne-marie o\'neil_smith")')).toBe("Anne-Marie O'Neil_Smith");
    expect(value('PCase("anne-marie smith", " ")')).toBe('Anne-marie Smith');
    expect(value('PCase("3RD street a1b")')).toBe('3Rd Street A1b');
    expect(value('PCase("élodie ÉCLAIR")')).toBe('Élodie Éclair');
    expect(value('PCase([missing])')).toBeNull();
  });
});

describe('StripSpaces', () => {
  it('removes every space character and nothing else', () => {
    expect(value('StripSpaces(" José  García ")')).toBe('JoséGarcía');
    expect(value('StripSpaces("a\tb")')).toBe('a\tb');
    expect(value('StripSpaces([missing])')).toBeNull();
  });
});

describe('ToLower and ToUpper', () => {
  it('use invariant rules by default', () => {
    expect(value('ToLower("John.SMITH@Contoso.com")')).toBe('john.smith@contoso.com');
    expect(value('ToUpper("straße")')).toBe('STRASSE');
    expect(value('ToLower("I")')).toBe('i');
    expect(value('ToLower([missing])')).toBeNull();
  });
  it("apply a culture's rules when one is given", () => {
    expect(value('ToLower("I", "tr-TR")')).toBe('ı');
    expect(value('ToUpper("i", "tr-TR")')).toBe('İ');
    expect(value('ToUpper("i", "en-US")')).toBe('I');
    expect(value('ToUpper("i", )')).toBe('I');
    expect(runtimeError('ToUpper("i", [c])', { c: 'no such culture!' }).message).toBe(
      'ToUpper: "no such culture!" is not a culture name such as en-US or tr-TR',
    );
  });
});

describe('Word', () => {
  it("Microsoft's examples", () => {
    expect(value('Word("The quick brown fox",3," ")')).toBe('brown');
    expect(value('Word("This,string!has&many separators",3,",!&#")')).toBe('has');
  });
  it('returns empty for a missing string, a number below 1 or past the last word', () => {
    expect(value('Word([missing],1," ")')).toBe('');
    expect(value('Word("a b",0," ")')).toBe('');
    expect(value('Word("a b",3," ")')).toBe('');
    expect(value('Word("a,,b",2,",")')).toBe('b');
    expect(value('Word("abc",1,"")')).toBe('abc');
  });
});
