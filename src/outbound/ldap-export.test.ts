import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worker } from '../../test/inbound.ts';
import {
  addMembers as addMembersOf,
  expectDefaultsAccepted,
  find,
  lower,
  newGroup as newGroupOf,
  one,
  removeMember as removeMemberOf,
  until,
  values,
} from '../../test/ldap-entries.ts';
import { createOutboundTestApp, type OutboundTestApp } from '../../test/outbound.ts';
import { type Slapd, slapdAvailable, startSlapd } from '../../test/peers/slapd.ts';

/**
 * Joiner, mover, leaver and group writeback from an HR bulkUpload, through the outbound engine with
 * its real workers, into real OpenLDAP servers (test/peers/slapd.ts): the `ldap` connector on a plain
 * inetOrgPerson/groupOfNames DIT.
 * The `ad` connector has its own file (ad-export.test.ts).
 * Everything is asserted on the entries slapd holds, read outside the code under test.
 */

const LOCKED = '000001010000Z';

const direct = (target: string, source: string) => ({ target, type: 'direct', source });
const expression = (target: string, text: string) => ({ target, type: 'expression', expression: text });

/**
 * The ldap connector's default mappings plus `active`, which the defaults map only when a lock attribute
 * is configured (the contractors app has none).
 */
const ldapMappings = (userBase: string, groupBase: string) => ({
  userMappings: [
    expression('dn', `Join("", "uid=", [userName], ",${userBase}")`),
    direct('uid', 'userName'),
    expression('cn', 'Coalesce([displayName], [userName])'),
    expression('sn', 'Coalesce([familyName], [userName])'),
    direct('givenName', 'givenName'),
    direct('displayName', 'displayName'),
    direct('mail', 'mail'),
    direct('title', 'title'),
    direct('employeeNumber', 'employeeId'),
    direct('manager', 'manager'),
    direct('active', 'accountEnabled'),
  ],
  groupMappings: [
    expression('dn', `Join("", "cn=", [displayName], ",${groupBase}")`),
    direct('cn', 'displayName'),
    direct('description', 'description'),
  ],
});

