/** RFC 7644 §3.5.2: the PatchOp message, add and replace; remove is in patch.remove.test.ts. */
import { describe, expect, it } from 'vitest';
import type { ScimResult } from '../errors.ts';
import { CORE_USER, ENTERPRISE_USER, JOINERY_USER } from '../schemas/index.ts';
import { applyPatch, type ScimResource } from './index.ts';
import { failure, ok, PATCH_OP, patch, richUser, run, users } from './test-fixtures.ts';

/** Asserts a 400 with the given scimType (and detail pattern). */
function fails(result: ScimResult<ScimResource>, scimType: string, detail?: RegExp) {
  const error = failure(result);
  expect(error).toMatchObject({ status: 400, scimType });
  if (detail) expect(error.detail).toMatch(detail);
}

const user = richUser;

describe('the PatchOp message (RFC 7644 §3.5.2)', () => {
  it.each([
    ['a non-object body', 'nope', /PatchOp JSON object/],
    ['a missing schemas', { Operations: [{ op: 'add', value: {} }] }, /schemas/],
    ['a wrong schemas', { schemas: [CORE_USER], Operations: [{ op: 'add', value: {} }] }, /schemas/],
    ['missing Operations', { schemas: [PATCH_OP] }, /Operations/],
    ['empty Operations', { schemas: [PATCH_OP], Operations: [] }, /non-empty/],
    ['Operations not an array', { schemas: [PATCH_OP], Operations: { op: 'add' } }, /Operations/],
    ['a non-object operation', patch('add'), /Operations\[0\] must be an object/],
    ['an unknown op', patch({ op: 'copy', path: 'title', value: 'x' }), /unknown op "copy"/],
    ['a non-string op', patch({ op: 1, path: 'title' }), /"op" must be a string/],
    ['a non-string path', patch({ op: 'add', path: 5, value: 'x' }), /"path" must be a string/],
  ])('rejects %s with invalidSyntax', (_, body, detail) => {
    fails(applyPatch(user(), body, users), 'invalidSyntax', detail);
  });

  it('allows at most 1000 operations', () => {
    const op = { op: 'replace', path: 'title', value: 'x' };
    expect(applyPatch(user(), patch(...Array(1000).fill(op)), users).ok).toBe(true);
    fails(
      applyPatch(user(), patch(...Array(1001).fill(op)), users),
      'invalidSyntax',
      /at most 1000 operations/,
    );
  });

  it('accepts "operations" and op names in any case', () => {
    const body = { schemas: [PATCH_OP], operations: [{ OP: 'REPLACE', Path: 'title', Value: 'Boss' }] };
    expect(ok(applyPatch(user(), body, users)).title).toBe('Boss');
  });

  it('requires a value for add and replace and a path for remove', () => {
    fails(run({ op: 'add', path: 'title' }), 'invalidValue', /requires a "value"/);
    fails(run({ op: 'replace' }), 'invalidValue');
    fails(run({ op: 'remove' }), 'noTarget');
    fails(run({ op: 'remove', path: '  ' }), 'noTarget');
  });

  it('applies operations in order and fails as a whole, leaving the input untouched', () => {
    const input = user();
    const snapshot = structuredClone(input);
    const result = applyPatch(
      input,
      patch({ op: 'replace', path: 'title', value: 'Boss' }, { op: 'replace', path: 'nickName', value: 'x' }),
      users,
    );
    fails(result, 'invalidPath', /^Operations\[1\] \(replace "nickName"\): unknown attribute/);
    expect(input).toEqual(snapshot);
    const sequence = ok(
      run(
        { op: 'add', path: 'title', value: 'A' },
        { op: 'remove', path: 'title' },
        { op: 'add', path: 'title', value: 'B' },
      ),
    );
    expect(sequence.title).toBe('B');
  });

  it('returns a copy that shares nothing with the input', () => {
    const input = user();
    const out = ok(applyPatch(input, patch({ op: 'replace', path: 'title', value: 'x' }), users));
    expect(out).not.toBe(input);
    expect(out.emails).not.toBe(input.emails);
    expect(out.emails).toEqual(input.emails);
  });
});

