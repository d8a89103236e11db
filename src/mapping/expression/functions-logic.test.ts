import { describe, expect, it } from 'vitest';
import { evaluate, runtimeError, value } from './test-support.ts';

describe('BitAnd', () => {
  it("Microsoft's example: &HF AND &HF7 is 7", () => {
    expect(value('BitAnd(&HF, &HF7)')).toBe(7);
  });
  it('reads numbers and numeric strings, exactly up to 64 bits', () => {
    expect(value('BitAnd([userAccountControl], 2)', { userAccountControl: '514' })).toBe(2);
    expect(value('BitAnd([userAccountControl], 2)', { userAccountControl: 512 })).toBe(0);
    expect(value('BitAnd("9007199254740993", 1)')).toBe(1);
    expect(value('BitAnd(-1, 255)')).toBe(255);
  });
  it('has no value without a value and rejects non-integers', () => {
    expect(value('BitAnd([missing], 2)')).toBeNull();
    expect(runtimeError('BitAnd(1.5, 1)').message).toBe('BitAnd: value1 must be a whole number, not 1.5');
    expect(runtimeError('BitAnd(1, "x")').message).toBe('BitAnd: value2 must be a whole number, not "x"');
  });
});

describe('CBool', () => {
  it("Microsoft's example: true when both attributes are equal", () => {
    expect(value('CBool([attribute1] = [attribute2])', { attribute1: 'a', attribute2: 'a' })).toBe(true);
    expect(value('CBool([attribute1] = [attribute2])', { attribute1: 'a', attribute2: 'b' })).toBe(false);
  });
  it('is true for non-zero numbers and "True", false for zero, "False" and no value', () => {
    expect(value('CBool(1)')).toBe(true);
    expect(value('CBool("-2")')).toBe(true);
    expect(value('CBool("0")')).toBe(false);
    expect(value('CBool("true")')).toBe(true);
    expect(value('CBool(" FALSE ")')).toBe(false);
    expect(value('CBool([missing])')).toBe(false);
    expect(value('CBool([b])', { b: true })).toBe(true);
  });
  it('refuses to guess for other text', () => {
    expect(runtimeError('CBool("yes")')).toEqual({
      code: 'mapping.runtime',
      message: 'CBool: Expression must be True, False or a number, not "yes"',
      line: 1,
      column: 1,
    });
  });
});

describe('Coalesce', () => {
  it("Microsoft's example: mail when present, otherwise userPrincipalName", () => {
    expect(value('Coalesce([mail],[userPrincipalName])', { userPrincipalName: 'John.Doe@contoso.com' })).toBe(
      'John.Doe@contoso.com',
    );
    expect(value('Coalesce([mail],[userPrincipalName])', { mail: 'j@c.com', userPrincipalName: 'x' })).toBe(
      'j@c.com',
    );
  });
  it('returns the default when every source is null, and null without one', () => {
    expect(value('Coalesce([a], [b], "default")')).toBe('default');
    expect(value('Coalesce([a], [b])')).toBeNull();
    expect(value('Coalesce([a], [b])', { a: [], b: 'x' })).toBe('x');
    expect(value('Coalesce([a], "d")', { a: '' })).toBe('');
  });
  it('does not evaluate past the first value', () => {
    expect(value('Coalesce("first", CDate("not a date"))')).toBe('first');
  });
});

describe('IIF', () => {
  it("Microsoft's example: country when it is USA, otherwise department", () => {
    const expression = 'IIF([country]="USA",[country],[department])';
    expect(value(expression, { country: 'USA', department: 'Sales' })).toBe('USA');
    expect(value(expression, { country: 'FR', department: 'Sales' })).toBe('Sales');
  });
  it("Microsoft's AND and OR patterns through nesting", () => {
    const and = 'IIF([country]="USA",IIF([state]="CA","True","False"),"False")';
    const or = 'IIF([country]="USA","True",IIF([state]="CA","True","False"))';
    expect(value(and, { country: 'USA', state: 'CA' })).toBe('True');
    expect(value(and, { country: 'USA', state: 'WA' })).toBe('False');
    expect(value(or, { country: 'MX', state: 'CA' })).toBe('True');
    expect(value(or, { country: 'MX', state: 'WA' })).toBe('False');
  });
  it('works on missing attributes, which Entra documents as unsupported', () => {
    expect(value('IIF([country]="","Other",[country])')).toBe('Other');
    expect(value('IIF(IsNullOrEmpty([country]),"Other",[country])', { country: 'NL' })).toBe('NL');
    expect(value('IIF(IsPresent([country]),[country],"Other")')).toBe('Other');
  });
  it('evaluates only the chosen branch', () => {
    expect(value('IIF(True, "ok", CDate("not a date"))')).toBe('ok');
    expect(runtimeError('IIF("maybe", 1, 2)').message).toBe(
      'IIF: condition must be True, False or a number, not "maybe"',
    );
  });
});

