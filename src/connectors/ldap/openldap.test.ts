import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Slapd, slapdAvailable, startSlapd } from '../../../test/peers/slapd.ts';
import { silentLogger } from '../../core/index.ts';
import type { Connector, ListPage, TargetObject } from '../../outbound/index.ts';
import { escapeDnValue, type LdapConnectorConfigInput, ldapConnector } from './index.ts';

/** The OpenLDAP flavor against a real slapd (test/peers/slapd.ts). */

function unwrap<T>(result: { ok: true; value: T } | { ok: false; failure: unknown }): T {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.failure)}`);
  return result.value;
}

describe.skipIf(!slapdAvailable())('ldap connector (OpenLDAP flavor, real slapd)', () => {
  let slapd: Slapd;
  let connector: Connector;
  let people: string;
  let groups: string;

  const configFor = (extra: Partial<LdapConnectorConfigInput> = {}) =>
    ldapConnector.configSchema.parse({
      url: slapd.url,
      bindDn: slapd.adminDn,
      bindPassword: slapd.adminPassword,
      userBase: people,
      groupBase: groups,
      timeoutMs: 5_000,
      disable: { attribute: 'pwdAccountLockedTime', disabledValue: '000001010000Z' },
      ...extra,
    });
  const make = (extra: Partial<LdapConnectorConfigInput> = {}) =>
    ldapConnector.create(configFor(extra), { logger: silentLogger });

  const userDn = (uid: string) => `uid=${escapeDnValue(uid)},${people}`;
  const newUser = async (uid: string, extra: Record<string, string | string[]> = {}): Promise<TargetObject> =>
    unwrap(
      await connector.create('user', {
        dn: userDn(uid),
        uid,
        cn: `${uid} Person`,
        sn: 'Person',
        ...extra,
      }),
    );

  beforeAll(async () => {
    slapd = await startSlapd();
    people = `ou=people,${slapd.baseDn}`;
    groups = `ou=groups,${slapd.baseDn}`;
    connector = make();
  });
  afterAll(async () => {
    await connector?.close();
    await slapd?.stop();
  });

  it('connects, binds and reports capabilities from the root DSE', async () => {
    const caps = unwrap(await connector.connect());
    expect(caps).toMatchObject({
      users: true,
      groups: true,
      disable: true,
      delete: true,
      find: true,
      list: true,
    });
    expect(caps.notes.join(' | ')).toContain('paged results (RFC 2696)');
  });

  it('reports no disable without a lock attribute', async () => {
    const plain = make({ disable: undefined });
    expect(unwrap(await plain.connect()).disable).toBe(false);
    const failed = await plain.disable('user', userDn('nobody-here'));
    expect(failed).toMatchObject({ ok: false, failure: { code: 'unsupported', retryable: false } });
    await plain.close();
  });

  it('creates, gets, finds, updates and deletes a user', async () => {
    const created = await newUser('jdoe', { mail: 'jdoe@example.org', givenName: 'Jane' });
    expect(created.id).toBe(userDn('jdoe'));

    const got = unwrap(await connector.get('user', created.id))!;
    expect(got.id).toBe(created.id);
    expect(got.attributes).toMatchObject({
      uid: 'jdoe',
      mail: 'jdoe@example.org',
      givenName: 'Jane',
      active: true,
    });
    expect(got.attributes).not.toHaveProperty('objectClass');

    const found = unwrap(await connector.find('user', 'MAIL', 'JDOE@example.org'))!;
    expect(found.id).toBe(got.id);
    expect(unwrap(await connector.find('user', 'mail', 'nobody@example.org'))).toBeNull();

    const updated = unwrap(
      await connector.update(
        'user',
        created.id,
        {
          set: { mail: ['a@example.org', 'b@example.org'], title: 'Engineer' },
          remove: ['givenName', 'description'],
        },
        { dn: created.id, uid: 'jdoe', mail: ['a@example.org', 'b@example.org'], title: 'Engineer' },
      ),
    );
    expect(updated.id).toBe(created.id);
    const after = unwrap(await connector.get('user', created.id))!;
    expect(after.attributes['mail']).toEqual(['a@example.org', 'b@example.org']);
    expect(after.attributes['title']).toBe('Engineer');
    expect(after.attributes).not.toHaveProperty('givenName');

    expect(unwrap(await connector.delete('user', created.id))).toBeUndefined();
    expect(unwrap(await connector.get('user', created.id))).toBeNull();
    // Deleting what is gone is success.
    expect((await connector.delete('user', created.id)).ok).toBe(true);
  });

  it('keeps an array an array and a boolean a boolean when reading back', async () => {
    const u = await newUser('shape', { mail: ['only@example.org'] });
    const got = unwrap(await connector.get('user', u.id))!;
    expect(got.attributes['mail']).toEqual(['only@example.org']);
  });

  it('refuses a dn outside the base, without the naming attribute, or unparsable', async () => {
    const outside = await connector.create('user', {
      dn: `uid=x,ou=groups,${slapd.baseDn}`,
      uid: 'x',
      cn: 'x',
      sn: 'x',
    });
    expect(outside).toMatchObject({ ok: false, failure: { code: 'invalid', retryable: false } });
    const naming = await connector.create('user', { dn: `cn=x,${people}`, cn: 'x', sn: 'x' });
    expect(naming).toMatchObject({ ok: false, failure: { code: 'invalid' } });
    const broken = await connector.create('user', { dn: 'uid=a,,ou=people', uid: 'a' });
    expect(broken).toMatchObject({ ok: false, failure: { code: 'invalid' } });
    const missingParent = await connector.create('user', {
      dn: `uid=y,ou=nowhere,${people}`,
      uid: 'y',
      cn: 'y',
      sn: 'y',
    });
    expect(missingParent).toMatchObject({ ok: false, failure: { code: 'invalid' } });
    if (!missingParent.ok) expect(missingParent.failure.message).toContain('does not exist');
  });

  it('answers conflict for an existing entry and for an ambiguous find', async () => {
    await newUser('dup1', { mail: 'same@example.org' });
    const again = await connector.create('user', { dn: userDn('dup1'), uid: 'dup1', cn: 'd', sn: 'd' });
    expect(again).toMatchObject({ ok: false, failure: { code: 'conflict', status: 68 } });
    await newUser('dup2', { mail: 'same@example.org' });
    const ambiguous = await connector.find('user', 'mail', 'same@example.org');
    expect(ambiguous).toMatchObject({ ok: false, failure: { code: 'conflict' } });
  });

  it('renames and moves an entry when the dn changes, answering the new DN', async () => {
    const orgUnit = `ou=staff,${people}`;
    await slapd.add(orgUnit, { objectClass: ['organizationalUnit'], ou: 'staff' });
    const u = await newUser('mover', { title: 'Before' });
    const renamedDn = `uid=mover2,${people}`;
    const renamed = unwrap(
      await connector.update(
        'user',
        u.id,
        { set: { dn: renamedDn, uid: 'mover2', title: 'After' }, remove: [] },
        { dn: renamedDn },
      ),
    );
    expect(renamed.id).toBe(renamedDn);
    expect(unwrap(await connector.get('user', u.id))).toBeNull();
    const got = unwrap(await connector.get('user', renamedDn))!;
    expect(got.attributes).toMatchObject({ uid: 'mover2', title: 'After' });

    const movedDn = `uid=mover2,${orgUnit}`;
    const moved = unwrap(
      await connector.update('user', renamedDn, { set: { dn: movedDn }, remove: [] }, { dn: movedDn }),
    );
    expect(moved.id).toBe(movedDn);
    expect(unwrap(await connector.get('user', movedDn))?.attributes['uid']).toBe('mover2');
    // Rename and move at once.
    const bothDn = `uid=mover3,${people}`;
    const both = unwrap(
      await connector.update(
        'user',
        movedDn,
        { set: { dn: bothDn, uid: 'mover3' }, remove: [] },
        { dn: bothDn },
      ),
    );
    expect(both.id).toBe(bothDn);
    expect(unwrap(await connector.find('user', 'uid', 'mover3'))?.id).toBe(bothDn);
  });

  it('disables and enables with the configured lock attribute', async () => {
    const u = await newUser('locky');
    expect(unwrap(await connector.disable('user', u.id))).toBeUndefined();
    const [locked] = await slapd.search(u.id, '(objectClass=*)', { attributes: ['pwdAccountLockedTime'] });
    expect(locked?.['pwdAccountLockedTime']).toBe('000001010000Z');
    expect(unwrap(await connector.get('user', u.id))?.attributes['active']).toBe(false);
    unwrap(await connector.update('user', u.id, { set: { active: true }, remove: [] }, { active: true }));
    expect(unwrap(await connector.get('user', u.id))?.attributes['active']).toBe(true);
    const created = unwrap(
      await connector.create('user', {
        dn: userDn('born-locked'),
        uid: 'born-locked',
        cn: 'b',
        sn: 'b',
        active: false,
      }),
    );
    expect(unwrap(await connector.get('user', created.id))?.attributes['active']).toBe(false);
  });

  it('manages group members, with a placeholder while the group is empty', async () => {
    const a = await newUser('member-a');
    const b = await newUser('member-b');
    const empty = unwrap(await connector.create('group', { dn: `cn=empty,${groups}`, cn: 'empty' }, []));
    const [stored] = await slapd.search(empty.id, '(objectClass=*)');
    expect(stored?.['member']).toBe(slapd.adminDn);
    expect(unwrap(await connector.get('group', empty.id))?.members).toEqual([]);

    unwrap(await connector.addMembers(empty.id, [a.id]));
    expect(unwrap(await connector.get('group', empty.id))?.members).toEqual([a.id]);
    const [withA] = await slapd.search(empty.id, '(objectClass=*)');
    expect(withA?.['member']).toBe(a.id);

    // Adding one already present (with a new one) and removing one absent are success.
    unwrap(await connector.addMembers(empty.id, [a.id, b.id]));
    unwrap(await connector.addMembers(empty.id, [a.id]));
    expect(unwrap(await connector.get('group', empty.id))?.members?.toSorted()).toEqual([a.id, b.id].sort());
    unwrap(await connector.removeMembers(empty.id, [a.id, userDn('never-there')]));
    expect(unwrap(await connector.get('group', empty.id))?.members).toEqual([b.id]);

    // The last one leaves: the placeholder comes back.
    unwrap(await connector.removeMembers(empty.id, [b.id]));
    const [again] = await slapd.search(empty.id, '(objectClass=*)');
    expect(again?.['member']).toBe(slapd.adminDn);
    expect(unwrap(await connector.get('group', empty.id))?.members).toEqual([]);
    unwrap(await connector.removeMembers(empty.id, [b.id]));

    const full = unwrap(
      await connector.create('group', { dn: `cn=full,${groups}`, cn: 'full', description: 'd' }, [
        a.id,
        b.id,
      ]),
    );
    expect(full.members).toEqual([a.id, b.id]);
    const got = unwrap(await connector.find('group', 'cn', 'full'))!;
    expect(got.members?.toSorted()).toEqual([a.id, b.id].sort());
    expect(got.attributes).toMatchObject({ cn: 'full', description: 'd' });
    expect(got.attributes).not.toHaveProperty('member');
    // A user id is not a group.
    expect(unwrap(await connector.get('group', a.id))).toBeNull();
  });

  it('pages through 250 entries 100 at a time', async () => {
    const pagedOu = `ou=paged,${people}`;
    await slapd.add(pagedOu, { objectClass: ['organizationalUnit'], ou: 'paged' });
    for (let i = 0; i < 250; i++)
      await slapd.add(`uid=p${i},${pagedOu}`, {
        objectClass: ['inetOrgPerson'],
        uid: `p${i}`,
        cn: `p${i}`,
        sn: 'P',
      });
    const paged = make({ userBase: pagedOu, pageSize: 100 });
    const sizes: number[] = [];
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: ListPage = unwrap(await paged.list('user', cursor));
      sizes.push(page.objects.length);
      for (const o of page.objects) seen.add(o.id);
      // A retry of the same cursor answers the same page.
      if (cursor !== null && page.next !== null) {
        const replay = unwrap(await paged.list('user', cursor));
        expect(replay.objects.map((o) => o.id)).toEqual(page.objects.map((o) => o.id));
      }
      cursor = page.next;
    } while (cursor !== null);
    expect(sizes).toEqual([100, 100, 50]);
    expect(seen.size).toBe(250);
    const stale = await paged.list('user', 'bm90LWEtY3Vyc29y');
    expect(stale).toMatchObject({ ok: false, failure: { code: 'invalid' } });
    await paged.close();
  });

  it('escapes hostile values end to end (filters and DNs)', async () => {
    const hostile = ['*)(uid=*', 'a,b=c', '#lead', ' spaced ', 'Zoë 日本 😀', 'back\\slash\\', 'semi;<q>"+'];
    for (const value of hostile) {
      const dn = userDn(value);
      const created = unwrap(
        await connector.create('user', { dn, uid: value, cn: value, sn: 'H', description: value }),
      );
      const byDn = unwrap(await connector.get('user', created.id))!;
      expect(byDn.attributes['uid']).toBe(value);
      const found = unwrap(await connector.find('user', 'description', value));
      expect(found?.attributes['description']).toBe(value);
      // The star is a value, not a wildcard: it must not match everybody.
      if (value.includes('*')) expect(found?.id).toBe(byDn.id);
    }
    expect(unwrap(await connector.find('user', 'uid', '*'))).toBeNull();
    const renamed = unwrap(
      await connector.update(
        'user',
        userDn('back\\slash\\'),
        { set: { dn: userDn('x,y\\'), uid: 'x,y\\' }, remove: [] },
        {},
      ),
    );
    expect(unwrap(await connector.get('user', renamed.id))?.attributes['uid']).toBe('x,y\\');
    const injected = await connector.find('user', 'uid)(objectClass=*', 'x');
    expect(injected).toMatchObject({ ok: false, failure: { code: 'invalid' } });
  });

  it('maps server refusals to invalid, not retryable', async () => {
    const bad = await connector.create('user', {
      dn: userDn('bad-attr'),
      uid: 'bad-attr',
      cn: 'b',
      sn: 'b',
      noSuchAttr: 'x',
    });
    expect(bad).toMatchObject({ ok: false, failure: { code: 'invalid', retryable: false, status: 17 } });
    const noSn = await connector.create('user', { dn: userDn('no-sn'), uid: 'no-sn', cn: 'b' });
    expect(noSn).toMatchObject({ ok: false, failure: { code: 'invalid', status: 65 } });
    const missing = await connector.update('user', userDn('ghost'), { set: { title: 'x' }, remove: [] }, {});
    expect(missing).toMatchObject({ ok: false, failure: { code: 'not_found', status: 32 } });
  });

  it('answers auth for a wrong password, without the password in the message', async () => {
    const wrong = make({ bindPassword: 'wrong-password-123' });
    const result = await wrong.connect();
    expect(result).toMatchObject({ ok: false, failure: { code: 'auth', retryable: false, status: 49 } });
    if (!result.ok) expect(result.failure.message).not.toContain('wrong-password-123');
    await wrong.close();
  });

  it('answers forbidden for a bound account without write rights', async () => {
    await newUser('reader', { userPassword: 'reader-pass' });
    const reader = make({ bindDn: userDn('reader'), bindPassword: 'reader-pass' });
    unwrap(await reader.connect());
    const denied = await reader.create('user', { dn: userDn('nope'), uid: 'nope', cn: 'n', sn: 'n' });
    expect(denied).toMatchObject({ ok: false, failure: { code: 'forbidden', status: 50 } });
    await reader.close();
  });

  it('answers unreachable (retryable) when nothing listens', async () => {
    const dead = make({ url: 'ldap://127.0.0.1:1' });
    expect(await dead.connect()).toMatchObject({
      ok: false,
      failure: { code: 'unreachable', retryable: true },
    });
    await dead.close();
  });

  it('reconnects after a slapd restart on the next call', async () => {
    const u = await newUser('survivor');
    await slapd.restart();
    const got = await connector.get('user', u.id);
    expect(unwrap(got)?.attributes['uid']).toBe('survivor');
    unwrap(await connector.update('user', u.id, { set: { title: 'after restart' }, remove: [] }, {}));
    await slapd.restart();
    // A write after a drop: the connection is noticed dead first and rebuilt, so the add lands once.
    await new Promise((resolve) => setTimeout(resolve, 100));
    unwrap(
      await connector.create('user', { dn: userDn('post-restart'), uid: 'post-restart', cn: 'p', sn: 'p' }),
    );
  });
});