describe('add (RFC 7644 §3.5.2.1)', () => {
  it('sets a single-valued attribute under its canonical spelling', () => {
    const out = ok(
      run({ op: 'add', path: 'DISPLAYNAME', value: 'Barbara' }, { op: 'add', path: 'title', value: 'CEO' }),
    );
    expect(out.displayName).toBe('Barbara');
    expect(out.title).toBe('CEO');
    expect(Object.keys(out)).not.toContain('DISPLAYNAME');
  });

  it('merges into a complex attribute', () => {
    const out = ok(run({ op: 'add', path: 'name', value: { middleName: 'Jane', GIVENNAME: 'Barb' } }));
    expect(out.name).toEqual({
      formatted: 'Ms. Barbara J Jensen III',
      familyName: 'Jensen',
      givenName: 'Barb',
      middleName: 'Jane',
    });
  });

  it('appends to a multi-valued attribute, one element or an array, skipping values already there', () => {
    const out = ok(
      run(
        { op: 'add', path: 'emails', value: { value: 'b@other.org', type: 'other' } },
        {
          op: 'add',
          path: 'emails',
          value: [{ value: 'BJENSEN@example.com', type: 'work' }, { value: 'c@x.org' }],
        },
      ),
    );
    expect(out.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
      { value: 'b@other.org', type: 'other' },
      { value: 'c@x.org' },
    ]);
  });

  it('keeps an equal value with a different type as a separate element', () => {
    const out = ok(run({ op: 'add', path: 'emails', value: [{ value: 'babs@jensen.org', type: 'other' }] }));
    expect(out.emails).toHaveLength(3);
  });

  it('sets a sub-attribute on the elements a value filter selects', () => {
    const out = ok(run({ op: 'add', path: 'emails[type eq "home"].value', value: 'new@jensen.org' }));
    expect(out.emails).toEqual([
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'new@jensen.org', type: 'home' },
    ]);
  });

  it('fails with noTarget when a filter matches nothing and does not describe an element', () => {
    fails(run({ op: 'add', path: 'emails[value co "nobody"].type', value: 'work' }), 'noTarget');
  });

  it('without a path, applies each attribute of the value, ignoring unknown and read-only ones', () => {
    const out = ok(
      run({
        op: 'add',
        value: {
          title: 'Boss',
          nickName: 'Babs',
          'urn:example:unknown:1.0:User': { x: 1 },
          groups: [{ value: 'g2' }],
          meta: { version: 'W/"1"' },
          schemas: [CORE_USER],
          id: '2819c223-7f76-453a-919d-413861904646',
          name: { familyName: 'Jensen-Smith' },
          [ENTERPRISE_USER]: { department: 'Sales', unknown: 1 },
          [`${ENTERPRISE_USER}:costCenter`]: '4130',
          [JOINERY_USER]: { usageLocation: 'FR' },
        },
      }),
    );
    expect(out.title).toBe('Boss');
    expect(out).not.toHaveProperty('nickName');
    expect(out.groups).toEqual(user().groups);
    expect(out.meta).toEqual(user().meta);
    expect(out.name).toMatchObject({ familyName: 'Jensen-Smith', givenName: 'Barbara' });
    expect(out[ENTERPRISE_USER]).toEqual({
      employeeNumber: '701984',
      manager: { value: 'm1', displayName: 'John Smith' },
      department: 'Sales',
      costCenter: '4130',
    });
    expect(out[JOINERY_USER]).toEqual({ usageLocation: 'FR' });
    expect(out.schemas).toEqual([CORE_USER, ENTERPRISE_USER, JOINERY_USER]);
  });

  it('requires an object as a pathless value', () => {
    fails(run({ op: 'add', value: 'x' }), 'invalidValue', /object/);
    fails(run({ op: 'add', value: [{ title: 'x' }] }), 'invalidValue');
    fails(run({ op: 'add', value: { [ENTERPRISE_USER]: 'x' } }), 'invalidValue');
  });

  it('merges into an extension named by its URN and lists the URN in schemas', () => {
    const out = ok(
      run({ op: 'add', path: JOINERY_USER, value: { employeeHireDate: '2026-03-01T00:00:00Z' } }),
    );
    expect(out[JOINERY_USER]).toEqual({ employeeHireDate: '2026-03-01T00:00:00Z' });
    expect(out.schemas).toContain(JOINERY_USER);
  });

  it('accepts URN-qualified core and extension paths', () => {
    const out = ok(
      run(
        { op: 'add', path: `${CORE_USER}:displayName`, value: 'B' },
        { op: 'add', path: `${ENTERPRISE_USER}:division`, value: 'EMEA' },
        { op: 'add', path: `${ENTERPRISE_USER}:manager.value`, value: 'm2' },
        { op: 'add', path: 'department', value: 'R&D' },
      ),
    );
    expect(out.displayName).toBe('B');
    expect(out[ENTERPRISE_USER]).toMatchObject({
      division: 'EMEA',
      manager: { value: 'm2' },
      department: 'R&D',
    });
  });
});