describe('comparison operators', () => {
  it('compare numbers as numbers, booleans as booleans and text case-sensitively', () => {
    expect(value('IIF([StatusRehire]=1, "rehire", "new")', { StatusRehire: '1' })).toBe('rehire');
    expect(value('CBool("10" > "9")')).toBe(true);
    expect(value('CBool("b" > "a")')).toBe(true);
    expect(value('CBool("abc" = "ABC")')).toBe(false);
    expect(value('CBool([enabled] = "true")', { enabled: true })).toBe(true);
    expect(value('CBool([enabled] <> "False")', { enabled: false })).toBe(false);
    expect(value('CBool(2 >= 2)')).toBe(true);
    expect(value('CBool(2 <= 1)')).toBe(false);
    expect(value('CBool(1 < 2)')).toBe(true);
  });
  it('compare dates as dates', () => {
    expect(value('CBool(CDate("2021-01-01") < "2021-06-01T00:00:00Z")')).toBe(true);
    expect(value('CBool(Now() = CDate("2021-07-02T15:33:38Z"))')).toBe(true);
  });
  it('treat a missing value as equal to "" and refuse to order it', () => {
    expect(value('CBool([missing] = "")')).toBe(true);
    expect(value('CBool([missing] <> "x")')).toBe(true);
    expect(runtimeError('CBool([missing] < 1)')).toEqual({
      code: 'mapping.runtime',
      message: 'the < comparison: cannot order the left operand: it has no value',
      line: 1,
      column: 17,
    });
  });
});

describe('IsNull, IsNullOrEmpty, IsPresent and IsString', () => {
  it("Microsoft's examples", () => {
    expect(value('IsNull([displayName])')).toBe(true);
    expect(value('IsNull([displayName])', { displayName: '' })).toBe(false);
    expect(value('IsNullOrEmpty([displayName])', { displayName: '' })).toBe(true);
    expect(value('IsNullOrEmpty([displayName])')).toBe(true);
    expect(value('IsNullOrEmpty([displayName])', { displayName: 'x' })).toBe(false);
    const managers =
      'Switch(IsPresent([directManager]),[directManager], IsPresent([skiplevelManager]),[skiplevelManager], IsPresent([director]),[director])';
    // As written, Switch compares IsPresent([directManager]) ("True"/"False") with each key in turn.
    expect(value(managers, { directManager: 'dm' })).toBe('dm');
    expect(value(managers, { directManager: 'dm', skiplevelManager: 'sm', director: 'd' })).toBe('sm');
  });
  it('look at multi-valued attributes as a whole', () => {
    expect(value('IsNull([proxyAddresses])', { proxyAddresses: [] })).toBe(true);
    expect(value('IsPresent([proxyAddresses])', { proxyAddresses: [] })).toBe(false);
    expect(value('IsPresent([proxyAddresses])', { proxyAddresses: ['smtp:a@b.c'] })).toBe(true);
    expect(value('IsNullOrEmpty([proxyAddresses])', { proxyAddresses: ['', ''] })).toBe(false);
    expect(value('IsPresent(" ")')).toBe(true);
  });
  it('IsString is true only for text', () => {
    expect(value('IsString("x")')).toBe(true);
    expect(value('IsString("")')).toBe(true);
    expect(value('IsString([n])', { n: 5 })).toBe(false);
    expect(value('IsString(True)')).toBe(false);
    expect(value('IsString([missing])')).toBe(false);
    expect(value('IsString(Now())')).toBe(false);
    expect(value('IsString([a])', { a: ['x'] })).toBe(true);
    expect(value('IsString([a])', { a: ['x', 'y'] })).toBe(false);
  });
});

