import type { Entry } from 'ldapts';
import type {
  ConnectorFailure,
  ObjectKind,
  TargetAttributes,
  TargetObject,
  TargetValue,
} from '../../outbound/index.ts';
import { type DirectoryContext, pick, type RootDse } from './directory-context.ts';
import { canonicalDn, type Dn, dnStringKey, isUnder, tryParseDn } from './dn.ts';
import { entryValues, readAttributes } from './entry-shape.ts';
import { invalid, ResultCode, resultCodeOf } from './errors.ts';

/** Reading entries and shaping them into target objects; checking the DNs and reserved values given. */

/** Attributes whose values are DNs of other entries: answered in the canonical DN spelling. */
const DN_VALUED = new Set(['manager', 'member', 'uniquemember', 'secretary', 'managedby', 'seealso']);
const PAGED_RESULTS_OID = '1.2.840.113556.1.4.319';

/** Base-scope read; null when the entry is absent or not of this kind. Throws ldapts errors. */
export async function readEntry(
  ctx: DirectoryContext,
  dn: string,
  attributes: string[],
  kind?: ObjectKind,
): Promise<Entry | null> {
  const { main, flavor } = ctx;
  try {
    const result = await main.run(
      (client) =>
        client.search(dn, {
          scope: 'base',
          ...(kind ? { filter: flavor.filterFor(kind) } : {}),
          attributes,
        }),
      { idempotent: true },
    );
    return result.searchEntries[0] ?? null;
  } catch (error) {
    if (resultCodeOf(error) === ResultCode.noSuchObject) return null;
    throw error;
  }
}

export function toObject(ctx: DirectoryContext, kind: ObjectKind, entry: Entry): TargetObject {
  const { flavor, memberAttr, spellings, placeholderKey } = ctx;
  const hidden = new Set<string>(['objectclass', ...flavor.hidden]);
  if (kind === 'group') hidden.add(memberAttr.toLowerCase());
  const attributes = readAttributes(entry, spellings, hidden);
  const id = canonicalDn(entry.dn);
  attributes['dn'] = id;
  for (const [name, value] of Object.entries(attributes))
    if (DN_VALUED.has(name.toLowerCase()))
      attributes[name] = Array.isArray(value)
        ? value.map((v) => canonicalDn(String(v)))
        : typeof value === 'string'
          ? canonicalDn(value)
          : value;
  if (kind === 'user') {
    const active = flavor.readActive(entry);
    if (active !== undefined) attributes['active'] = active;
    return { id, attributes };
  }
  const members = (entryValues(entry, memberAttr) ?? [])
    .filter((dn) => dnStringKey(dn) !== placeholderKey)
    .map(canonicalDn);
  return { id, attributes, members };
}

/** Parses the reserved `dn` and checks it against the base and the naming attribute. */
export function checkDn(
  ctx: DirectoryContext,
  kind: ObjectKind,
  value: TargetValue | undefined,
): { ok: true; dn: Dn } | { ok: false; failure: ConnectorFailure } {
  const { bases, baseText, naming } = ctx;
  if (typeof value !== 'string' || value.trim() === '')
    return {
      ok: false,
      failure: invalid('the reserved attribute dn must be a non-empty string (map it with an expression)'),
    };
  const parsed = tryParseDn(value);
  if (!parsed.ok) return { ok: false, failure: invalid(`dn "${value}": ${parsed.message}`) };
  if (!isUnder(parsed.dn, bases[kind]))
    return {
      ok: false,
      failure: invalid(`dn "${value}" is not under the ${kind} base ${baseText[kind]}`),
    };
  const rdn = parsed.dn[0]!;
  if (!rdn.some((ava) => ava.type.toLowerCase() === naming[kind].toLowerCase()))
    return {
      ok: false,
      failure: invalid(
        `dn "${value}" must name the ${kind} by ${naming[kind]} (the configured ${kind}NamingAttribute)`,
      ),
    };
  return { ok: true, dn: parsed.dn };
}

export function checkId(id: string): { ok: true; dn: Dn } | { ok: false; failure: ConnectorFailure } {
  const parsed = tryParseDn(id);
  if (!parsed.ok || parsed.dn.length === 0)
    return { ok: false, failure: invalid(`"${id}" is not a DN${parsed.ok ? '' : `: ${parsed.message}`}`) };
  return { ok: true, dn: parsed.dn };
}

export function memberValues(
  ids: readonly string[],
): { ok: true; values: string[] } | { ok: false; failure: ConnectorFailure } {
  for (const id of ids) {
    const parsed = tryParseDn(id);
    if (!parsed.ok || parsed.dn.length === 0)
      return { ok: false, failure: invalid(`member "${id}" is not a DN`) };
  }
  return { ok: true, values: [...ids] };
}

export function reservedBoolean(attributes: TargetAttributes, name: string): boolean | undefined | 'bad' {
  const value = pick(attributes, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'TRUE') return true;
  if (value === 'false' || value === 'FALSE') return false;
  return 'bad';
}

export function reservedString(attributes: TargetAttributes, name: string): string | undefined | 'bad' {
  const value = pick(attributes, name);
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' ? value : 'bad';
}

export async function loadRootDse(ctx: DirectoryContext): Promise<RootDse> {
  const result = await ctx.main.run(
    (client) =>
      client.search('', {
        scope: 'base',
        filter: '(objectClass=*)',
        attributes: ['supportedControl', 'vendorName', 'vendorVersion', 'dnsHostName', 'domainFunctionality'],
      }),
    { idempotent: true },
  );
  const entry = result.searchEntries[0];
  const controls = entry ? (entryValues(entry, 'supportedControl') ?? []) : [];
  const vendor = entry
    ? [entryValues(entry, 'vendorName')?.[0], entryValues(entry, 'vendorVersion')?.[0]]
        .filter(Boolean)
        .join(' ')
    : '';
  ctx.rootDse = { pagedResults: controls.includes(PAGED_RESULTS_OID), vendor: vendor || undefined };
  return ctx.rootDse;
}
