import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Slapd, slapdAvailable, startSlapd } from '../../../test/peers/slapd.ts';
import { silentLogger } from '../../core/index.ts';
import type { Connector } from '../../outbound/index.ts';
import { type AdConnectorConfigInput, adConnector, encodeUnicodePwd } from './index.ts';

/**
 * The AD flavor's LDAP operations against slapd with an AD-shaped schema, over ldaps. slapd stores
 * what AD would be sent; it does not behave like AD (no UAC enforcement, no password policy).
 */

function unwrap<T>(result: { ok: true; value: T } | { ok: false; failure: unknown }): T {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.failure)}`);
  return result.value;
}

describe.skipIf(!slapdAvailable())('ad connector (AD-shaped schema on slapd, ldaps)', () => {
  let slapd: Slapd;
  let connector: Connector;
  let people: string;
  let groups: string;

  const make = (extra: Partial<AdConnectorConfigInput> = {}) =>
    adConnector.create(
      adConnector.configSchema.parse({
        url: slapd.ldapsUrl,
        bindDn: slapd.adminDn,
        bindPassword: slapd.adminPassword,
        tls: { ca: slapd.caPem },
        userBase: people,
        groupBase: groups,
        timeoutMs: 5_000,
        ...extra,
      }),
      { logger: silentLogger },
    );

  const uacOf = async (dn: string) => {
    const [entry] = await slapd.search(dn, '(objectClass=*)', { attributes: ['userAccountControl'] });
    return Number(entry?.['userAccountControl']);
  };

  beforeAll(async () => {
    slapd = await startSlapd({ ldaps: true, adSchema: true });
    people = `ou=people,${slapd.baseDn}`;
    groups = `ou=groups,${slapd.baseDn}`;
    connector = make();
  });
  afterAll(async () => {
    await connector?.close();
    await slapd?.stop();
  });

  it('connects over ldaps with the configured CA', async () => {
    const caps = unwrap(await connector.connect());
    expect(caps.disable).toBe(true);
    expect(caps.notes.join(' | ')).toContain('encrypted');
  });

  it('refuses a self-signed certificate without the CA (TLS, not retryable)', async () => {
    const untrusted = make({ tls: { rejectUnauthorized: true } });
    expect(await untrusted.connect()).toMatchObject({
      ok: false,
      failure: { code: 'unreachable', retryable: false },
    });
    await untrusted.close();
  });

  it('creates a user with its password as unicodePwd, disabled first, then enabled', async () => {
    const dn = `CN=Jane Doe,${people}`;
    const created = unwrap(
      await connector.create('user', {
        dn,
        cn: 'Jane Doe',
        sn: 'Doe',
        sAMAccountName: 'jdoe',
        userPrincipalName: 'jdoe@example.org',
        password: 'Pässw0rd!',
        active: true,
      }),
    );
    expect(created.attributes).not.toHaveProperty('password');
    const [entry] = await slapd.search(dn, '(objectClass=*)', { binary: ['unicodePwd'] });
    const stored = entry?.['unicodePwd'];
    expect(Buffer.isBuffer(stored)).toBe(true);
    expect((stored as Buffer).equals(Buffer.from('"Pässw0rd!"', 'utf16le'))).toBe(true);
    expect((stored as Buffer).equals(encodeUnicodePwd('Pässw0rd!'))).toBe(true);
    expect(entry?.['objectClass']).toEqual(['top', 'person', 'organizationalPerson', 'user']);
    expect(await uacOf(dn)).toBe(512);

    const got = unwrap(await connector.get('user', created.id))!;
    expect(got.attributes).toMatchObject({
      sAMAccountName: 'jdoe',
      userPrincipalName: 'jdoe@example.org',
      active: true,
    });
    expect(got.attributes).not.toHaveProperty('unicodePwd');
    const found = unwrap(await connector.find('user', 'sAMAccountName', 'JDOE'))!;
    expect(found.id).toBe(created.id);
  });

  it('creates a user disabled when active is false', async () => {
    const dn = `CN=Off User,${people}`;
    unwrap(
      await connector.create('user', {
        dn,
        cn: 'Off User',
        sn: 'User',
        sAMAccountName: 'off',
        active: false,
      }),
    );
    expect(await uacOf(dn)).toBe(514);
    expect(unwrap(await connector.get('user', dn))?.attributes['active']).toBe(false);
  });

  it('disables and enables by the ACCOUNTDISABLE bit, keeping the other bits', async () => {
    const dn = `CN=Bits User,${people}`;
    // NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD (0x10000)
    unwrap(
      await connector.create('user', {
        dn,
        cn: 'Bits User',
        sn: 'User',
        userAccountControl: 66048,
        active: true,
      }),
    );
    expect(await uacOf(dn)).toBe(66048);
    unwrap(await connector.disable('user', dn));
    expect(await uacOf(dn)).toBe(66050);
    unwrap(await connector.update('user', dn, { set: { active: true }, remove: [] }, { active: true }));
    expect(await uacOf(dn)).toBe(66048);
    unwrap(await connector.update('user', dn, { set: { active: false }, remove: [] }, { active: false }));
    expect(await uacOf(dn)).toBe(66050);
    expect(unwrap(await connector.get('user', dn))?.attributes['active']).toBe(false);
  });

  it('creates global security groups and writes members as DNs', async () => {
    const a = unwrap(
      await connector.create('user', {
        dn: `CN=Member A,${people}`,
        cn: 'Member A',
        sn: 'A',
        sAMAccountName: 'ma',
      }),
    ).id;
    // Ids are canonical DNs (types lower-cased), whatever spelling the mapping and the server used.
    expect(a).toBe(`cn=Member A,${people}`);
    const group = unwrap(
      await connector.create('group', { dn: `CN=Staff,${groups}`, cn: 'Staff', sAMAccountName: 'staff' }, []),
    );
    const [entry] = await slapd.search(group.id, '(objectClass=*)');
    expect(entry?.['groupType']).toBe('-2147483646');
    expect(entry?.['member']).toBeUndefined();
    unwrap(await connector.addMembers(group.id, [a]));
    unwrap(await connector.addMembers(group.id, [a]));
    expect(unwrap(await connector.get('group', group.id))?.members).toEqual([a]);
    unwrap(await connector.removeMembers(group.id, [a]));
    unwrap(await connector.removeMembers(group.id, [a]));
    expect(unwrap(await connector.get('group', group.id))?.members).toEqual([]);
    // Groups are not users.
    expect(unwrap(await connector.find('user', 'cn', 'Staff'))).toBeNull();
  });

  it('refuses a password over plain ldap, before writing anything', async () => {
    const plain = make({ url: slapd.url });
    const dn = `CN=Plain Pw,${people}`;
    const refused = await plain.create('user', { dn, cn: 'Plain Pw', sn: 'Pw', password: 'Secret-123' });
    expect(refused).toMatchObject({ ok: false, failure: { code: 'invalid', retryable: false } });
    if (!refused.ok) {
      expect(refused.failure.message).toMatch(/ldaps|startTls/);
      expect(refused.failure.message).not.toContain('Secret-123');
    }
    expect(await slapd.search(people, '(cn=Plain Pw)')).toHaveLength(0);
    const reset = await plain.update(
      'user',
      `CN=Jane Doe,${people}`,
      { set: { password: 'Other-123' }, remove: [] },
      {},
    );
    expect(reset).toMatchObject({ ok: false, failure: { code: 'invalid' } });
    await plain.close();
  });

  it('accepts a password over StartTLS on the plain port', async () => {
    const starttls = make({ url: slapd.url, startTls: true });
    const dn = `CN=Start Tls,${people}`;
    unwrap(await starttls.create('user', { dn, cn: 'Start Tls', sn: 'Tls', password: 'Secret-456' }));
    const [entry] = await slapd.search(dn, '(objectClass=*)', { binary: ['unicodePwd'] });
    expect(entry?.['unicodePwd']).toEqual(encodeUnicodePwd('Secret-456'));
    await starttls.close();
  });
});
