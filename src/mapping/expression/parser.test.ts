import { describe, expect, it } from 'vitest';
import { compileExpression } from './index.ts';
import { parse } from './parser.ts';
import { compileError, value } from './test-support.ts';

const at = (line: number, column: number) => expect.objectContaining({ line, column });

describe('syntax errors carry the position of the offending token', () => {
  it('reports a missing comma at the second argument', () => {
    expect(compileError('Append([a] "x")')).toEqual({
      code: 'mapping.syntax',
      message: "expected ',' or ')' after argument 1 of Append but found string \"x\"",
      line: 1,
      column: 12,
    });
  });

  it('reports an unterminated string at its opening quote', () => {
    const e = compileError('Append([a], "abc');
    expect(e).toEqual(at(1, 13));
    expect(e.code).toBe('mapping.syntax');
    expect(e.message).toContain('unterminated string');
  });

  it('reports an unterminated attribute at its opening bracket', () => {
    expect(compileError('ToLower([givenName')).toEqual(at(1, 9));
    expect(compileError('ToLower([givenName\n)')).toEqual(at(1, 9));
  });

  it('reports a missing closing parenthesis at the end of the input', () => {
    const e = compileError('Append([a], "x"');
    expect(e).toEqual(at(1, 16));
    expect(e.message).toContain("missing ')' for Append");
  });

  it('counts lines and columns across LF and CRLF line ends', () => {
    expect(compileError('IIF([a] = "x",\n  "yes"\n  "no")')).toEqual({
      code: 'mapping.syntax',
      message: "expected ',' or ')' after argument 2 of IIF but found string \"no\"",
      line: 3,
      column: 3,
    });
    expect(compileError('Append([a],\r\n  "x" "y")')).toEqual(at(2, 7));
    expect(compileError('Append([a],\r  "x" "y")')).toEqual(at(2, 7));
  });

  it('counts columns in code points, not UTF-16 units', () => {
    expect(compileError('Append("😀", [a] "x")')).toEqual(at(1, 17));
  });

  it('rejects empty input and trailing text', () => {
    expect(compileError('')).toEqual({
      code: 'mapping.syntax',
      message: 'empty expression',
      line: 1,
      column: 1,
    });
    expect(compileError('   ')).toEqual(at(1, 4));
    expect(compileError('Append("a","b") x')).toEqual({
      code: 'mapping.syntax',
      message: "unexpected 'x' after the end of the expression",
      line: 1,
      column: 17,
    });
  });

  it('explains common slips', () => {
    expect(compileError('Now').message).toBe('Now is a function: write Now()');
    expect(compileError('givenName').message).toContain('attribute names go in brackets ([givenName])');
    expect(compileError("Append('a', 'b')").message).toContain('double quotes');
    expect(compileError('[a] != "x"')).toEqual(at(1, 5));
    expect(compileError('[a] == "x"')).toEqual(at(1, 6));
    expect(compileError('Append([a]], "x")')).toEqual(at(1, 11));
    expect(compileError('DateAdd("d", - 5, Now())')).toEqual(at(1, 14));
    expect(compileError('BitAnd(&F, 1)').message).toContain('hexadecimal');
    expect(compileError('Append([], "x")').message).toContain('empty attribute name');
    expect(compileError('Append("a", #)').message).toBe("unexpected character '#'");
  });

  it('does not chain comparisons', () => {
    expect(compileError('IIF([a] = [b] = [c], 1, 2)')).toEqual({
      code: 'mapping.syntax',
      message: "comparisons cannot be chained: unexpected '='",
      line: 1,
      column: 15,
    });
  });

  it('rejects a value where a comma or parenthesis belongs', () => {
    expect(compileError('Append(, )').code).toBe('mapping.arity');
    expect(compileError('Append(()')).toEqual(at(1, 8));
  });
});