describe.skipIf(!slapdAvailable())('HR to OpenLDAP', () => {
  let t: OutboundTestApp;
  let ldap: Slapd;
  let ldap2: Slapd;
  let people: string;
  let groups: string;
  let appId: string;

  beforeAll(async () => {
    [ldap, ldap2, t] = await Promise.all([startSlapd(), startSlapd(), createOutboundTestApp()]);
    people = `ou=people,${ldap.baseDn}`;
    groups = `ou=groups,${ldap.baseDn}`;
    appId = await t.createApp({
      name: 'OpenLDAP',
      connector: {
        type: 'ldap',
        config: {
          url: ldap.url,
          bindDn: ldap.adminDn,
          bindPassword: ldap.adminPassword,
          userBase: people,
          groupBase: groups,
          timeoutMs: 5_000,
          disable: { attribute: 'pwdAccountLockedTime', disabledValue: LOCKED },
        },
      },
      scope: 'all',
      provisionGroups: true,
      deprovisionAction: 'disable',
    });
  });

  afterAll(async () => {
    await t?.close();
    await Promise.all([ldap?.stop(), ldap2?.stop()]);
  });

  const hr = (people: Record<string, unknown>[]) => t.hr(people);
  const userId = (employeeId: string) => t.userId(employeeId);
  const newGroup = (displayName: string, members: string[]) => newGroupOf(t, displayName, members);
  const addMembers = (groupId: string, userIds: string[]) => addMembersOf(t, groupId, userIds);
  const removeMember = (groupId: string, memberId: string) => removeMemberOf(t, groupId, memberId);

  const eliDn = () => `uid=eli.new@example.com,${people}`;
  const maraDn = () => `uid=mara.boss@example.com,${people}`;
  describe('default mappings', () => {
    it("accepts an ldap app that relies on the connector's default mappings", () =>
      expectDefaultsAccepted(t, ldap, 'ldap'));
  });

  describe('ldap connector (inetOrgPerson, groupOfNames, ppolicy lock)', () => {
    it('creates the joiner as an inetOrgPerson with the mapped attributes and the manager DN', async () => {
      const start = await t.api<{ cycle: { kind: string } }>('POST', `/outbound/apps/${appId}/start`);
      expect(start.status).toBe(202);
      await hr([
        worker('M1', { given: 'Mara', family: 'Boss', title: 'Head of Engineering' }),
        worker('E1', { given: 'Eli', family: 'New', manager: 'M1' }),
      ]);
      const eli = await until(
        ldap,
        people,
        '(uid=eli.new@example.com)',
        (e) => values(e, 'manager').length > 0,
        'Eli with a manager in OpenLDAP',
      );
      const e = eli;
      expect(e?.dn.toLowerCase()).toBe(eliDn().toLowerCase());
      expect(lower(values(e, 'objectClass'))).toEqual(
        lower(['top', 'person', 'organizationalPerson', 'inetOrgPerson']),
      );

      expect(one(e, 'uid')).toBe('eli.new@example.com');
      expect(one(e, 'cn')).toBe('Eli New');
      expect(one(e, 'sn')).toBe('New');
      expect(one(e, 'givenName')).toBe('Eli');
      expect(one(e, 'displayName')).toBe('Eli New');
      expect(one(e, 'mail')).toBe('eli.new@example.com');
      expect(one(e, 'title')).toBe('Engineer');
      expect(one(e, 'employeeNumber')).toBe('E1');
      expect(one(e, 'manager')?.toLowerCase()).toBe(maraDn().toLowerCase());
      expect(values(e, 'pwdAccountLockedTime')).toEqual([]);
      const mara = await find(ldap, people, '(employeeNumber=M1)');
      expect(mara?.dn.toLowerCase()).toBe(maraDn().toLowerCase());
      expect(one(mara, 'title')).toBe('Head of Engineering');
      const status = await t.settle(appId);
      expect(status.linked.users).toBe(2);
      expect(status.recentErrors).toEqual([]);
    });

    it('moves the mover: the changed title is replaced and the DN stays', async () => {
      await hr([worker('E1', { given: 'Eli', family: 'New', manager: 'M1', title: 'Staff Engineer' })]);
      const eli = await until(
        ldap,
        people,
        '(employeeNumber=E1)',
        (e) => one(e, 'title') === 'Staff Engineer',
        "Eli's new title",
      );
      expect(eli?.dn.toLowerCase()).toBe(eliDn().toLowerCase());
      expect(one(eli, 'manager')?.toLowerCase()).toBe(maraDn().toLowerCase());
    });

    it('writes a directory group with members as a groupOfNames with the member DNs', async () => {
      const [mara, eli] = await Promise.all([userId('M1'), userId('E1')]);
      await newGroup('Engineering', [mara, eli]);
      const g = await until(
        ldap,
        groups,
        '(cn=Engineering)',
        (e) => values(e, 'member').length === 2,
        'the Engineering groupOfNames with two members',
      );
      expect(g?.dn.toLowerCase()).toBe(`cn=engineering,${groups}`.toLowerCase());
      expect(lower(values(g, 'objectClass'))).toEqual(lower(['top', 'groupOfNames']));
      expect(lower(values(g, 'member'))).toEqual(lower([eliDn(), maraDn()]));
    });

    it('follows members added and removed in the directory, down to the empty-group placeholder', async () => {
      await hr([worker('N1', { given: 'Nia', family: 'Third', manager: 'M1' })]);
      const nia = await userId('N1');
      const niaDn = `uid=nia.third@example.com,${people}`;
      await until(ldap, people, '(employeeNumber=N1)', (e) => e !== undefined, 'Nia in OpenLDAP');
      const list = await t.api<{ items: Array<{ id: string; displayName: string }> }>(
        'GET',
        '/groups?displayName=Engineering',
      );
      const eng = list.body.items[0]?.id;
      if (!eng) throw new Error('no Engineering group');
      const [mara, eli] = await Promise.all([userId('M1'), userId('E1')]);

      await addMembers(eng, [nia]);
      await until(
        ldap,
        groups,
        '(cn=Engineering)',
        (e) => values(e, 'member').length === 3,
        'Nia added to the member attribute',
      );
      expect(lower(values(await find(ldap, groups, '(cn=Engineering)'), 'member'))).toEqual(
        lower([eliDn(), maraDn(), niaDn]),
      );

      await removeMember(eng, mara);
      const g = await until(
        ldap,
        groups,
        '(cn=Engineering)',
        (e) => !lower(values(e, 'member')).includes(maraDn().toLowerCase()),
        'Mara removed from the member attribute',
      );
      expect(lower(values(g, 'member'))).toEqual(lower([eliDn(), niaDn]));

      // groupOfNames must have a member: the last one leaving puts the bind DN in as a placeholder.
      await removeMember(eng, eli);
      await removeMember(eng, nia);
      const empty = await until(
        ldap,
        groups,
        '(cn=Engineering)',
        (e) => values(e, 'member').length === 1 && !lower(values(e, 'member')).includes(niaDn.toLowerCase()),
        'the group emptied',
      );
      expect(lower(values(empty, 'member'))).toEqual([ldap.adminDn.toLowerCase()]);
      await addMembers(eng, [eli]);
      const back = await until(
        ldap,
        groups,
        '(cn=Engineering)',
        (e) => lower(values(e, 'member')).includes(eliDn().toLowerCase()),
        'Eli back in the group',
      );
      expect(lower(values(back, 'member'))).toEqual([eliDn().toLowerCase()]);
      await t.settle(appId);
    });

    it('renames the entry when HR changes the user name, and the group member DN follows', async () => {
      await hr([
        worker('E1', {
          given: 'Eli',
          family: 'Newer',
          manager: 'M1',
          title: 'Staff Engineer',
        }),
      ]);
      const newDn = `uid=eli.newer@example.com,${people}`;
      const eli = await until(
        ldap,
        people,
        '(employeeNumber=E1)',
        // A rename is a modifyDN then a modify: wait for both, not only the new DN.
        (e) => e?.dn.toLowerCase() === newDn.toLowerCase() && one(e, 'cn') === 'Eli Newer',
        'Eli renamed',
      );
      const e = eli;
      expect(one(e, 'uid')).toBe('eli.newer@example.com');
      expect(values(e, 'uid')).toHaveLength(1);
      expect(one(e, 'sn')).toBe('Newer');
      expect(one(e, 'cn')).toBe('Eli Newer');
      expect(one(e, 'mail')).toBe('eli.newer@example.com');
      expect(await find(ldap, people, '(uid=eli.new@example.com)')).toBeUndefined();
      const g = await until(
        ldap,
        groups,
        '(cn=Engineering)',
        // The new DN is added before the old one is removed (two modifies, so the user is never
        // out of the group): wait for the second, not only the first.
        (x) => {
          const members = lower(values(x, 'member'));
          return members.length === 1 && members[0] === newDn.toLowerCase();
        },
        'the member DN renamed in the group',
      );
      expect(lower(values(g, 'member'))).toEqual([newDn.toLowerCase()]);
      await t.settle(appId);
    });
    it("re-points the reports' manager DN when the manager's entry is renamed", async () => {
      await hr([worker('M1', { given: 'Mara', family: 'Chief', title: 'Head of Engineering' })]);
      const newDn = `uid=mara.chief@example.com,${people}`;
      await until(
        ldap,
        people,
        '(employeeNumber=M1)',
        (e) => e?.dn.toLowerCase() === newDn.toLowerCase(),
        'Mara renamed',
      );
      await t.settle(appId);
      const eli = await until(
        ldap,
        people,
        '(employeeNumber=E1)',
        (e) => one(e, 'manager')?.toLowerCase() === newDn.toLowerCase(),
        "Eli's manager DN following Mara's rename",
        5_000,
      );
      expect(one(eli, 'manager')?.toLowerCase()).toBe(newDn.toLowerCase());
    });

    it('locks the leaver with the configured lock attribute and keeps the entry', async () => {
      await hr([worker('N1', { given: 'Nia', family: 'Third', manager: 'M1', active: false })]);
      const nia = await until(
        ldap,
        people,
        '(employeeNumber=N1)',
        (e) => values(e, 'pwdAccountLockedTime').length > 0,
        'Nia locked',
      );
      expect(values(nia, 'pwdAccountLockedTime')).toEqual([LOCKED]);
      expect(one(nia, 'uid')).toBe('nia.third@example.com');
      const status = await t.settle(appId);
      expect(status.recentErrors).toEqual([]);
    });
  });

  describe('ldap connector, assigned group, leavers deleted', () => {
    let app2: string;
    let contractors: string;
    const people2 = () => `ou=people,${ldap2.baseDn}`;
    const groups2 = () => `ou=groups,${ldap2.baseDn}`;

    it('provisions only the members of the assigned group, and the group with them', async () => {
      await hr([
        worker('C1', { given: 'Cara', family: 'Contract' }),
        worker('C2', { given: 'Cody', family: 'Contract' }),
      ]);
      const [cara, cody] = await Promise.all([userId('C1'), userId('C2')]);
      contractors = await newGroup('Contractors', [cara, cody]);
      app2 = await t.createApp({
        name: 'OpenLDAP contractors',
        connector: {
          type: 'ldap',
          config: {
            url: ldap2.url,
            bindDn: ldap2.adminDn,
            bindPassword: ldap2.adminPassword,
            userBase: people2(),
            groupBase: groups2(),
            timeoutMs: 5_000,
          },
        },
        ...ldapMappings(people2(), groups2()),
        scope: 'assigned',
        provisionGroups: true,
        scoping: [{ clauses: [{ attribute: 'accountEnabled', operator: 'IS TRUE' }] }],
        deprovisionAction: 'delete',
      });
      const a = await t.api('POST', `/outbound/apps/${app2}/assignments`, {
        principalType: 'group',
        principalId: contractors,
      });
      expect(a.status, JSON.stringify(a.body)).toBe(201);
      expect((await t.api('POST', `/outbound/apps/${app2}/start`)).status).toBe(202);
      const g = await until(
        ldap2,
        groups2(),
        '(cn=Contractors)',
        (e) => values(e, 'member').length === 2,
        'Contractors with both members',
      );
      expect(lower(values(g, 'member'))).toEqual(
        lower([`uid=cara.contract@example.com,${people2()}`, `uid=cody.contract@example.com,${people2()}`]),
      );
      const status = await t.settle(app2);
      expect(status.linked).toEqual({ users: 2, groups: 1 });
      // Everyone else (Mara, Eli, Nia) is not assigned: not in this directory.
      const all = await ldap2.search(people2(), '(objectClass=inetOrgPerson)');
      expect(lower(all.map((e) => one(e, 'uid') ?? ''))).toEqual([
        'cara.contract@example.com',
        'cody.contract@example.com',
      ]);
    });

    it('deletes the leaver (out of the scoping filter) and drops it from the group', async () => {
      await hr([worker('C2', { given: 'Cody', family: 'Contract', active: false })]);
      await until(ldap2, people2(), '(employeeNumber=C2)', (e) => e === undefined, 'Cody deleted');
      const g = await until(
        ldap2,
        groups2(),
        '(cn=Contractors)',
        (e) => values(e, 'member').length === 1,
        'Cody dropped from the group',
      );
      expect(lower(values(g, 'member'))).toEqual([
        `uid=cara.contract@example.com,${people2()}`.toLowerCase(),
      ]);
    });

    it('deletes a user removed from the assigned group', async () => {
      const cara = await userId('C1');
      await removeMember(contractors, cara);
      await until(ldap2, people2(), '(employeeNumber=C1)', (e) => e === undefined, 'Cara deleted');
      const g = await until(
        ldap2,
        groups2(),
        '(cn=Contractors)',
        (e) => !lower(values(e, 'member')).some((m) => m.startsWith('uid=cara')),
        'Cara dropped from the group',
      );
      expect(lower(values(g, 'member'))).toEqual([ldap2.adminDn.toLowerCase()]);
      const status = await t.settle(app2);
      expect(status.linked).toEqual({ users: 0, groups: 1 });
    });
  });
});
