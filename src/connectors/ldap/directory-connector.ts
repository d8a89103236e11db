import { AndFilter, Attribute, Change, type Client, type Entry, EqualityFilter } from 'ldapts';
import {
  type AttributeChange,
  type Capabilities,
  type Connector,
  type ConnectorDeps,
  type ConnectorFailure,
  type ConnectorResult,
  connectorFail,
  connectorOk,
  type ListPage,
  type ObjectKind,
  type TargetAttributes,
  type TargetObject,
  type TargetValue,
} from '../../outbound/index.ts';
import { ATTRIBUTE_NAME } from './config.ts';
import {
  canonicalDn,
  type Dn,
  dnKey,
  dnStringKey,
  formatDn,
  isUnder,
  parseDn,
  sameDn,
  tryParseDn,
} from './dn.ts';
import { AttributeSpellings, entryValues, readAttributes, toLdapValues } from './entry-shape.ts';
import { invalid, ResultCode, resultCodeOf, toFailure } from './errors.ts';
import { escapeFilterValue } from './escape.ts';
import { type AttributeMap, type Flavor, replace, setAttribute, toAttributes } from './flavor.ts';
import { type ConnectionSettings, LdapConnection } from './ldap-client.ts';
import { Listings } from './paging.ts';

/**
 * The connector contract over LDAP, shared by the OpenLDAP and Active Directory flavors.
 *
 * Ids are DNs, as the server spells them. Every input that becomes part of a request is checked or
 * escaped first: DNs are parsed (and must lie under the configured base), attribute names must be
 * attribute names, and search values travel as BER octet strings inside filter objects built here, never
 * as filter text (the RFC 4515 text, escaped, only appears in messages).
 */

export interface DirectorySettings extends ConnectionSettings {
  userBase: string;
  groupBase: string;
  userNamingAttribute: string;
  groupNamingAttribute: string;
  userObjectClasses: readonly string[];
  groupObjectClasses: readonly string[];
  pageSize: number;
}

const RESERVED = new Set(['dn', 'active', 'password']);
/** Attributes whose values are DNs of other entries: answered in the canonical DN spelling. */
const DN_VALUED = new Set(['manager', 'member', 'uniquemember', 'secretary', 'managedby', 'seealso']);
const PAGED_RESULTS_OID = '1.2.840.113556.1.4.319';

type Op<T> = Promise<ConnectorResult<T>>;

interface RootDse {
  pagedResults: boolean;
  vendor: string | undefined;
}

/** Looks an attribute up case-insensitively (LDAP names are). */
function pick(attributes: TargetAttributes, name: string): TargetValue | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(attributes)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

function without(attributes: TargetAttributes, names: ReadonlySet<string>): TargetAttributes {
  const out: TargetAttributes = {};
  for (const [key, value] of Object.entries(attributes)) if (!names.has(key.toLowerCase())) out[key] = value;
  return out;
}

