/**
 * The PATCH requests Microsoft Entra ID provisioning sends, as documented in "Tutorial: Develop and plan
 * provisioning for a SCIM endpoint" (request/response examples) and seen from its provisioning service.
 */
import { describe, expect, it } from 'vitest';
import { CORE_USER, ENTERPRISE_USER, groupResourceSchemas } from '../schemas/index.ts';
import { applyPatch, type ScimResource } from './index.ts';
import { group, ok, patch, users } from './test-fixtures.ts';

const MANAGER = '26118915-6090-4610-87e4-49d8ca9f808d';

/** The user of the Entra tutorial's "Create User" exchange. */
const user = (): ScimResource => ({
  schemas: [CORE_USER],
  id: '6764549bef60420686bc',
  externalId: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
  userName: 'Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com',
  active: true,
  name: { givenName: 'Ryan', familyName: 'Leenay' },
  emails: [{ primary: true, type: 'home', value: 'Test_User_fd0ea19b@testuser.com' }],
});

const onUser = (...ops: unknown[]) => ok(applyPatch(user(), patch(...ops), users));
const onGroup = (...ops: unknown[]) => ok(applyPatch(group(), patch(...ops), groupResourceSchemas));

describe('Microsoft Entra ID PATCH requests', () => {
  it('accepts capitalised op names', () => {
    const out = onUser(
      { op: 'Add', path: 'title', value: 'Engineer' },
      { op: 'Replace', path: 'displayName', value: 'Ryan Leenay' },
      { op: 'Remove', path: 'title' },
    );
    expect(out.displayName).toBe('Ryan Leenay');
    expect(out).not.toHaveProperty('title');
  });

  it.each(['False', 'false', 'FALSE'])('disables a user with "value":"%s"', (value) => {
    expect(onUser({ op: 'Replace', path: 'active', value }).active).toBe(false);
  });

  it('re-enables a user with "True"', () => {
    const disabled = { ...user(), active: false };
    expect(
      ok(applyPatch(disabled, patch({ op: 'Replace', path: 'active', value: 'True' }), users)).active,
    ).toBe(true);
  });

  it.each([false, 'False'])('disables a user with a pathless replace of active = %j', (value) => {
    expect(onUser({ op: 'Replace', value: { active: value } }).active).toBe(false);
  });

  it('creates the work e-mail when adding emails[type eq "work"].value and none exists', () => {
    const out = onUser({ op: 'Add', path: 'emails[type eq "work"].value', value: 'x@example.com' });
    expect(out.emails).toEqual([
      { primary: true, type: 'home', value: 'Test_User_fd0ea19b@testuser.com' },
      { type: 'work', value: 'x@example.com' },
    ]);
    const again = ok(
      applyPatch(
        out,
        patch({ op: 'Add', path: 'emails[type eq "work"].value', value: 'y@example.com' }),
        users,
      ),
    );
    expect(again.emails).toEqual([
      { primary: true, type: 'home', value: 'Test_User_fd0ea19b@testuser.com' },
      { type: 'work', value: 'y@example.com' },
    ]);
  });

  it('creates an element from every equality of the filter', () => {
    const out = onUser({
      op: 'Add',
      path: 'phoneNumbers[type eq "mobile" and primary eq true].value',
      value: '+33 6 12',
    });
    expect(out.phoneNumbers).toEqual([{ type: 'mobile', primary: true, value: '+33 6 12' }]);
  });

  it('adds a URN-qualified enterprise attribute', () => {
    const out = onUser({ op: 'Add', path: `${ENTERPRISE_USER}:employeeNumber`, value: '701984' });
    expect(out[ENTERPRISE_USER]).toEqual({ employeeNumber: '701984' });
    expect(out.schemas).toEqual([CORE_USER, ENTERPRISE_USER]);
  });

  it('adds URN-qualified keys in a pathless value', () => {
    const out = onUser({
      op: 'Add',
      value: { [`${ENTERPRISE_USER}:department`]: 'Finance', [`${ENTERPRISE_USER}:employeeNumber`]: '42' },
    });
    expect(out[ENTERPRISE_USER]).toEqual({ department: 'Finance', employeeNumber: '42' });
  });

  it('sets the manager from a bare id string, and removes it', () => {
    const out = onUser({ op: 'Replace', path: `${ENTERPRISE_USER}:manager`, value: MANAGER });
    expect(out[ENTERPRISE_USER]).toEqual({ manager: { value: MANAGER } });
    const viaSub = onUser({ op: 'Add', path: `${ENTERPRISE_USER}:manager.value`, value: MANAGER });
    expect(viaSub[ENTERPRISE_USER]).toEqual({ manager: { value: MANAGER } });
    const removed = ok(applyPatch(out, patch({ op: 'Remove', path: `${ENTERPRISE_USER}:manager` }), users));
    expect(removed).not.toHaveProperty(ENTERPRISE_USER);
    expect(removed.schemas).toEqual([CORE_USER]);
    const withValue = ok(
      applyPatch(
        out,
        patch({ op: 'Remove', path: `${ENTERPRISE_USER}:manager`, value: [{ value: MANAGER }] }),
        users,
      ),
    );
    expect(withValue).not.toHaveProperty(ENTERPRISE_USER);
  });

  it('replaces name.givenName, with a path or as a dotted pathless key', () => {
    expect(onUser({ op: 'Replace', path: 'name.givenName', value: 'Barbara' }).name).toEqual({
      givenName: 'Barbara',
      familyName: 'Leenay',
    });
    expect(
      onUser({ op: 'Replace', value: { 'name.givenName': 'Barbara', 'name.familyName': 'Jensen' } }).name,
    ).toEqual({
      givenName: 'Barbara',
      familyName: 'Jensen',
    });
  });

  it('replaces a work e-mail by value filter, alone or among the keys of a pathless value', () => {
    const withWork = onUser({
      op: 'Add',
      path: 'emails',
      value: [{ type: 'work', value: 'old@example.com' }],
    });
    const replace = (op: unknown) => ok(applyPatch(withWork, patch(op), users));
    const byPath = replace({ op: 'Replace', path: 'emails[type eq "work"].value', value: 'new@example.com' });
    expect(byPath.emails).toContainEqual({ type: 'work', value: 'new@example.com' });
    const pathless = replace({
      op: 'Replace',
      value: {
        displayName: 'Ryan Leenay',
        'emails[type eq "work"].value': 'new@example.com',
        'name.familyName': 'Leenay2',
        externalId: 'e2',
      },
    });
    expect(pathless).toMatchObject({
      displayName: 'Ryan Leenay',
      externalId: 'e2',
      name: { familyName: 'Leenay2' },
    });
    expect(pathless.emails).toEqual(byPath.emails);
  });

  it('adds group members and ignores ones already present', () => {
    const out = onGroup({ op: 'Add', path: 'members', value: [{ value: 'u3' }, { value: 'u1' }] });
    expect(out.members).toEqual([
      { value: 'u1', type: 'User', display: 'One' },
      { value: 'u2', type: 'User' },
      { value: 'u3' },
    ]);
  });

  it('removes group members listed in the value', () => {
    const out = onGroup({ op: 'Remove', path: 'members', value: [{ value: 'u1' }, { value: 'nobody' }] });
    expect(out.members).toEqual([{ value: 'u2', type: 'User' }]);
    const all = onGroup({ op: 'Remove', path: 'members', value: [{ value: 'u1' }, { value: 'u2' }] });
    expect(all).not.toHaveProperty('members');
  });

  it('removes a group member by value filter', () => {
    expect(onGroup({ op: 'Remove', path: 'members[value eq "u2"]' }).members).toEqual([
      { value: 'u1', type: 'User', display: 'One' },
    ]);
    expect(onGroup({ op: 'Remove', path: 'members[value eq "absent"]' })).toEqual(group());
  });

  it('replaces the group displayName and leaves members alone', () => {
    const out = onGroup({ op: 'Replace', value: { id: '40734ae655284ad3abcc', displayName: 'renamed' } });
    expect(out).toEqual({ ...group(), displayName: 'renamed' });
  });

  it('refuses to rename a member through its immutable value', () => {
    const result = applyPatch(
      group(),
      patch({ op: 'Replace', path: 'members[value eq "u1"].value', value: 'u9' }),
      groupResourceSchemas,
    );
    expect(result.ok ? null : result.error.scimType).toBe('mutability');
    const display = applyPatch(
      group(),
      patch({ op: 'Replace', path: 'members[value eq "u1"].display', value: 'x' }),
      groupResourceSchemas,
    );
    expect(display.ok ? null : display.error.scimType).toBe('mutability');
  });
});
