/** Attribute values in PATCH: types and coercion (RFC 7643 §2.3) and the primary rule (§2.4). */
import { describe, expect, it } from 'vitest';
import type { ScimResult } from '../errors.ts';
import { attr, type SchemaDefinition } from '../schema-types.ts';
import { JOINERY_USER, userResourceSchemas } from '../schemas/index.ts';
import { applyPatch, type ScimResource } from './index.ts';
import { failure, ok, patch, richUser, run } from './test-fixtures.ts';

/** Asserts a 400 with the given scimType (and detail pattern). */
function fails(result: ScimResult<ScimResource>, scimType: string, detail?: RegExp) {
  const error = failure(result);
  expect(error).toMatchObject({ status: 400, scimType });
  if (detail) expect(error.detail).toMatch(detail);
}

const user = richUser;

describe('values (RFC 7643 §2.3)', () => {
  const custom: SchemaDefinition = {
    id: 'urn:example:params:scim:schemas:extension:acme:2.0:User',
    name: 'Acme',
    description: 'test',
    attributes: [
      attr('level', 'integer', 'Level.'),
      attr('ratio', 'decimal', 'Ratio.'),
      attr('tags', 'string', 'Tags.', { multiValued: true, caseExact: true }),
    ],
  };
  const acme = userResourceSchemas([custom]);

  it.each([
    ['displayName', 5, /"displayName": expected a string/],
    ['active', 'yes', /"active": expected a boolean/],
    ['emails', [5], /"emails\[0\]": expected an object/],
    ['emails', [null], /not null/],
    ['emails[type eq "work"].primary', 1, /expected a boolean/],
    ['name', 'Barbara', /expected an object/],
    ['name.givenName', ['B'], /expected a string/],
    [`${JOINERY_USER}:employeeHireDate`, '2026-02-30T00:00:00Z', /date-time/],
    [`${JOINERY_USER}:employeeHireDate`, '2026-03-01', /date-time/],
  ])('rejects %s = %j', (path, value, detail) => {
    fails(run({ op: 'replace', path, value }), 'invalidValue', detail);
  });

  it('accepts date-times with offsets and fractions', () => {
    for (const value of [
      '2026-03-01T09:00:00+01:00',
      '2026-03-01T09:00:00.123Z',
      '2026-03-01T09:00:00',
      '2024-02-29T23:59:59Z',
    ]) {
      expect(run({ op: 'replace', path: 'employeeHireDate', value }).ok).toBe(true);
    }
  });

  it('checks integers and decimals and wraps a single element of a multi-valued attribute', () => {
    const out = ok(
      applyPatch(
        user(),
        patch(
          { op: 'add', value: { level: 3, ratio: 0.5, tags: 'a' } },
          { op: 'add', path: 'tags', value: ['A', 'a'] },
        ),
        acme,
      ),
    );
    expect(out[custom.id]).toEqual({ level: 3, ratio: 0.5, tags: ['a', 'A'] });
    fails(
      applyPatch(user(), patch({ op: 'add', path: 'level', value: 1.5 }), acme),
      'invalidValue',
      /integer/,
    );
    fails(
      applyPatch(user(), patch({ op: 'add', path: 'ratio', value: '0.5' }), acme),
      'invalidValue',
      /number/,
    );
  });

  it('reads a string given for a complex attribute with a value sub-attribute as its value', () => {
    const out = ok(run({ op: 'add', path: 'emails', value: 'z@z.z' }));
    expect((out.emails as unknown[])[2]).toEqual({ value: 'z@z.z' });
  });

  it('ignores unknown sub-attributes inside complex values', () => {
    const out = ok(run({ op: 'add', path: 'emails', value: { value: 'z@z.z', label: 'mine' } }));
    expect((out.emails as unknown[])[2]).toEqual({ value: 'z@z.z' });
  });
});

describe('primary (RFC 7643 §2.4)', () => {
  const primaries = (r: ScimResource) => (r.emails as { primary?: boolean }[]).map((e) => e.primary ?? null);

  it('moves primary to the element an operation marks primary', () => {
    expect(
      primaries(ok(run({ op: 'add', path: 'emails', value: { value: 'n@x.y', primary: true } }))),
    ).toEqual([false, null, true]);
    expect(
      primaries(ok(run({ op: 'replace', path: 'emails[type eq "home"].primary', value: true }))),
    ).toEqual([false, true]);
    expect(
      primaries(ok(run({ op: 'add', path: 'emails', value: { value: 'babs@jensen.org', primary: true } }))),
    ).toEqual([false, true]);
  });

  it('keeps the current primary when an operation re-sends it', () => {
    expect(
      primaries(
        ok(run({ op: 'add', path: 'emails', value: { value: 'bjensen@example.com', primary: true } })),
      ),
    ).toEqual([true, null]);
  });

  it('rejects an operation that makes two values primary', () => {
    const two = [
      { value: 'a@x.y', primary: true },
      { value: 'b@x.y', primary: true },
    ];
    fails(run({ op: 'replace', path: 'emails', value: two }), 'invalidValue', /primary/);
    fails(run({ op: 'replace', path: 'emails[value pr].primary', value: true }), 'invalidValue', /primary/);
  });
});
