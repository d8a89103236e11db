import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worker } from '../../test/inbound.ts';
import { expectDefaultsAccepted, find, lower, one, until, values } from '../../test/ldap-entries.ts';
import { createOutboundTestApp, type OutboundTestApp } from '../../test/outbound.ts';
import { type Slapd, slapdAvailable, startSlapd } from '../../test/peers/slapd.ts';

/**
 * The `ad` connector from an HR bulkUpload, through the outbound engine with its real workers, into slapd
 * with an AD-shaped schema over ldaps (test/peers/slapd.ts), asserted on the entries slapd holds. AD's own
 * semantics (UAC enforcement, password policy) are not there to test: see src/connectors/ldap/README.md.
 */
describe.skipIf(!slapdAvailable())('HR to an AD-shaped directory', () => {
  let t: OutboundTestApp;
  let ad: Slapd;

  beforeAll(async () => {
    [ad, t] = await Promise.all([startSlapd({ ldaps: true, adSchema: true }), createOutboundTestApp()]);
    // Ada's manager, in scope of the AD app from its initial cycle.
    await t.hr([worker('M1', { given: 'Mara', family: 'Chief', title: 'Head of Engineering' })]);
    await t.userId('M1');
  });

  afterAll(async () => {
    await t?.close();
    await ad?.stop();
  });

  const hr = (people: Record<string, unknown>[]) => t.hr(people);

  describe('default mappings', () => {
    it("accepts an ad app that relies on the connector's default mappings", () =>
      expectDefaultsAccepted(t, ad, 'ad'));
  });

  describe('ad connector (AD-shaped schema on slapd over ldaps)', () => {
    let app3: string;
    const adPeople = () => `ou=people,${ad.baseDn}`;

    it('creates the joiner as an AD user with sAMAccountName, userPrincipalName and an enabled UAC', async () => {
      app3 = await t.createApp({
        name: 'Active Directory',
        connector: {
          type: 'ad',
          config: {
            url: ad.ldapsUrl,
            bindDn: ad.adminDn,
            bindPassword: ad.adminPassword,
            tls: { ca: ad.caPem },
            userBase: adPeople(),
            groupBase: `ou=groups,${ad.baseDn}`,
            timeoutMs: 5_000,
          },
        },
        scope: 'all',
        deprovisionAction: 'disable',
      });
      expect((await t.api('POST', `/outbound/apps/${app3}/start`)).status).toBe(202);
      await hr([worker('A1', { given: 'Ada', family: 'Admin', manager: 'M1', title: 'Sysadmin' })]);
      const ada = await until(
        ad,
        adPeople(),
        '(employeeID=A1)',
        (e) => values(e, 'manager').length > 0,
        'Ada with a manager in AD',
      );
      // The entry is added disabled and enabled by a second modify (AD's order): read it once settled.
      await t.settle(app3);
      const e = await find(ad, adPeople(), '(employeeID=A1)');
      expect(e?.dn).toBe(ada?.dn);
      expect(e?.dn.toLowerCase()).toBe(`cn=ada admin,${adPeople()}`.toLowerCase());
      expect(lower(values(e, 'objectClass'))).toEqual(
        lower(['top', 'person', 'organizationalPerson', 'user']),
      );
      expect(one(e, 'sAMAccountName')).toBe('ada.admin');
      expect(one(e, 'userPrincipalName')).toBe('ada.admin@example.com');
      expect(Number(one(e, 'userAccountControl'))).toBe(512);
      expect(one(e, 'givenName')).toBe('Ada');
      expect(one(e, 'sn')).toBe('Admin');
      expect(one(e, 'title')).toBe('Sysadmin');
      expect(one(e, 'department')).toBe('Engineering');
      // Mara (M1) is in scope too: her entry is named by her display name, now "Mara Chief".
      const mara = await find(ad, adPeople(), '(employeeID=M1)');
      expect(mara).toBeDefined();
      expect(one(e, 'manager')?.toLowerCase()).toBe(mara?.dn.toLowerCase());
    });

    it('disables the leaver by setting ACCOUNTDISABLE in userAccountControl', async () => {
      await hr([
        worker('A1', { given: 'Ada', family: 'Admin', manager: 'M1', title: 'Sysadmin', active: false }),
      ]);
      const ada = await until(
        ad,
        adPeople(),
        '(employeeID=A1)',
        (e) => Number(one(e, 'userAccountControl')) === 514,
        'Ada disabled in AD',
      );
      expect(one(ada, 'sAMAccountName')).toBe('ada.admin');
      const status = await t.settle(app3);
      expect(status.recentErrors).toEqual([]);
    });
  });
});
