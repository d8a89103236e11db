import { describe, expect, it } from 'vitest';
import { compileScoping, type ScopingDecision, type ScopingFilters, scopingFilterSchema } from './scoping.ts';
import { compileScopingRegex, MAX_PATTERN_LENGTH, nestedQuantifier } from './scoping-regex.ts';
import { flatSourceRecord, type SourceRecord, scimSourceRecord } from './source-record.ts';

function scopeOf(filters: ScopingFilters): (record: SourceRecord) => ScopingDecision {
  const compiled = compileScoping(filters);
  if (!compiled.ok) throw new Error(`expected to compile: ${compiled.message}`);
  return compiled.scope;
}

function compileError(filters: unknown): { message: string; path: (string | number)[] } {
  const compiled = compileScoping(filters as ScopingFilters);
  if (compiled.ok) throw new Error('expected a compile error');
  return { message: compiled.message, path: compiled.path };
}

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
