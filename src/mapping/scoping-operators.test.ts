import { describe, expect, it } from 'vitest';
import { compileScoping, type ScopingDecision, type ScopingFilters } from './scoping.ts';
import { flatSourceRecord, type SourceRecord } from './source-record.ts';

function scopeOf(filters: ScopingFilters): (record: SourceRecord) => ScopingDecision {
  const compiled = compileScoping(filters);
  if (!compiled.ok) throw new Error(`expected to compile: ${compiled.message}`);
  return compiled.scope;
}

/** Whether a single clause holds for a record built from `values`. */
function holds(operator: string, value: string | undefined, values: Record<string, unknown>): boolean {
  const clause = value === undefined ? { attribute: 'a', operator } : { attribute: 'a', operator, value };
  return scopeOf([{ clauses: [clause] }])(flatSourceRecord(values)).inScope;
}

describe('scoping operators', () => {
  it('EQUALS is exact and case-sensitive', () => {
    expect(holds('EQUALS', 'Sales', { a: 'Sales' })).toBe(true);
    expect(holds('EQUALS', 'Sales', { a: 'sales' })).toBe(false);
    expect(holds('EQUALS', 'Sales', { a: 'Sales ' })).toBe(false);
    expect(holds('EQUALS', 'Sales', { a: 'Sales EMEA' })).toBe(false);
    expect(holds('EQUALS', '1234', { a: 1234 })).toBe(true);
    expect(holds('EQUALS', 'true', { a: true })).toBe(true);
    expect(holds('EQUALS', 'Sales', {})).toBe(false);
    expect(holds('EQUALS', 'Sales', { a: null })).toBe(false);
    expect(holds('EQUALS', 'Sales', { a: ['HR', 'Sales'] })).toBe(true);
    expect(holds('EQUALS', 'Sales', { a: ['HR', 'IT'] })).toBe(false);
  });

  it('NOT EQUALS is case-sensitive, false for empty attributes, and means no value equals', () => {
    expect(holds('NOT EQUALS', 'Contractor', { a: 'Employee' })).toBe(true);
    expect(holds('NOT EQUALS', 'Contractor', { a: 'contractor' })).toBe(true);
    expect(holds('NOT EQUALS', 'Contractor', { a: 'Contractor' })).toBe(false);
    expect(holds('NOT EQUALS', 'Contractor', {})).toBe(false);
    expect(holds('NOT EQUALS', 'Contractor', { a: null })).toBe(false);
    expect(holds('NOT EQUALS', 'Contractor', { a: '' })).toBe(false);
    expect(holds('NOT EQUALS', 'Contractor', { a: ['Employee', 'Intern'] })).toBe(true);
    expect(holds('NOT EQUALS', 'Contractor', { a: ['Employee', 'Contractor'] })).toBe(false);
  });

  it('IS TRUE and IS FALSE read booleans and their text', () => {
    expect(holds('IS TRUE', undefined, { a: true })).toBe(true);
    expect(holds('IS TRUE', undefined, { a: 'True' })).toBe(true);
    expect(holds('IS TRUE', undefined, { a: 'true' })).toBe(true);
    expect(holds('IS TRUE', undefined, { a: false })).toBe(false);
    expect(holds('IS TRUE', undefined, { a: 'yes' })).toBe(false);
    expect(holds('IS TRUE', undefined, { a: 1 })).toBe(false);
    expect(holds('IS TRUE', undefined, {})).toBe(false);
    expect(holds('IS TRUE', undefined, { a: null })).toBe(false);
    expect(holds('IS TRUE', undefined, { a: [false, true] })).toBe(true);
    expect(holds('IS FALSE', undefined, { a: false })).toBe(true);
    expect(holds('IS FALSE', undefined, { a: 'FALSE' })).toBe(true);
    expect(holds('IS FALSE', undefined, { a: true })).toBe(false);
    expect(holds('IS FALSE', undefined, { a: '0' })).toBe(false);
    expect(holds('IS FALSE', undefined, {})).toBe(false);
    expect(holds('IS FALSE', undefined, { a: [true] })).toBe(false);
  });

  it('IS NULL and IS NOT NULL treat absent, null, "" and empty arrays as empty', () => {
    for (const empty of [{}, { a: null }, { a: '' }, { a: [] }, { a: [null, ''] }]) {
      expect(holds('IS NULL', undefined, empty)).toBe(true);
      expect(holds('IS NOT NULL', undefined, empty)).toBe(false);
    }
    for (const full of [{ a: 'x' }, { a: ' ' }, { a: 0 }, { a: false }, { a: [null, 'x'] }]) {
      expect(holds('IS NULL', undefined, full)).toBe(false);
      expect(holds('IS NOT NULL', undefined, full)).toBe(true);
    }
  });

  it('REGEX MATCH searches unanchored, case-sensitively, accepting .NET-style escapes', () => {
    expect(holds('REGEX MATCH', '.*\\@contoso.com', { a: 'jdoe@contoso.com' })).toBe(true);
    expect(holds('REGEX MATCH', '.*\\@contoso.com', { a: 'jdoe@fabrikam.com' })).toBe(false);
    expect(holds('REGEX MATCH', '([1-9][0-9])', { a: '42' })).toBe(true);
    expect(holds('REGEX MATCH', '([1-9][0-9])', { a: 'a7' })).toBe(false);
    expect(holds('REGEX MATCH', '^1[0-9]{6}$', { a: 1500000 })).toBe(true);
    expect(holds('REGEX MATCH', '^1[0-9]{6}$', { a: 2500000 })).toBe(false);
    expect(holds('REGEX MATCH', 'sales', { a: 'Sales' })).toBe(false);
    expect(holds('REGEX MATCH', '(?i)sales', { a: 'Sales' })).toBe(true);
    expect(holds('REGEX MATCH', '.*', {})).toBe(false);
    expect(holds('REGEX MATCH', '.*', { a: '' })).toBe(false);
    expect(holds('REGEX MATCH', '@contoso', { a: ['x@fabrikam.com', 'x@contoso.com'] })).toBe(true);
  });

  it('NOT REGEX MATCH is false for empty attributes and means no value matches', () => {
    expect(holds('NOT REGEX MATCH', '@contoso\\.com$', { a: 'x@fabrikam.com' })).toBe(true);
    expect(holds('NOT REGEX MATCH', '@contoso\\.com$', { a: 'x@contoso.com' })).toBe(false);
    expect(holds('NOT REGEX MATCH', '@contoso\\.com$', {})).toBe(false);
    expect(holds('NOT REGEX MATCH', '@contoso\\.com$', { a: null })).toBe(false);
    expect(holds('NOT REGEX MATCH', '@contoso\\.com$', { a: ['x@fabrikam.com', 'y@example.org'] })).toBe(
      true,
    );
    expect(holds('NOT REGEX MATCH', '@contoso\\.com$', { a: ['x@fabrikam.com', 'x@contoso.com'] })).toBe(
      false,
    );
  });

  it('runs the same compiled regex on many records without lastIndex state', () => {
    const scope = scopeOf([{ clauses: [{ attribute: 'a', operator: 'REGEX MATCH', value: 'x' }] }]);
    const r = flatSourceRecord({ a: 'x' });
    expect([scope(r).inScope, scope(r).inScope, scope(r).inScope]).toEqual([true, true, true]);
  });

  it('Includes is a case-sensitive substring test (.NET String.Contains)', () => {
    expect(holds('Includes', 'Sales', { a: 'EMEA Sales Team' })).toBe(true);
    expect(holds('Includes', 'Sales', { a: 'Sales' })).toBe(true);
    expect(holds('Includes', 'Sales', { a: 'emea sales team' })).toBe(false);
    expect(holds('Includes', 'Sales', { a: 'Marketing' })).toBe(false);
    expect(holds('Includes', '12', { a: 3120 })).toBe(true);
    expect(holds('Includes', 'Sales', {})).toBe(false);
    expect(holds('Includes', 'Sales', { a: ['HR', 'Inside Sales'] })).toBe(true);
    expect(holds('Includes', 'Sales', { a: ['HR', 'IT'] })).toBe(false);
  });

  it('& holds when the attribute occurs within the clause value, as Entra documents', () => {
    expect(holds('&', 'Sales,Marketing,HR', { a: 'Marketing' })).toBe(true);
    expect(holds('&', 'Sales,Marketing,HR', { a: 'Finance' })).toBe(false);
    expect(holds('&', 'Sales,Marketing,HR', { a: 'marketing' })).toBe(false);
    expect(holds('&', 'Sales,Marketing,HR', {})).toBe(false);
    // An empty string occurs in every string; Entra's null/empty rule keeps it out.
    expect(holds('&', 'Sales,Marketing,HR', { a: '' })).toBe(false);
    expect(holds('&', '2', { a: 2 })).toBe(true);
    expect(holds('&', 'Sales,HR', { a: ['IT', 'HR'] })).toBe(true);
  });

  it('!& holds when the attribute does not occur within the clause value', () => {
    expect(holds('!&', 'Sales,Marketing,HR', { a: 'Finance' })).toBe(true);
    expect(holds('!&', 'Sales,Marketing,HR', { a: 'Sales' })).toBe(false);
    expect(holds('!&', 'Sales,Marketing,HR', { a: 'sales' })).toBe(true);
    expect(holds('!&', 'Sales,Marketing,HR', {})).toBe(false);
    expect(holds('!&', 'Sales,Marketing,HR', { a: null })).toBe(false);
    expect(holds('!&', 'Sales,HR', { a: ['IT', 'Finance'] })).toBe(true);
    expect(holds('!&', 'Sales,HR', { a: ['IT', 'HR'] })).toBe(false);
  });

  it('ENDS_WITH is a case-sensitive suffix test', () => {
    expect(holds('ENDS_WITH', '@contoso.com', { a: 'jdoe@contoso.com' })).toBe(true);
    expect(holds('ENDS_WITH', '@contoso.com', { a: 'jdoe@CONTOSO.COM' })).toBe(false);
    expect(holds('ENDS_WITH', '@contoso.com', { a: 'jdoe@contoso.com.evil' })).toBe(false);
    expect(holds('ENDS_WITH', '@contoso.com', {})).toBe(false);
    expect(holds('ENDS_WITH', '@contoso.com', { a: ['a@fabrikam.com', 'b@contoso.com'] })).toBe(true);
  });

  it('Greater_Than compares integers, numbers or integer text', () => {
    expect(holds('Greater_Than', '1000000', { a: 1000001 })).toBe(true);
    expect(holds('Greater_Than', '1000000', { a: 1000000 })).toBe(false);
    expect(holds('Greater_Than', '1000000', { a: '1500000' })).toBe(true);
    expect(holds('Greater_Than', '1000000', { a: ' 1500000 ' })).toBe(true);
    expect(holds('Greater_Than', '1000000', { a: '999999' })).toBe(false);
    // Text comparison would say "9" > "10"; this is numeric.
    expect(holds('Greater_Than', '10', { a: '9' })).toBe(false);
    expect(holds('Greater_Than', '-5', { a: -4 })).toBe(true);
    expect(holds('Greater_Than', '10', { a: '12.5' })).toBe(false);
    expect(holds('Greater_Than', '10', { a: 12.5 })).toBe(false);
    expect(holds('Greater_Than', '10', { a: 'twelve' })).toBe(false);
    expect(holds('Greater_Than', '10', { a: true })).toBe(false);
    expect(holds('Greater_Than', '10', {})).toBe(false);
    expect(holds('Greater_Than', '10', { a: ['3', '11'] })).toBe(true);
    expect(holds('Greater_Than', '10', { a: ['3', '10'] })).toBe(false);
    expect(holds('Greater_Than', '9007199254740993', { a: '9007199254740994' })).toBe(true);
  });

  it('Greater_Than_OR_EQUALS includes the bound', () => {
    expect(holds('Greater_Than_OR_EQUALS', '1000000', { a: 1000000 })).toBe(true);
    expect(holds('Greater_Than_OR_EQUALS', '1000000', { a: '1000000' })).toBe(true);
    expect(holds('Greater_Than_OR_EQUALS', '1000000', { a: 999999 })).toBe(false);
    expect(holds('Greater_Than_OR_EQUALS', '1000000', { a: null })).toBe(false);
    expect(holds('Greater_Than_OR_EQUALS', '0', { a: 0 })).toBe(true);
  });

  it('accepts operator names in any case, with spaces or underscores', () => {
    const record = { a: 'Sales', t: 'true', n: 5 };
    expect(holds('equals', 'Sales', record)).toBe(true);
    expect(holds('not_equals', 'HR', record)).toBe(true);
    expect(holds('Not Equals', 'HR', record)).toBe(true);
    expect(holds('REGEX_MATCH', '^S', record)).toBe(true);
    expect(holds('not regex match', '^H', record)).toBe(true);
    expect(holds('IS_NOT_NULL', undefined, record)).toBe(true);
    expect(holds('is  null', undefined, record)).toBe(false);
    expect(holds('INCLUDES', 'ale', record)).toBe(true);
    expect(holds('ends with', 'les', record)).toBe(true);
    expect(holds('GREATER THAN', '4', { a: 5 })).toBe(true);
    expect(holds('greater_than_or_equals', '5', { a: 5 })).toBe(true);
    expect(holds(' EQUALS ', 'Sales', record)).toBe(true);
  });
});
