// Reading what slapd holds, outside the code under test, and the directory calls the LDAP export tests
// make through the admin API.
import type { Entry } from 'ldapts';
import { expect } from 'vitest';
import { eventually, type OutboundTestApp } from './outbound.ts';
import type { Slapd } from './peers/slapd.ts';

/** An attribute's values as strings (ldapts answers a string for one value, an array for several). */
export function values(entry: Entry | undefined, name: string): string[] {
  if (!entry) return [];
  const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
  const raw = key === undefined ? undefined : entry[key];
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));
}

export const one = (entry: Entry | undefined, name: string) => values(entry, name)[0];
export const lower = (list: readonly string[]) => list.map((v) => v.toLowerCase()).sort();

/** The one entry under `base` matching `filter`, or undefined. */
export const find = async (server: Slapd, base: string, filter: string) =>
  (await server.search(base, filter))[0];

/** Waits until `check` holds for the entry (undefined: until there is no such entry). */
export async function until(
  server: Slapd,
  base: string,
  filter: string,
  check: (e: Entry | undefined) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<Entry | undefined> {
  const found = await eventually(
    async () => {
      const entry = await find(server, base, filter);
      return check(entry) ? { entry } : undefined;
    },
    timeoutMs,
    what,
  );
  return found.entry;
}

export async function addMembers(t: OutboundTestApp, groupId: string, userIds: string[]) {
  const r = await t.api('POST', `/groups/${groupId}/members`, {
    members: userIds.map((id) => ({ type: 'user', id })),
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

export async function newGroup(t: OutboundTestApp, displayName: string, members: string[]): Promise<string> {
  const g = await t.api<{ id: string }>('POST', '/groups', { displayName });
  expect(g.status).toBe(201);
  if (members.length > 0) await addMembers(t, g.body.id, members);
  return g.body.id;
}

export async function removeMember(t: OutboundTestApp, groupId: string, memberId: string) {
  const r = await t.api('DELETE', `/groups/${groupId}/members/${memberId}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

/** An app's connector config for one of the test slapd servers. */
export const slapdConfig = (server: Slapd, type: 'ldap' | 'ad') => ({
  url: type === 'ldap' ? server.url : server.ldapsUrl,
  bindDn: server.adminDn,
  bindPassword: server.adminPassword,
  ...(type === 'ad' ? { tls: { ca: server.caPem } } : {}),
  userBase: `ou=people,${server.baseDn}`,
  groupBase: `ou=groups,${server.baseDn}`,
});

/** Asserts that an app relying on the connector's own default mappings is accepted. */
export async function expectDefaultsAccepted(t: OutboundTestApp, server: Slapd, type: 'ldap' | 'ad') {
  const r = await t.api('POST', '/outbound/apps', {
    name: `defaults ${type}`,
    enabled: false,
    connector: { type, config: slapdConfig(server, type) },
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}