describe('replace (RFC 7644 §3.5.2.3)', () => {
  it('sets a single-valued attribute and replaces a whole multi-valued one', () => {
    const out = ok(
      run(
        { op: 'replace', path: 'displayName', value: 'B' },
        { op: 'replace', path: 'emails', value: [{ value: 'x@y.z' }] },
      ),
    );
    expect(out.displayName).toBe('B');
    expect(out.emails).toEqual([{ value: 'x@y.z' }]);
  });

  it('leaves unspecified sub-attributes of a complex attribute unchanged', () => {
    const out = ok(run({ op: 'replace', path: 'name', value: { givenName: 'Barb', middleName: null } }));
    expect(out.name).toEqual({
      formatted: 'Ms. Barbara J Jensen III',
      familyName: 'Jensen',
      givenName: 'Barb',
    });
  });

  it('replaces a sub-attribute', () => {
    expect(ok(run({ op: 'replace', path: 'name.familyName', value: 'Smith' })).name).toMatchObject({
      familyName: 'Smith',
    });
  });

  it('replaces a sub-attribute or merges an element on every element a filter selects', () => {
    const out = ok(
      run(
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'b@corp.example' },
        { op: 'replace', path: 'emails[value ew ".org"]', value: { type: 'other', display: 'ignored' } },
      ),
    );
    expect(out.emails).toEqual([
      { value: 'b@corp.example', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'other' },
    ]);
    const both = ok(run({ op: 'replace', path: 'emails[value pr].type', value: 'other' }));
    expect((both.emails as { type: string }[]).map((e) => e.type)).toEqual(['other', 'other']);
  });

  it('fails with noTarget when the filter matches nothing', () => {
    fails(
      run({ op: 'replace', path: 'emails[type eq "other"].value', value: 'x@y.z' }),
      'noTarget',
      /emails/,
    );
  });

  it('treats a null value as clearing the attribute', () => {
    const out = ok(
      run({ op: 'replace', path: 'displayName', value: null }, { op: 'add', path: 'emails', value: null }),
    );
    expect(out).not.toHaveProperty('displayName');
    expect(out).not.toHaveProperty('emails');
  });

  it('replaces dotted and URN-qualified keys of a pathless value', () => {
    const out = ok(
      run({
        op: 'replace',
        value: { 'name.givenName': 'Barb', [`${ENTERPRISE_USER}:employeeNumber`]: '42', emails: [] },
      }),
    );
    expect(out.name).toMatchObject({ givenName: 'Barb', familyName: 'Jensen' });
    expect(out[ENTERPRISE_USER]).toMatchObject({ employeeNumber: '42' });
    expect(out).not.toHaveProperty('emails');
  });
});
