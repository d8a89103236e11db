import { describe, expect, it } from 'vitest';
import { compileScoping, type ScopingDecision, type ScopingFilters, scopingFilterSchema } from './scoping.ts';
import { compileScopingRegex, MAX_PATTERN_LENGTH, nestedQuantifier } from './scoping-regex.ts';
import { flatSourceRecord, type SourceRecord, scimSourceRecord } from './source-record.ts';

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

function compileError(filters: unknown): { message: string; path: (string | number)[] } {
  const compiled = compileScoping(filters as ScopingFilters);
  if (compiled.ok) throw new Error('expected a compile error');
  return { message: compiled.message, path: compiled.path };
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

describe('combining clauses and filters', () => {
  const employeesInSales: ScopingFilters = [
    {
      name: 'Employees only',
      clauses: [
        { attribute: 'department', operator: 'EQUALS', value: 'Sales' },
        { attribute: 'userType', operator: 'EQUALS', value: 'Employee' },
      ],
    },
  ];

  it('puts everything in scope when there are no filters', () => {
    const scope = scopeOf([]);
    expect(scope(flatSourceRecord({}))).toEqual({ inScope: true });
    expect(scope(flatSourceRecord({ department: 'HR' }))).toEqual({ inScope: true });
  });

  it('ANDs the clauses of a filter', () => {
    const scope = scopeOf(employeesInSales);
    expect(scope(flatSourceRecord({ department: 'Sales', userType: 'Employee' }))).toEqual({ inScope: true });
    expect(scope(flatSourceRecord({ department: 'Sales', userType: 'Contractor' }))).toEqual({
      inScope: false,
      reason:
        'out of scope: no filter matched; filter "Employees only" failed at userType EQUALS "Employee" (value "Contractor")',
      filter: 'Employees only',
      clause: { attribute: 'userType', operator: 'EQUALS', value: 'Employee' },
    });
  });

  it('reports the first failing clause with the value it saw', () => {
    const scope = scopeOf(employeesInSales);
    expect(scope(flatSourceRecord({ department: 'HR', userType: 'Contractor' }))).toEqual({
      inScope: false,
      reason:
        'out of scope: no filter matched; filter "Employees only" failed at department EQUALS "Sales" (value "HR")',
      filter: 'Employees only',
      clause: { attribute: 'department', operator: 'EQUALS', value: 'Sales' },
    });
    expect(scope(flatSourceRecord({ userType: 'Employee' }))).toMatchObject({
      inScope: false,
      reason:
        'out of scope: no filter matched; filter "Employees only" failed at department EQUALS "Sales" (attribute absent)',
    });
    expect(scope(flatSourceRecord({ department: null }))).toMatchObject({
      reason:
        'out of scope: no filter matched; filter "Employees only" failed at department EQUALS "Sales" (value null)',
    });
  });

  it('ORs filters and explains each failure when none matches', () => {
    const scope = scopeOf([
      { name: 'Sales', clauses: [{ attribute: 'department', operator: 'EQUALS', value: 'Sales' }] },
      {
        clauses: [
          { attribute: 'active', operator: 'is true' },
          { attribute: 'employeeId', operator: 'Greater_Than', value: '1000' },
        ],
      },
    ]);
    expect(scope(flatSourceRecord({ department: 'Sales' }))).toEqual({ inScope: true });
    expect(scope(flatSourceRecord({ department: 'HR', active: true, employeeId: 1001 }))).toEqual({
      inScope: true,
    });
    expect(scope(flatSourceRecord({ department: 'HR', active: true, employeeId: 999 }))).toEqual({
      inScope: false,
      reason:
        'out of scope: no filter matched; filter "Sales" failed at department EQUALS "Sales" (value "HR"); ' +
        'filter 2 failed at employeeId Greater_Than "1000" (value 999)',
      filter: 'Sales',
      clause: { attribute: 'department', operator: 'EQUALS', value: 'Sales' },
    });
    expect(scope(flatSourceRecord({ department: 'HR', active: 'False' }))).toMatchObject({
      reason:
        'out of scope: no filter matched; filter "Sales" failed at department EQUALS "Sales" (value "HR"); ' +
        'filter 2 failed at active IS TRUE (value "False")',
    });
  });

  it('leaves filter out of an unnamed filter failure and keeps the clause as configured', () => {
    const scope = scopeOf([{ clauses: [{ attribute: 'Title', operator: 'is_not_null' }] }]);
    expect(scope(flatSourceRecord({ title: '' }))).toEqual({
      inScope: false,
      reason: 'out of scope: no filter matched; filter 1 failed at Title IS NOT NULL (value "")',
      clause: { attribute: 'Title', operator: 'is_not_null' },
    });
  });

  it('shows multi-valued values and truncates long ones', () => {
    const scope = scopeOf([
      { clauses: [{ attribute: 'emails', operator: 'ENDS_WITH', value: '@contoso.com' }] },
    ]);
    const many = scope(scimSourceRecord({ emails: [{ value: 'a@x.org' }, { value: 'b@y.org' }] }));
    expect(many).toMatchObject({
      reason:
        'out of scope: no filter matched; filter 1 failed at emails ENDS_WITH "@contoso.com" (value ["a@x.org","b@y.org"])',
    });
    const long = scope(flatSourceRecord({ emails: 'x'.repeat(500) }));
    expect(long.inScope).toBe(false);
    if (long.inScope) return;
    expect(long.reason).toBe(
      `out of scope: no filter matched; filter 1 failed at emails ENDS_WITH "@contoso.com" (value "${'x'.repeat(119)}…)`,
    );
  });

  it('scopes a SCIM bulkUpload record by extension attributes and value paths', () => {
    const scope = scopeOf([
      {
        name: 'Paris sales',
        clauses: [
          {
            attribute: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
            operator: 'EQUALS',
            value: 'Sales',
          },
          { attribute: 'addresses[type eq "work"].locality', operator: 'EQUALS', value: 'Paris' },
          { attribute: 'emails[type eq "work"].value', operator: 'ENDS_WITH', value: '@contoso.com' },
          { attribute: 'active', operator: 'IS TRUE' },
        ],
      },
    ]);
    const data = {
      userName: 'jdoe@contoso.com',
      active: true,
      emails: [{ type: 'work', value: 'jdoe@contoso.com' }],
      addresses: [{ type: 'work', locality: 'Paris' }],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'Sales' },
    };
    expect(scope(scimSourceRecord(data))).toEqual({ inScope: true });
    expect(
      scope(scimSourceRecord({ ...data, addresses: [{ type: 'work', locality: 'Lyon' }] })),
    ).toMatchObject({
      reason:
        'out of scope: no filter matched; filter "Paris sales" failed at addresses[type eq "work"].locality EQUALS "Paris" (value "Lyon")',
    });
  });
});

