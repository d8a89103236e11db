import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileExpression, functionNames, isRedacted } from './index.ts';
import { context, evaluate, FIXED_NOW } from './test-support.ts';

function compiled(text: string) {
  const c = compileExpression(text);
  if (!c.ok) throw new Error(c.error.message);
  return c.expression;
}

describe('functionNames', () => {
  it("lists every function of Microsoft's reference, canonically spelled", () => {
    expect(functionNames).toEqual([
      'Append',
      'AppRoleAssignmentsComplex',
      'BitAnd',
      'CBool',
      'CDate',
      'Coalesce',
      'ConvertToBase64',
      'ConvertToUTF8Hex',
      'Count',
      'CStr',
      'DateAdd',
      'DateDiff',
      'DateFromNum',
      'FormatDateTime',
      'Guid',
      'IgnoreFlowIfNullOrEmpty',
      'IIF',
      'InStr',
      'IsNull',
      'IsNullOrEmpty',
      'IsPresent',
      'IsString',
      'Item',
      'Join',
      'Left',
      'Mid',
      'NormalizeDiacritics',
      'Not',
      'Now',
      'NumFromDate',
      'PCase',
      'RandomString',
      'Redact',
      'RemoveDuplicates',
      'Replace',
      'SelectUniqueValue',
      'SingleAppRoleAssignment',
      'Split',
      'StripSpaces',
      'Switch',
      'ToLower',
      'ToUpper',
      'Word',
    ]);
  });

  it('has a test for every function', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const tests = readdirSync(here)
      .filter((f) => f.startsWith('functions-') && f.endsWith('.test.ts'))
      .map((f) => readFileSync(`${here}/${f}`, 'utf8'))
      .join('\n');
    const untested = functionNames.filter(
      (name) => !tests.includes(`describe('${name}`) && !tests.includes(` ${name}`),
    );
    expect(untested).toEqual([]);
  });
});

describe('compiled expressions', () => {
  it('keep their source and the attributes they read, as written and once each', () => {
    const text = 'Join(" ", [givenName], [sn], [GivenName], [givenName])';
    const e = compiled(text);
    expect(e.source).toBe(text);
    expect(e.attributes).toEqual(['givenName', 'sn', 'GivenName']);
    expect(e.usesDirectory).toBe(false);
  });

  it('evaluate the same synchronously and asynchronously', async () => {
    const e = compiled('ToUpper([a])');
    const ctx = context({ a: 'x' });
    expect(e.evaluateSync(ctx)).toEqual({ ok: true, value: 'X', flow: true });
    expect(await e.evaluate(ctx)).toEqual({ ok: true, value: 'X', flow: true });
  });

  it('return public values: strings for dates, arrays for multi-valued results', () => {
    expect(evaluate('CDate("2021-01-01")')).toEqual({ ok: true, value: '1/1/2021 12:00:00 AM', flow: true });
    expect(evaluate('Split("a,b", ",")')).toEqual({ ok: true, value: ['a', 'b'], flow: true });
    expect(evaluate('[m]', { m: ['x', 1, true] })).toEqual({ ok: true, value: ['x', 1, true], flow: true });
    expect(evaluate('[missing]')).toEqual({ ok: true, value: null, flow: true });
    expect(evaluate('IsPresent([a])')).toEqual({ ok: true, value: false, flow: true });
  });

  it('read the clock from the context', () => {
    const e = compiled('Now()');
    const later = new Date(FIXED_NOW.getTime() + 86_400_000);
    expect(e.evaluateSync({ ...context(), now: () => later })).toMatchObject({
      value: '7/3/2021 3:33:38 PM',
    });
  });

  it('let failures of the caller’s own callbacks through', () => {
    const e = compiled('[a]');
    expect(() =>
      e.evaluateSync({
        ...context(),
        attribute: () => {
          throw new Error('record store failed');
        },
      }),
    ).toThrow('record store failed');
  });

  it('mark Redact so callers can keep the value out of their logs', () => {
    expect(isRedacted(compiled('Redact([password])'))).toBe(true);
    expect(isRedacted(compiled('Join("", "x", Redact([password]))'))).toBe(true);
    expect(isRedacted(compiled('[password]'))).toBe(false);
  });

  it('reject input that is not text without throwing', () => {
    expect(compileExpression(42 as unknown as string)).toEqual({
      ok: false,
      error: { code: 'mapping.syntax', message: 'the expression must be text', line: 1, column: 1 },
    });
  });
});

describe("Microsoft's end-to-end examples", () => {
  it('generates a lower-case UPN', () => {
    expect(
      evaluate(
        'ToLower(Join("@", NormalizeDiacritics(StripSpaces(Join(".",  [PreferredFirstName], [PreferredLastName]))), "contoso.com"))',
        {
          PreferredFirstName: 'John',
          PreferredLastName: 'Smith',
        },
      ),
    ).toEqual({ ok: true, value: 'john.smith@contoso.com', flow: true });
  });

  it('builds an OU from a Switch per city, across lines', () => {
    const expression = `Switch([City], "OU=Default,OU=Users,DC=contoso,DC=com",
      "Dallas", "OU=Dallas,OU=Users,DC=contoso,DC=com",
      "Seattle", "OU=Seattle,OU=Users,DC=contoso,DC=com"
    )`;
    expect(evaluate(expression, { City: 'Seattle' })).toMatchObject({
      value: 'OU=Seattle,OU=Users,DC=contoso,DC=com',
    });
    expect(evaluate(expression, { City: 'Chicago' })).toMatchObject({
      value: 'OU=Default,OU=Users,DC=contoso,DC=com',
    });
  });

  it('handles hire rescinds with nested Switch and a guarded CDate', () => {
    const expression = `Switch([StatusTerminated], "False", "1", "True", "0",
      Switch([StatusHireRescinded], "False", "1", "True", "0",
         Switch([Active], "False",
             "1", IIF(DateDiff("d", Now(), CDate(IIF(IsNullOrEmpty([StatusHireDate]), "9999-01-01", [StatusHireDate]))) < 7, "False", "True"),
             "0", "True")))`;
    const base = { StatusTerminated: '0', StatusHireRescinded: '0', Active: '1' };
    expect(evaluate(expression, { ...base, StatusTerminated: '1' })).toMatchObject({ value: 'True' });
    expect(evaluate(expression, { ...base, StatusHireRescinded: '1' })).toMatchObject({ value: 'True' });
    expect(evaluate(expression, { ...base, StatusHireDate: '2021-08-15' })).toMatchObject({ value: 'True' });
    expect(evaluate(expression, { ...base, StatusHireDate: '2021-07-05' })).toMatchObject({ value: 'False' });
    expect(evaluate(expression, base)).toMatchObject({ value: 'True' });
    expect(evaluate(expression, { ...base, Active: '0' })).toMatchObject({ value: 'True' });
  });

  // Microsoft's printed output for this example is garbled; this is what its steps produce.
  it('generates an ID from the object ID', () => {
    expect(
      evaluate('Join("", 1000, Replace(ConvertToUTF8Hex([objectId]), , "[a-zA-Z_]*", , "", , ))', {
        objectId: '00aa00aa-bb11-cc22-dd33-44ee44ee44ee',
      }),
    ).toMatchObject({ value: '100030306161303061612626231312636332322646433332343465653434656534346565' });
  });
});