export function createDirectoryConnector(
  settings: DirectorySettings,
  flavor: Flavor,
  deps: ConnectorDeps,
): Connector {
  const main = new LdapConnection(settings);
  const listings = new Listings(settings);
  const spellings = new AttributeSpellings();
  const bases: Record<ObjectKind, Dn> = {
    user: parseDn(settings.userBase),
    group: parseDn(settings.groupBase),
  };
  const baseText: Record<ObjectKind, string> = { user: settings.userBase, group: settings.groupBase };
  const naming: Record<ObjectKind, string> = {
    user: settings.userNamingAttribute,
    group: settings.groupNamingAttribute,
  };
  const memberAttr = flavor.memberAttribute;
  const placeholderKey = flavor.placeholder ? dnStringKey(flavor.placeholder) : undefined;
  let rootDse: RootDse | undefined;

  const failure = (
    error: unknown,
    operation: string,
    extraSecrets: readonly string[] = [],
  ): ConnectorFailure =>
    toFailure(error, { operation, secrets: [settings.bindPassword, ...extraSecrets], ad: flavor.ad });
  const fromError = (error: unknown, operation: string, extraSecrets: readonly string[] = []) =>
    connectorFail(failure(error, operation, extraSecrets));

  const readAttributeList = (kind: ObjectKind) =>
    kind === 'user' ? ['*', ...flavor.extraUserAttributes] : ['*'];

  /** Base-scope read; null when the entry is absent or not of this kind. Throws ldapts errors. */
  async function readEntry(dn: string, attributes: string[], kind?: ObjectKind): Promise<Entry | null> {
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

  function toObject(kind: ObjectKind, entry: Entry): TargetObject {
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
  function checkDn(
    kind: ObjectKind,
    value: TargetValue | undefined,
  ): { ok: true; dn: Dn } | { ok: false; failure: ConnectorFailure } {
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

  function checkId(id: string): { ok: true; dn: Dn } | { ok: false; failure: ConnectorFailure } {
    const parsed = tryParseDn(id);
    if (!parsed.ok || parsed.dn.length === 0)
      return { ok: false, failure: invalid(`"${id}" is not a DN${parsed.ok ? '' : `: ${parsed.message}`}`) };
    return { ok: true, dn: parsed.dn };
  }

  function memberValues(
    ids: readonly string[],
  ): { ok: true; values: string[] } | { ok: false; failure: ConnectorFailure } {
    for (const id of ids) {
      const parsed = tryParseDn(id);
      if (!parsed.ok || parsed.dn.length === 0)
        return { ok: false, failure: invalid(`member "${id}" is not a DN`) };
    }
    return { ok: true, values: [...ids] };
  }

  function reservedBoolean(attributes: TargetAttributes, name: string): boolean | undefined | 'bad' {
    const value = pick(attributes, name);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'TRUE') return true;
    if (value === 'false' || value === 'FALSE') return false;
    return 'bad';
  }

  function reservedString(attributes: TargetAttributes, name: string): string | undefined | 'bad' {
    const value = pick(attributes, name);
    if (value === undefined || value === null || value === '') return undefined;
    return typeof value === 'string' ? value : 'bad';
  }

  async function loadRootDse(): Promise<RootDse> {
    const result = await main.run(
      (client) =>
        client.search('', {
          scope: 'base',
          filter: '(objectClass=*)',
          attributes: [
            'supportedControl',
            'vendorName',
            'vendorVersion',
            'dnsHostName',
            'domainFunctionality',
          ],
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
    rootDse = { pagedResults: controls.includes(PAGED_RESULTS_OID), vendor: vendor || undefined };
    return rootDse;
  }

  /** Changes a diff asks for, split by whether they touch naming attributes (those wait for a rename). */
  async function diffChanges(
    kind: ObjectKind,
    id: string,
    change: AttributeChange,
  ): Promise<ConnectorResult<{ changes: Array<{ name: string; change: Change }>; secrets: string[] }>> {
    const out: Array<{ name: string; change: Change }> = [];
    const secrets: string[] = [];
    const setPlain = without(change.set, RESERVED);
    spellings.learn(setPlain);
    for (const [name, value] of Object.entries(setPlain)) {
      if (!ATTRIBUTE_NAME.test(name))
        return connectorFail(invalid(`"${name}" is not an LDAP attribute name`));
      let values = toLdapValues(value);
      if (kind === 'group' && name.toLowerCase() === memberAttr.toLowerCase()) {
        const checked = memberValues(values);
        if (!checked.ok) return connectorFail(checked.failure);
        if (values.length === 0 && flavor.placeholder) values = [flavor.placeholder];
      }
      out.push({ name, change: replace(name, values) });
    }
    for (const name of change.remove) {
      const lower = name.toLowerCase();
      if (lower === 'dn' || lower === 'password') continue;
      if (lower === 'active') continue;
      if (!ATTRIBUTE_NAME.test(name))
        return connectorFail(invalid(`"${name}" is not an LDAP attribute name`));
      spellings.learnName(name);
      // Replace with no values deletes the attribute and, unlike delete, succeeds when it is absent.
      const values =
        kind === 'group' && lower === memberAttr.toLowerCase() && flavor.placeholder
          ? [flavor.placeholder]
          : [];
      out.push({ name, change: replace(name, values) });
    }
    const active = reservedBoolean(change.set, 'active');
    if (active === 'bad') return connectorFail(invalid('the reserved attribute active must be a boolean'));
    if (active !== undefined && kind === 'user') {
      const changes = await flavor.activeChanges(id, active, (dn, attributes) => readEntry(dn, attributes));
      if (!changes.ok) return changes;
      for (const c of changes.value) out.push({ name: c.modification.type, change: c });
    }
    const password = reservedString(change.set, 'password');
    if (password === 'bad') return connectorFail(invalid('the reserved attribute password must be a string'));
    if (password !== undefined && kind === 'user') {
      secrets.push(password);
      const changes = flavor.passwordChanges(password, main.secure);
      if (!changes.ok) return changes;
      for (const c of changes.value) out.push({ name: c.modification.type, change: c });
    }
    return connectorOk({ changes: out, secrets });
  }

  async function modifyMembers(
    groupId: string,
    memberIds: readonly string[],
    operation: 'add' | 'delete',
  ): Op<void> {
    const where = `${operation === 'add' ? 'addMembers' : 'removeMembers'} ${groupId}`;
    const id = checkId(groupId);
    if (!id.ok) return connectorFail(id.failure);
    const checked = memberValues(memberIds);
    if (!checked.ok) return connectorFail(checked.failure);
    const values = checked.values.filter((dn) => dnStringKey(dn) !== placeholderKey);
    if (values.length === 0) return connectorOk(undefined);
    const memberChange = (op: 'add' | 'delete', list: string[]) =>
      new Change({ operation: op, modification: new Attribute({ type: memberAttr, values: list }) });
    const modify = (changes: Change[]) =>
      main.run((client: Client) => client.modify(groupId, changes), { idempotent: true });
    // "Already there" and "already gone" are success by contract. OpenLDAP says 20/16; AD says 68 for a
    // duplicate add and 53 (00000561) for removing a non-member.
    const benign = (error: unknown) => {
      const code = resultCodeOf(error);
      if (operation === 'add')
        return (
          code === ResultCode.attributeOrValueExists || (flavor.ad && code === ResultCode.entryAlreadyExists)
        );
      return (
        code === ResultCode.noSuchAttribute ||
        (flavor.ad &&
          code === ResultCode.unwillingToPerform &&
          /00000561/.test(String((error as Error).message)))
      );
    };
    try {
      if (operation === 'add') {
        // One modify normally: add the members and drop the placeholder. The placeholder delete fails
        // (16) when it is not there, and the add fails (20) when one member already is: then go slower.
        const withPlaceholder = flavor.placeholder ? [memberChange('delete', [flavor.placeholder])] : [];
        try {
          await modify([memberChange('add', values), ...withPlaceholder]);
          return connectorOk(undefined);
        } catch (error) {
          const code = resultCodeOf(error);
          if (!(code === ResultCode.noSuchAttribute && withPlaceholder.length > 0) && !benign(error))
            throw error;
        }
        try {
          await modify([memberChange('add', values)]);
        } catch (error) {
          if (!benign(error)) throw error;
          for (const value of values) {
            try {
              await modify([memberChange('add', [value])]);
            } catch (inner) {
              if (!benign(inner)) throw inner;
            }
          }
        }
        if (flavor.placeholder) {
          try {
            await modify([memberChange('delete', [flavor.placeholder])]);
          } catch (error) {
            if (resultCodeOf(error) !== ResultCode.noSuchAttribute) throw error;
          }
        }
        return connectorOk(undefined);
      }
      // Removal. When the last member leaves a groupOfNames, the server refuses (65): put the
      // placeholder in, in the same modify.
      const attempt = async (list: string[]) => {
        try {
          await modify([memberChange('delete', list)]);
        } catch (error) {
          if (resultCodeOf(error) === ResultCode.objectClassViolation && flavor.placeholder)
            await modify([memberChange('delete', list), memberChange('add', [flavor.placeholder])]);
          else throw error;
        }
      };
      try {
        await attempt(values);
      } catch (error) {
        if (!benign(error)) throw error;
        for (const value of values) {
          try {
            await attempt([value]);
          } catch (inner) {
            if (!benign(inner)) throw inner;
          }
        }
      }
      return connectorOk(undefined);
    } catch (error) {
      return fromError(error, where);
    }
  }

  const connector: Connector = {
    type: flavor.type,

    async connect() {
      try {
        const dse = await loadRootDse();
        const capabilities: Capabilities = {
          users: true,
          groups: true,
          disable: flavor.canDisable,
          delete: true,
          find: true,
          list: true,
          notes: [
            ...flavor.notes,
            ...(dse.vendor ? [`server ${dse.vendor}`] : []),
            dse.pagedResults
              ? `paged results (RFC 2696), pageSize ${settings.pageSize}`
              : 'no paged results control: list answers everything in one page',
            main.secure ? 'encrypted (ldaps or StartTLS)' : 'not encrypted (plain ldap)',
          ],
        };
        return connectorOk(capabilities);
      } catch (error) {
        return fromError(error, `connect to ${settings.url}`);
      }
    },

    async create(kind, attributes, members = []) {
      const checked = checkDn(kind, pick(attributes, 'dn'));
      if (!checked.ok) return connectorFail(checked.failure);
      const dnText = canonicalDn((pick(attributes, 'dn') as string).trim());
      const plain = without(attributes, RESERVED);
      spellings.learn(plain);

      const map: AttributeMap = new Map();
      for (const [name, value] of Object.entries(plain)) {
        if (!ATTRIBUTE_NAME.test(name))
          return connectorFail(invalid(`"${name}" is not an LDAP attribute name`));
        const values = toLdapValues(value);
        if (values.length > 0) setAttribute(map, name, values);
      }
      const classes = kind === 'user' ? settings.userObjectClasses : settings.groupObjectClasses;
      const mappedClasses = (map.get('objectclass')?.values ?? []) as string[];
      const allClasses = [...classes];
      for (const oc of mappedClasses)
        if (!allClasses.some((c) => c.toLowerCase() === oc.toLowerCase())) allClasses.push(oc);
      setAttribute(map, 'objectClass', allClasses);

      // The RDN's values must be in the entry; add them when the mappings did not, refuse a contradiction.
      for (const ava of checked.dn[0]!) {
        const existing = map.get(ava.type.toLowerCase());
        if (!existing) setAttribute(map, ava.type, [ava.value]);
        else if (!(existing.values as string[]).some((v) => v.toLowerCase() === ava.value.toLowerCase()))
          return connectorFail(
            invalid(
              `dn names the entry ${ava.type}=${ava.value} but the ${existing.name} attribute is ${existing.values.join(', ')}`,
            ),
          );
      }

      let memberList: string[] = [];
      if (kind === 'group') {
        const fromAttributes = (map.get(memberAttr.toLowerCase())?.values ?? []) as string[];
        const all = [...fromAttributes, ...members];
        const checkedMembers = memberValues(all);
        if (!checkedMembers.ok) return connectorFail(checkedMembers.failure);
        const seen = new Set<string>();
        memberList = all
          .filter((dn) => {
            const key = dnStringKey(dn);
            if (seen.has(key) || key === placeholderKey) return false;
            seen.add(key);
            return true;
          })
          .map(canonicalDn);
        const stored = memberList.length > 0 ? memberList : flavor.placeholder ? [flavor.placeholder] : [];
        map.delete(memberAttr.toLowerCase());
        if (stored.length > 0) setAttribute(map, memberAttr, stored);
      }

      const active = reservedBoolean(attributes, 'active');
      if (active === 'bad') return connectorFail(invalid('the reserved attribute active must be a boolean'));
      const password = reservedString(attributes, 'password');
      if (password === 'bad')
        return connectorFail(invalid('the reserved attribute password must be a string'));
      const reserved: { active?: boolean; password?: string } = {};
      if (active !== undefined) reserved.active = active;
      if (password !== undefined && kind === 'user') reserved.password = password;
      const extras = flavor.createExtras(kind, map, reserved, main.secure);
      if (!extras.ok) return extras;
      const secrets = password ? [password] : [];

      try {
        await main.run((client) => client.add(dnText, toAttributes(map)), { idempotent: false });
      } catch (error) {
        if (resultCodeOf(error) === ResultCode.noSuchObject)
          return connectorFail(
            invalid(`create ${dnText}: the parent entry ${formatDn(checked.dn.slice(1))} does not exist`),
          );
        return fromError(error, `create ${dnText}`, secrets);
      }

      const echoed: TargetAttributes = { ...without(attributes, new Set(['password'])), dn: dnText };
      if (extras.value.after.length > 0) {
        try {
          const after = extras.value.after;
          await main.run((client) => client.modify(dnText, after), { idempotent: true });
        } catch (error) {
          // The entry exists: answering a failure would make the engine create it again. Answer it
          // disabled; the next update that enables it meets (and reports) the same refusal.
          deps.logger.warn(
            { dn: dnText, reason: failure(error, `enable ${dnText}`, secrets).message },
            'ldap connector: created the account but could not enable it',
          );
          if (kind === 'user') echoed['active'] = false;
        }
      }
      if (kind === 'group') return connectorOk({ id: dnText, attributes: echoed, members: memberList });
      return connectorOk({ id: dnText, attributes: echoed });
    },

    async get(kind, id) {
      const checked = checkId(id);
      if (!checked.ok) return connectorFail(checked.failure);
      try {
        const entry = await readEntry(id, readAttributeList(kind), kind);
        return connectorOk(entry ? toObject(kind, entry) : null);
      } catch (error) {
        return fromError(error, `get ${id}`);
      }
    },

    async find(kind, attribute, value) {
      if (attribute.toLowerCase() === 'dn') return connector.get(kind, value);
      if (!ATTRIBUTE_NAME.test(attribute) || RESERVED.has(attribute.toLowerCase()))
        return connectorFail(invalid(`cannot search on "${attribute}": not an LDAP attribute name`));
      spellings.learnName(attribute);
      const text = `(${attribute}=${escapeFilterValue(value)})`;
      const where = `find ${kind} ${text} under ${baseText[kind]}`;
      const filter = new AndFilter({
        filters: [
          flavor.filterFor(kind),
          new EqualityFilter({ attribute, value: Buffer.from(value, 'utf8') }),
        ],
      });
      try {
        const result = await main.run(
          (client) =>
            client.search(baseText[kind], {
              scope: 'sub',
              filter,
              sizeLimit: 2,
              attributes: readAttributeList(kind),
            }),
          { idempotent: true },
        );
        const entries = result.searchEntries;
        if (entries.length > 1)
          return connectorFail({
            code: 'conflict',
            message: `${where}: several entries match (${entries.map((e) => e.dn).join('; ')})`,
            retryable: false,
          });
        const entry = entries[0];
        return connectorOk(entry ? toObject(kind, entry) : null);
      } catch (error) {
        if (resultCodeOf(error) === ResultCode.noSuchObject)
          return connectorFail(invalid(`${where}: the ${kind} base does not exist`));
        return fromError(error, where);
      }
    },

    async update(kind, id, change, desired) {
      const checkedId = checkId(id);
      if (!checkedId.ok) return connectorFail(checkedId.failure);
      const newDnValue = pick(change.set, 'dn');
      let target: Dn | undefined;
      let targetText = canonicalDn(id);
      if (newDnValue !== undefined && newDnValue !== null) {
        const checked = checkDn(kind, newDnValue);
        if (!checked.ok) return connectorFail(checked.failure);
        if (!sameDn(checked.dn, checkedId.dn)) {
          target = checked.dn;
          targetText = canonicalDn((newDnValue as string).trim());
        }
      }
      const diff = await diffChanges(kind, id, change).catch((error: unknown) =>
        fromError(error, `update ${id}`),
      );
      if (!diff.ok) return diff;
      const { changes, secrets } = diff.value;

      // With a rename, attributes of the old and new RDN are written after it (before, the server would
      // refuse to drop the old RDN value); values the rename itself sets are not written twice.
      const rdnTypes = new Set<string>();
      if (target)
        for (const ava of [...checkedId.dn[0]!, ...target[0]!]) rdnTypes.add(ava.type.toLowerCase());
      const before = changes.filter((c) => !rdnTypes.has(c.name.toLowerCase()));
      const after = changes.filter((c) => {
        if (!rdnTypes.has(c.name.toLowerCase())) return false;
        const newValues = target![0]!
          .filter((ava) => ava.type.toLowerCase() === c.name.toLowerCase())
          .map((ava) => ava.value.toLowerCase());
        const written = (c.change.modification.values as string[]).map((v) => String(v).toLowerCase());
        return !(written.length === newValues.length && written.every((v) => newValues.includes(v)));
      });

      let step = `update ${id}`;
      try {
        if (before.length > 0)
          await main.run(
            (client) =>
              client.modify(
                id,
                before.map((c) => c.change),
              ),
            { idempotent: true },
          );
        if (target) {
          step = `rename ${id} to ${targetText}`;
          const wire = formatDn(target, { hexBackslash: true });
          await main.run((client) => client.modifyDN(id, wire), { idempotent: false });
          if (after.length > 0) {
            step = `update ${targetText}`;
            await main.run(
              (client) =>
                client.modify(
                  targetText,
                  after.map((c) => c.change),
                ),
              { idempotent: true },
            );
          }
        }
      } catch (error) {
        return fromError(error, step, secrets);
      }
      const attributes: TargetAttributes = { ...without(desired, new Set(['password'])), dn: targetText };
      return connectorOk({ id: targetText, attributes });
    },

    async disable(_kind, id) {
      const checked = checkId(id);
      if (!checked.ok) return connectorFail(checked.failure);
      try {
        const changes = await flavor.activeChanges(id, false, (dn, attributes) => readEntry(dn, attributes));
        if (!changes.ok) return changes;
        if (changes.value.length > 0)
          await main.run((client) => client.modify(id, changes.value), { idempotent: true });
        return connectorOk(undefined);
      } catch (error) {
        return fromError(error, `disable ${id}`);
      }
    },

    async delete(_kind, id) {
      const checked = checkId(id);
      if (!checked.ok) return connectorFail(checked.failure);
      try {
        await main.run((client) => client.del(id), { idempotent: true });
        return connectorOk(undefined);
      } catch (error) {
        if (resultCodeOf(error) === ResultCode.noSuchObject) return connectorOk(undefined);
        return fromError(error, `delete ${id}`);
      }
    },

    async list(kind, cursor): Op<ListPage> {
      const where = `list ${kind}s under ${baseText[kind]}`;
      try {
        const dse = rootDse ?? (await loadRootDse());
        if (!dse.pagedResults) {
          if (cursor !== null) return connectorOk({ objects: [], next: null });
          const result = await main.run(
            (client) =>
              client.search(baseText[kind], {
                scope: 'sub',
                filter: flavor.filterFor(kind),
                attributes: readAttributeList(kind),
              }),
            { idempotent: true },
          );
          return connectorOk({ objects: result.searchEntries.map((e) => toObject(kind, e)), next: null });
        }
        const scope = `${kind}:${dnKey(bases[kind])}`;
        const answer =
          cursor === null
            ? await listings.start({
                base: baseText[kind],
                filter: flavor.filterFor(kind),
                attributes: readAttributeList(kind),
                pageSize: settings.pageSize,
                scope,
              })
            : await listings.continue(cursor, scope);
        if (!answer.ok) return connectorFail(invalid(`${where}: ${answer.message}`));
        return connectorOk({ objects: answer.entries.map((e) => toObject(kind, e)), next: answer.next });
      } catch (error) {
        if (resultCodeOf(error) === ResultCode.noSuchObject)
          return connectorFail(invalid(`${where}: the ${kind} base does not exist`));
        return fromError(error, where);
      }
    },

    addMembers(groupId, memberIds) {
      return modifyMembers(groupId, memberIds, 'add');
    },

    removeMembers(groupId, memberIds) {
      return modifyMembers(groupId, memberIds, 'delete');
    },

    async close() {
      await listings.close();
      await main.close();
    },
  };
  return connector;
}