describe('validation', () => {
  it('rejects unknown operators with the path and the filter named', () => {
    const e = compileError([
      {
        name: 'HR',
        clauses: [
          { attribute: 'a', operator: 'EQUALS', value: 'x' },
          { attribute: 'b', operator: 'CONTAINS', value: 'y' },
        ],
      },
    ]);
    expect(e.path).toEqual([0, 'clauses', 1, 'operator']);
    expect(e.message).toBe(
      'filter "HR", clause 2: unknown operator "CONTAINS"; expected one of EQUALS, NOT EQUALS, IS TRUE, IS FALSE, IS NULL, IS NOT NULL, REGEX MATCH, NOT REGEX MATCH, Includes, &, !&, ENDS_WITH, Greater_Than, Greater_Than_OR_EQUALS',
    );
  });

  it('rejects a value on operators that take none', () => {
    for (const operator of ['IS TRUE', 'IS FALSE', 'IS NULL', 'IS_NOT_NULL']) {
      const e = compileError([{ clauses: [{ attribute: 'a', operator, value: 'x' }] }]);
      expect(e.path).toEqual([0, 'clauses', 0, 'value']);
      expect(e.message).toMatch(/^filter 1, clause 1: IS (TRUE|FALSE|NULL|NOT NULL) takes no value$/);
    }
    expect(compileError([{ clauses: [{ attribute: 'a', operator: 'is null', value: '' }] }]).message).toBe(
      'filter 1, clause 1: IS NULL takes no value',
    );
  });

  it('requires a non-empty value on operators that take one', () => {
    for (const operator of [
      'EQUALS',
      'NOT EQUALS',
      'REGEX MATCH',
      'NOT REGEX MATCH',
      'Includes',
      '&',
      '!&',
      'ENDS_WITH',
      'Greater_Than',
      'Greater_Than_OR_EQUALS',
    ]) {
      const e = compileError([{ clauses: [{ attribute: 'a', operator }] }]);
      expect(e.path).toEqual([0, 'clauses', 0, 'value']);
      expect(e.message).toMatch(/needs a non-empty value$/);
    }
    expect(compileError([{ clauses: [{ attribute: 'a', operator: 'EQUALS', value: '' }] }]).message).toBe(
      'filter 1, clause 1: EQUALS needs a non-empty value (to test for empty, use IS NULL)',
    );
  });

  it('rejects non-integer values on the integer operators', () => {
    for (const value of ['1.5', 'abc', '1e3', ' 10', '0x10', '10 ']) {
      const e = compileError([{ clauses: [{ attribute: 'a', operator: 'Greater_Than', value }] }]);
      expect(e.path).toEqual([0, 'clauses', 0, 'value']);
      expect(e.message).toBe(
        `filter 1, clause 1: Greater_Than compares integers; ${JSON.stringify(value)} is not one`,
      );
    }
    expect(
      compileScoping([{ clauses: [{ attribute: 'a', operator: 'Greater_Than_OR_EQUALS', value: '-3' }] }]).ok,
    ).toBe(true);
  });

  it('rejects invalid and catastrophic regexes at compile time', () => {
    const invalid = compileError([
      { clauses: [{ attribute: 'a', operator: 'REGEX MATCH', value: '([a-z' }] },
    ]);
    expect(invalid.path).toEqual([0, 'clauses', 0, 'value']);
    expect(invalid.message).toMatch(/^filter 1, clause 1: invalid regular expression: /);
    const nested = compileError([
      { clauses: [{ attribute: 'a', operator: 'NOT REGEX MATCH', value: '^(a+)+$' }] },
    ]);
    expect(nested.message).toBe(
      'filter 1, clause 1: regular expression has a repeated group that itself repeats ((a+)+), which can take exponential time; rewrite it without the nested repetition',
    );
    const long = compileError([
      { clauses: [{ attribute: 'a', operator: 'REGEX MATCH', value: 'a'.repeat(MAX_PATTERN_LENGTH + 1) }] },
    ]);
    expect(long.message).toBe(
      `filter 1, clause 1: regular expression is longer than ${MAX_PATTERN_LENGTH} characters`,
    );
  });

  it('rejects structural mistakes with their path', () => {
    expect(compileError([{ clauses: [] }])).toEqual({
      message: 'filter 1: a filter needs at least one clause',
      path: [0, 'clauses'],
    });
    expect(compileError([{ name: 'X', clauses: [{ attribute: ' ', operator: 'IS NULL' }] }])).toEqual({
      message: 'filter "X", clause 1: attribute must not be empty',
      path: [0, 'clauses', 0, 'attribute'],
    });
    expect(compileError([{ clauses: [{ attribute: 'a', operator: 'EQUALS', value: 5 }] }])).toEqual({
      message: 'filter 1, clause 1: value must be a string (quote numbers and booleans)',
      path: [0, 'clauses', 0, 'value'],
    });
    expect(
      compileError([{ clauses: [{ attribute: 'a', operator: 'IS NULL', values: ['x'] }] }]).path,
    ).toEqual([0, 'clauses', 0]);
    expect(compileError({ clauses: [] }).path).toEqual([]);
  });

  it('checks the same rules in the schema, for config loading', () => {
    const good = scopingFilterSchema.safeParse([{ clauses: [{ attribute: 'a', operator: 'is_true' }] }]);
    expect(good.success).toBe(true);
    const bad = scopingFilterSchema.safeParse([
      { clauses: [{ attribute: 'a', operator: 'EQUALS', value: 'x' }] },
      {
        clauses: [
          { attribute: 'b', operator: 'REGEX MATCH', value: '(x*)*' },
          { attribute: 'c', operator: 'IS NULL', value: 'y' },
        ],
      },
    ]);
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => ({ path: i.path, message: i.message }))).toEqual([
      {
        path: [1, 'clauses', 0, 'value'],
        message:
          'regular expression has a repeated group that itself repeats ((x*)*), which can take exponential time; rewrite it without the nested repetition',
      },
      { path: [1, 'clauses', 1, 'value'], message: 'IS NULL takes no value' },
    ]);
  });
});