describe('Not', () => {
  it('flips True and returns True for anything else', () => {
    expect(value('Not("True")')).toBe(false);
    expect(value('Not("False")')).toBe(true);
    expect(value('Not([b])', { b: true })).toBe(false);
    expect(value('Not(IsPresent([x]))')).toBe(true);
    expect(value('Not([missing])')).toBe(true);
    expect(value('Not("banana")')).toBe(true);
  });
});

describe('Switch', () => {
  it("Microsoft's example: time zone by state", () => {
    const expression =
      'Switch([state], "Australia/Sydney", "NSW", "Australia/Sydney","QLD", "Australia/Brisbane", "SA", "Australia/Adelaide")';
    expect(value(expression, { state: 'QLD' })).toBe('Australia/Brisbane');
    expect(value(expression, { state: 'VIC' })).toBe('Australia/Sydney');
  });
  it('Microsoft\'s notes: case-sensitive keys, ToLower to normalise, "" matches empty', () => {
    expect(value('Switch([f], "d", "true", "1")', { f: 'True' })).toBe('d');
    expect(
      value('Switch(ToLower([statusFlag]), "0", "true", "1", "false", "0")', { statusFlag: 'TRUE' }),
    ).toBe('1');
    expect(value('Switch([statusFlag], "Default Value", "true", "1", "", "0")', { statusFlag: '' })).toBe(
      '0',
    );
    expect(value('Switch([statusFlag], "Default Value", "true", "1", "", "0")')).toBe('0');
    expect(value('Switch([Active], , "1", "True", "0", "False")', { Active: '1' })).toBe('True');
    expect(value('Switch([Active], , "1", "True", "0", "False")', { Active: '2' })).toBeNull();
  });
  it('evaluates only the matching value', () => {
    expect(value('Switch("a", CDate("x"), "a", "ok")')).toBe('ok');
    expect(value('Switch("b", "d", "a", CDate("x"))')).toBe('d');
  });
});

describe('IgnoreFlowIfNullOrEmpty and IgnoreAttributeFlow', () => {
  it("Microsoft's examples: drop the attribute when the value is null or empty", () => {
    expect(evaluate('IgnoreFlowIfNullOrEmpty([department])')).toEqual({ ok: true, value: null, flow: false });
    expect(evaluate('IgnoreFlowIfNullOrEmpty([department])', { department: '' })).toEqual({
      ok: true,
      value: null,
      flow: false,
    });
    expect(evaluate('IgnoreFlowIfNullOrEmpty([department])', { department: 'Sales' })).toEqual({
      ok: true,
      value: 'Sales',
      flow: true,
    });
    const title =
      'IgnoreFlowIfNullOrEmpty(Switch([prefix], "", "3443", "Dr.", "3444", "Prof.", "3445", "Prof. Dr."))';
    expect(evaluate(title, { prefix: '9999' })).toEqual({ ok: true, value: null, flow: false });
    expect(evaluate(title, { prefix: '3444' })).toEqual({ ok: true, value: 'Prof.', flow: true });
    expect(evaluate('IgnoreFlowIfNullOrEmpty([a])', { a: [] })).toMatchObject({ flow: false });
  });
  it("the Workday guide's IgnoreAttributeFlow branch", () => {
    const expression =
      'IIF(DateDiff("d", Now(), CDate([StatusHireDate])) >= 0, [Department], IgnoreAttributeFlow)';
    expect(evaluate(expression, { StatusHireDate: '2021-07-20', Department: 'Marketing' })).toEqual({
      ok: true,
      value: 'Marketing',
      flow: true,
    });
    expect(evaluate(expression, { StatusHireDate: '2021-06-15', Department: 'Marketing' })).toEqual({
      ok: true,
      value: null,
      flow: false,
    });
  });
  it('IgnoreObjectFlow is not applicable here', () => {
    expect(runtimeError('IIF(True, IgnoreObjectFlow, "x")')).toEqual({
      code: 'mapping.not_applicable',
      message:
        'IgnoreObjectFlow: not applicable: Joinery decides which objects are provisioned with scoping rules, not with an attribute expression',
      line: 1,
      column: 11,
    });
  });
});

describe('Redact', () => {
  it('returns its argument unchanged', () => {
    expect(value('Redact([userPrincipalName])', { userPrincipalName: 'a@b.c' })).toBe('a@b.c');
    expect(value('Redact("StringToBeRedacted")')).toBe('StringToBeRedacted');
    expect(value('Redact(RandomString(6,3,0,0,3))')).toMatch(/^[0-9a-z]{6}$/);
  });
});
