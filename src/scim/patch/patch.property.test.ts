import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ScimResult } from '../errors.ts';
import { CORE_USER, ENTERPRISE_USER, groupResourceSchemas, JOINERY_USER } from '../schemas/index.ts';
import { applyPatch, type ScimResource } from './index.ts';
import { body, operation } from './test-arbitraries.ts';
import { group, ok, patch, users } from './test-fixtures.ts';

const user = (): ScimResource => ({
  schemas: [CORE_USER, ENTERPRISE_USER],
  id: 'u1',
  userName: 'bjensen',
  name: { givenName: 'Barbara', familyName: 'Jensen', formatted: 'Barbara Jensen' },
  active: true,
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  phoneNumbers: [{ value: '+1 555', type: 'mobile' }],
  groups: [{ value: 'g1', display: 'Staff' }],
  [ENTERPRISE_USER]: { employeeNumber: '701984', manager: { value: 'm1', displayName: 'Boss' } },
  meta: { resourceType: 'User', version: 'W/"1"' },
});

/** By name, so that a counterexample does not print whole schemas. */
const target = fc
  .constantFrom('User', 'Group')
  .map((type) =>
    type === 'User' ? { resource: user, schemas: users } : { resource: group, schemas: groupResourceSchemas },
  );

/** Random upper/lower case: attribute names and URNs are case-insensitive (RFC 7643 §2.1). */
const recase = (text: string) =>
  fc
    .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((flips) => [...text].map((c, i) => (flips[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

describe('applyPatch properties', () => {
  it('never throws, never mutates its input and answers ok or a 4xx SCIM error', () => {
    fc.assert(
      fc.property(target, body, ({ resource, schemas }, request) => {
        const input = resource();
        const result = applyPatch(input, request, schemas);
        expect(input).toEqual(resource());
        if (!result.ok) {
          expect(result.error.status).toBeGreaterThanOrEqual(400);
          expect(result.error.status).toBeLessThan(500);
          expect(result.error.scimType).toBeDefined();
          expect(typeof result.error.detail).toBe('string');
          return;
        }
        const out = result.value;
        expect(JSON.parse(JSON.stringify(out))).toEqual(out);
        for (const list of [out.emails, out.phoneNumbers]) {
          if (Array.isArray(list))
            expect(list.filter((e) => e?.primary === true).length).toBeLessThanOrEqual(1);
        }
        for (const uri of [ENTERPRISE_USER, JOINERY_USER]) {
          if (uri in out) expect(Object.keys(out[uri] as object).length).toBeGreaterThan(0);
          if (uri in out) expect(out.schemas).toContain(uri);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('applies a request like the same operations sent one by one', () => {
    fc.assert(
      fc.property(
        target,
        fc.array(operation, { minLength: 1, maxLength: 6 }),
        ({ resource, schemas }, ops) => {
          const whole = applyPatch(resource(), patch(...ops), schemas);
          let current: ScimResult<ScimResource> = { ok: true, value: resource() };
          for (const op of ops) if (current.ok) current = applyPatch(current.value, patch(op), schemas);
          expect(current.ok).toBe(whole.ok);
          if (whole.ok && current.ok) expect(current.value).toEqual(whole.value);
        },
      ),
      { numRuns: 500 },
    );
  });

  const readers: [string, (r: ScimResource) => unknown][] = [
    ['displayName', (r) => r.displayName],
    ['title', (r) => r.title],
    ['name.givenName', (r) => (r.name as { givenName?: unknown }).givenName],
    [
      `${ENTERPRISE_USER}:employeeNumber`,
      (r) => (r[ENTERPRISE_USER] as { employeeNumber?: unknown }).employeeNumber,
    ],
    ['department', (r) => (r[ENTERPRISE_USER] as { department?: unknown }).department],
    [`${JOINERY_USER}:usageLocation`, (r) => (r[JOINERY_USER] as { usageLocation?: unknown }).usageLocation],
  ];

  it('reads back what replace wrote, whatever the case of the path', () => {
    const pair = fc
      .constantFrom(...readers)
      .chain(([path, read]) => recase(path).map((p) => ({ path: p, read })));
    fc.assert(
      fc.property(pair, fc.string(), fc.boolean(), ({ path, read }, text, pathless) => {
        const op = pathless
          ? { op: 'replace', value: { [path]: text } }
          : { op: 'replace', path, value: text };
        expect(read(ok(applyPatch(user(), patch(op), users)))).toBe(text);
      }),
    );
    fc.assert(
      fc.property(fc.oneof(fc.boolean(), fc.constantFrom('True', 'False', 'true', 'false')), (flag) => {
        const out = ok(applyPatch(user(), patch({ op: 'Replace', path: 'active', value: flag }), users));
        expect(out.active).toBe(String(flag).toLowerCase() === 'true');
      }),
    );
  });

  it('adding a multi-valued value twice is the same as adding it once', () => {
    const email = fc.record(
      {
        value: fc.oneof(
          fc.constantFrom('bjensen@example.com', 'BJENSEN@EXAMPLE.COM', 'babs@jensen.org'),
          fc.string(),
        ),
        type: fc.constantFrom('work', 'home', 'other'),
        primary: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(email, { maxLength: 3 }), fc.boolean(), (emails, pathless) => {
        const op = pathless ? { op: 'add', value: { emails } } : { op: 'add', path: 'emails', value: emails };
        const once = applyPatch(user(), patch(op), users);
        const twice = applyPatch(user(), patch(op, op), users);
        expect(twice).toEqual(once);
        if (once.ok) expect(applyPatch(once.value, patch(op), users)).toEqual(once);
      }),
    );
    fc.assert(
      fc.property(fc.subarray(['u1', 'u2', 'u3', 'U1']), (ids) => {
        const op = { op: 'Add', path: 'members', value: ids.map((id) => ({ value: id })) };
        const once = ok(applyPatch(group(), patch(op), groupResourceSchemas));
        expect(ok(applyPatch(once, patch(op), groupResourceSchemas))).toEqual(once);
      }),
    );
  });

  it('re-adding an element already present changes nothing, whatever the case of its value', () => {
    const existing = fc
      .constantFrom(...(user().emails as { value: string }[]))
      .chain((e) => recase(e.value).map((value) => ({ ...e, value })));
    fc.assert(
      fc.property(existing, fc.boolean(), (e, wrap) => {
        const op = { op: 'add', path: 'emails', value: wrap ? [e] : e };
        expect(ok(applyPatch(user(), patch(op), users))).toEqual(user());
      }),
    );
  });
});