describe('regex screening', () => {
  it('flags groups that repeat something and are repeated without bound', () => {
    expect(nestedQuantifier('(a+)+')).toBe('(a+)+');
    expect(nestedQuantifier('^(\\d*)*$')).toBe('(\\d*)*');
    expect(nestedQuantifier('(a{1,3})+')).toBe('(a{1,3})+');
    expect(nestedQuantifier('x((ab)+c){2,}')).toBe('((ab)+c){2,}');
    expect(nestedQuantifier('((a+)b)*')).toBe('((a+)b)*');
    expect(nestedQuantifier('(?:[a-z]+\\.)+')).toBe('(?:[a-z]+\\.)+');
    expect(nestedQuantifier('(a+)+?')).toBe('(a+)+');
  });

  it('passes ordinary patterns', () => {
    for (const p of [
      '.*\\@domain.com',
      '(1[0-9][0-9][0-9][0-9][0-9][0-9])',
      '^(\\d{1,3}\\.){3}\\d{1,3}$',
      '(ab)+',
      '(a+)?',
      '[(+*)]+',
      '\\(a+\\)+',
      '(a+)b+',
      'a{2}{3}',
      '^[A-Z]{2}-\\d+$',
    ]) {
      expect(nestedQuantifier(p)).toBeUndefined();
    }
  });

  it('translates a leading (?i) into the i flag and leaves other inline options to fail', () => {
    const ci = compileScopingRegex('(?i)^sales$');
    expect(ci.ok && ci.regex.flags).toBe('i');
    expect(ci.ok && ci.regex.test('SALES')).toBe(true);
    expect(compileScopingRegex('(?m)^x').ok).toBe(false);
  });
});
