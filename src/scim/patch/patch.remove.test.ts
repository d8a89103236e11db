/** RFC 7644 §3.5.2.2 remove, path errors, and mutability (RFC 7643 §2.2) as PATCH enforces it. */
import { describe, expect, it } from 'vitest';
import type { ScimResult } from '../errors.ts';
import { attr, type SchemaDefinition } from '../schema-types.ts';
import { CORE_USER, ENTERPRISE_USER, groupResourceSchemas, userResourceSchemas } from '../schemas/index.ts';
import { applyPatch, type ScimResource } from './index.ts';
import { failure, ok, patch, richUser, run, users } from './test-fixtures.ts';

/** Asserts a 400 with the given scimType (and detail pattern). */
function fails(result: ScimResult<ScimResource>, scimType: string, detail?: RegExp) {
  const error = failure(result);
  expect(error).toMatchObject({ status: 400, scimType });
  if (detail) expect(error.detail).toMatch(detail);
}

const user = richUser;

describe('remove (RFC 7644 §3.5.2.2)', () => {
  it('removes a single-valued attribute, a whole multi-valued one, a sub-attribute', () => {
    const out = ok(
      run(
        { op: 'remove', path: 'displayName' },
        { op: 'remove', path: 'emails' },
        { op: 'remove', path: 'name.givenName' },
      ),
    );
    expect(out).not.toHaveProperty('displayName');
    expect(out).not.toHaveProperty('emails');
    expect(out.name).toEqual({ formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen' });
  });

  it('drops a complex attribute left empty', () => {
    const base = { ...user(), name: { givenName: 'B' } };
    expect(ok(applyPatch(base, patch({ op: 'remove', path: 'name.givenName' }), users))).not.toHaveProperty(
      'name',
    );
  });

  it('removes the elements a filter selects, or a sub-attribute of them', () => {
    const out = ok(run({ op: 'remove', path: 'emails[type eq "home"]' }));
    expect(out.emails).toEqual([{ value: 'bjensen@example.com', type: 'work', primary: true }]);
    const sub = ok(run({ op: 'remove', path: 'emails[type eq "work"].type' }));
    expect(sub.emails).toEqual([
      { value: 'bjensen@example.com', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ]);
    const last = ok(run({ op: 'remove', path: 'emails[value pr]' }));
    expect(last).not.toHaveProperty('emails');
  });

  it('succeeds without change when a filter matches nothing or the attribute is absent', () => {
    expect(ok(run({ op: 'remove', path: 'emails[type eq "other"]' }))).toEqual(user());
    expect(ok(run({ op: 'remove', path: 'title' }))).toEqual(user());
  });

  it('removes the listed values of a multi-valued attribute', () => {
    const out = ok(run({ op: 'remove', path: 'emails', value: [{ value: 'BABS@jensen.org' }] }));
    expect(out.emails).toEqual([{ value: 'bjensen@example.com', type: 'work', primary: true }]);
  });

  it('drops an extension object left empty, with its URN in schemas', () => {
    const out = ok(
      run({ op: 'remove', path: 'employeeNumber' }, { op: 'remove', path: `${ENTERPRISE_USER}:manager` }),
    );
    expect(out).not.toHaveProperty(ENTERPRISE_USER);
    expect(out.schemas).toEqual([CORE_USER]);
    const whole = ok(run({ op: 'remove', path: ENTERPRISE_USER }));
    expect(whole).not.toHaveProperty(ENTERPRISE_USER);
    expect(whole.schemas).toEqual([CORE_USER]);
  });

  it('refuses to remove a required attribute', () => {
    fails(run({ op: 'remove', path: 'userName' }), 'mutability', /"userName" is required/);
    fails(run({ op: 'replace', path: 'userName', value: null }), 'mutability', /required/);
    fails(run({ op: 'replace', value: { userName: null } }), 'mutability', /required/);
    const group = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], id: 'g', displayName: 'Staff' };
    fails(
      applyPatch(group, patch({ op: 'remove', path: 'displayName' }), groupResourceSchemas),
      'mutability',
      /required/,
    );
    fails(
      applyPatch(
        group,
        patch({ op: 'remove', path: 'urn:ietf:params:scim:schemas:core:2.0:Group' }),
        groupResourceSchemas,
      ),
      'mutability',
    );
  });
});

describe('paths', () => {
  it.each([
    ['nickName', 'invalidPath', /unknown attribute "nickName"/],
    ['name.nickName', 'invalidPath', /unknown sub-attribute/],
    ['emails[type eq "work"].nope', 'invalidPath', /unknown sub-attribute/],
    ['urn:example:nope:1.0:User:title', 'invalidPath', /unknown schema/],
    ['title[value eq "x"]', 'invalidPath', /not a multi-valued complex/],
    ['emails[type eq', 'invalidPath', undefined],
    ['emails[nope eq "x"]', 'invalidFilter', /unknown sub-attribute/],
    ['emails[primary gt true]', 'invalidFilter', /booleans support only eq and ne/],
    [`${ENTERPRISE_USER}.value`, 'invalidPath', undefined],
  ])('rejects %s', (path, scimType, detail) => {
    fails(run({ op: 'replace', path, value: 'x' }), scimType, detail);
  });
});

describe('mutability (RFC 7643 §2.2)', () => {
  it.each([
    ['id', 'x'],
    ['meta', { version: 'W/"1"' }],
    ['meta.version', 'W/"1"'],
    ['groups', [{ value: 'g2' }]],
    ['name.formatted', 'x'],
    [`${ENTERPRISE_USER}:manager.displayName`, 'x'],
  ])('rejects a path naming read-only %s', (path, value) => {
    fails(run({ op: 'replace', path, value }), 'mutability', /read-only/);
    fails(run({ op: 'remove', path }), 'mutability', /read-only/);
  });

  it('ignores read-only sub-attributes inside values', () => {
    const out = ok(
      run({
        op: 'replace',
        path: `${ENTERPRISE_USER}:manager`,
        value: { value: 'm2', displayName: 'Z', $ref: 'x' },
      }),
    );
    expect(out[ENTERPRISE_USER]).toMatchObject({ manager: { value: 'm2', displayName: 'John Smith' } });
  });

  it('accepts an echoed id in a pathless value but not a different one', () => {
    expect(run({ op: 'replace', value: { id: user().id, title: 'x' } }).ok).toBe(true);
    fails(run({ op: 'replace', value: { id: 'other' } }), 'mutability', /"id"/);
  });

  it('refuses to change an immutable value that is set, but allows setting it once', () => {
    const custom: SchemaDefinition = {
      id: 'urn:example:params:scim:schemas:extension:acme:2.0:User',
      name: 'Acme',
      description: 'test',
      attributes: [attr('badge', 'string', 'Badge number.', { mutability: 'immutable' })],
    };
    const schemas = userResourceSchemas([custom]);
    const set = ok(applyPatch(user(), patch({ op: 'add', path: 'badge', value: 'B1' }), schemas));
    expect(set[custom.id]).toEqual({ badge: 'B1' });
    expect(applyPatch(set, patch({ op: 'replace', path: 'badge', value: 'B1' }), schemas).ok).toBe(true);
    fails(
      applyPatch(set, patch({ op: 'replace', path: 'badge', value: 'B2' }), schemas),
      'mutability',
      /badge/,
    );
    fails(applyPatch(set, patch({ op: 'remove', path: 'badge' }), schemas), 'mutability', /immutable/);
  });
});