describe('function names and argument counts are checked at compile time', () => {
  it('rejects unknown functions, with a suggestion when one is close', () => {
    expect(compileError('Appendd("a", "b")')).toEqual({
      code: 'mapping.unknown_function',
      message: "unknown function 'Appendd'; did you mean Append?",
      line: 1,
      column: 1,
    });
    expect(compileError('Join(" ",\n  [givenName],\n  Foo([sn]))')).toEqual({
      code: 'mapping.unknown_function',
      message: "unknown function 'Foo'",
      line: 3,
      column: 3,
    });
  });

  it('resolves names case-insensitively', () => {
    expect(value('toupper("a")')).toBe('A');
    expect(value('TOUPPER("a")')).toBe('A');
    expect(value('iif(true, "y", "n")')).toBe('y');
  });

  it('names the function and its arity', () => {
    expect(compileError('Left("abc")')).toEqual({
      code: 'mapping.arity',
      message: 'Left expects 2 arguments but got 1: Left(String, NumChars)',
      line: 1,
      column: 1,
    });
    expect(compileError('Mid("a", 1, 2, 3)').message).toBe(
      'Mid expects 3 arguments but got 4: Mid(source, start, length)',
    );
    expect(compileError('Guid(1)').message).toBe('Guid expects 0 arguments but got 1: Guid()');
    expect(compileError('InStr("a")').message).toBe(
      'InStr expects 2 to 4 arguments but got 1: InStr(value1, value2, start, compareType)',
    );
    expect(compileError('Join(",")').message).toBe(
      'Join expects at least 2 arguments but got 1: Join(separator, source1, source2, …)',
    );
    expect(compileError('Join(" ", Left("a"))')).toEqual(at(1, 11));
  });

  it('checks pairs in Switch and filled positions in Replace', () => {
    expect(compileError('Switch([a], "d", "k", "v", "k2")').message).toBe(
      'Switch: keys and values must come in pairs, so the argument count must be even (got 5): Switch(source, defaultValue, key1, value1, key2, value2, …)',
    );
    expect(compileError('Replace([a], , , , , , )').message).toBe(
      'Replace: fill in oldValue or regexPattern',
    );
    expect(compileError('Replace([a], "x", , , , , )').message).toBe(
      'Replace: with oldValue, fill in replacementValue or template',
    );
  });

  it('allows empty positions only where a parameter is optional', () => {
    expect(compileError('Append(, "x")')).toEqual({
      code: 'mapping.arity',
      message: 'Append: argument 1 (source) cannot be left empty: Append(source, suffix)',
      line: 1,
      column: 8,
    });
    expect(compileError('Left("abc", )')).toEqual(at(1, 13));
    expect(value('Switch([x], , "a", "b")')).toBeNull();
    expect(value('Switch([x], , "a", "b")', { x: 'a' })).toBe('b');
  });

  it('reports literal arguments that can never work at the argument', () => {
    expect(compileError('Replace([a], , "(", , "x", , )')).toEqual({
      code: 'mapping.syntax',
      message: expect.stringContaining('Replace: "(" is not a valid regular expression'),
      line: 1,
      column: 16,
    });
    expect(compileError('DateAdd("days", 1, Now())')).toEqual(at(1, 9));
    expect(compileError('FormatDateTime([d], , "Q", "yyyy")')).toEqual(at(1, 23));
    expect(compileError('FormatDateTime([d], "Sideways", "yyyy", "yyyy")')).toEqual(at(1, 21));
    expect(compileError('ToLower([a], "not a culture!")')).toEqual(at(1, 14));
  });

  it('requires SelectUniqueValue to be the whole expression', () => {
    expect(compileError('ToLower(SelectUniqueValue("a", "b"))')).toEqual({
      code: 'mapping.syntax',
      message:
        'SelectUniqueValue must be the whole expression, not part of one: the value checked for uniqueness must be the value written',
      line: 1,
      column: 9,
    });
  });
});

describe('attribute references', () => {
  it('take the text between the outermost brackets, nested brackets included', () => {
    const c = compileExpression(
      'Join(" ", [name.givenName], [emails[type eq "work"].value], [name.givenName])',
    );
    expect(c.ok && c.expression.attributes).toEqual(['name.givenName', 'emails[type eq "work"].value']);
    expect(value('[emails[type eq "work"].value]', { 'emails[type eq "work"].value': 'a@b.c' })).toBe(
      'a@b.c',
    );
  });

  it('do not close on a bracket inside a quoted filter value', () => {
    const c = compileExpression('[emails[type eq "w]rk"].value]');
    expect(c.ok && c.expression.attributes).toEqual(['emails[type eq "w]rk"].value']);
  });

  it('accept SCIM extension URNs', () => {
    const name = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department';
    expect(value(`ToUpper([${name}])`, { [name]: 'sales' })).toBe('SALES');
  });
});

describe('literals', () => {
  it('decode the two documented escapes and keep other backslashes', () => {
    expect(value('"Company name: \\"Contoso\\""')).toBe('Company name: "Contoso"');
    expect(value('"a\\\\b"')).toBe('a\\b');
    expect(value('"\\d+\\+"')).toBe('\\d+\\+');
    expect(value('"two\nlines"')).toBe('two\nlines');
  });

  it('read decimal, negative and VBA hexadecimal numbers, True/False and documented constants', () => {
    expect(value('1000')).toBe(1000);
    expect(value('-10')).toBe(-10);
    expect(value('2.5')).toBe(2.5);
    expect(value('&HF7')).toBe(247);
    expect(value('&hff')).toBe(255);
    expect(value('True')).toBe(true);
    expect(value('FALSE')).toBe(false);
    expect(value('vbTextCompare')).toBe(1);
    expect(value('vbBinaryCompare')).toBe(0);
  });

  it('allow whitespace between any tokens', () => {
    expect(value('  Append (\t[a]\n ,  "x"  )  ', { a: 'y' })).toBe('yx');
    expect(value('Left ( "abc" , 2 )')).toBe('ab');
  });
});

describe('nesting is bounded', () => {
  const nested = (n: number) => `${'ToLower('.repeat(n)}"A"${')'.repeat(n)}`;
  it('accepts 64 nested calls and rejects 65 at the 65th', () => {
    expect(value(nested(64))).toBe('a');
    expect(compileError(nested(65))).toEqual({
      code: 'mapping.syntax',
      message: 'expression is nested more than 64 function calls deep',
      line: 1,
      column: 1 + 64 * 8,
    });
  });

  it('survives hostile depth without exhausting the stack', () => {
    expect(compileError(nested(100_000)).code).toBe('mapping.syntax');
    expect(compileError('['.repeat(100_000)).code).toBe('mapping.syntax');
  });
});

describe('the syntax tree', () => {
  it('records omitted arguments and comparison operators', () => {
    expect(parse('Switch([a], , "1", [b] <> 2)')).toEqual({
      kind: 'call',
      name: 'Switch',
      at: { line: 1, column: 1 },
      args: [
        { kind: 'attribute', name: 'a', at: { line: 1, column: 8 } },
        { kind: 'omitted', at: { line: 1, column: 13 } },
        { kind: 'string', value: '1', at: { line: 1, column: 15 } },
        {
          kind: 'compare',
          op: '<>',
          at: { line: 1, column: 24 },
          left: { kind: 'attribute', name: 'b', at: { line: 1, column: 20 } },
          right: { kind: 'number', value: 2, raw: '2', at: { line: 1, column: 27 } },
        },
      ],
    });
  });
});
