import { AndFilter, EqualityFilter } from 'ldapts';
import {
  type Capabilities,
  type Connector,
  type ConnectorDeps,
  connectorFail,
  connectorOk,
  type ListPage,
} from '../../outbound/index.ts';
import { ATTRIBUTE_NAME } from './config.ts';
import { createDirectoryContext, type DirectorySettings, type Op, RESERVED } from './directory-context.ts';
import { checkId, loadRootDse, readEntry, toObject } from './directory-entries.ts';
import { modifyMembers } from './directory-modify.ts';
import { createEntry, updateEntry } from './directory-write.ts';
import { dnKey } from './dn.ts';
import { invalid, ResultCode, resultCodeOf } from './errors.ts';
import { escapeFilterValue } from './escape.ts';
import type { Flavor } from './flavor.ts';

/**
 * The connector contract over LDAP, shared by the OpenLDAP and Active Directory flavors.
 *
 * Ids are DNs, as the server spells them. Every input that becomes part of a request is checked or
 * escaped first: DNs are parsed (and must lie under the configured base), attribute names must be
 * attribute names, and search values travel as BER octet strings inside filter objects built here, never
 * as filter text (the RFC 4515 text, escaped, only appears in messages).
 */

export type { DirectorySettings } from './directory-context.ts';

export function createDirectoryConnector(
  settings: DirectorySettings,
  flavor: Flavor,
  deps: ConnectorDeps,
): Connector {
  const ctx = createDirectoryContext(settings, flavor, deps);
  const { main, listings, bases, baseText, spellings, fromError, readAttributeList } = ctx;

  const connector: Connector = {
    type: flavor.type,

    async connect() {
      try {
        const dse = await loadRootDse(ctx);
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

    create(kind, attributes, members = []) {
      return createEntry(ctx, kind, attributes, members);
    },

    async get(kind, id) {
      const checked = checkId(id);
      if (!checked.ok) return connectorFail(checked.failure);
      try {
        const entry = await readEntry(ctx, id, readAttributeList(kind), kind);
        return connectorOk(entry ? toObject(ctx, kind, entry) : null);
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
        return connectorOk(entry ? toObject(ctx, kind, entry) : null);
      } catch (error) {
        if (resultCodeOf(error) === ResultCode.noSuchObject)
          return connectorFail(invalid(`${where}: the ${kind} base does not exist`));
        return fromError(error, where);
      }
    },

    update(kind, id, change, desired) {
      return updateEntry(ctx, kind, id, change, desired);
    },

    async disable(_kind, id) {
      const checked = checkId(id);
      if (!checked.ok) return connectorFail(checked.failure);
      try {
        const changes = await flavor.activeChanges(id, false, (dn, attributes) =>
          readEntry(ctx, dn, attributes),
        );
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
        const dse = ctx.rootDse ?? (await loadRootDse(ctx));
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
          return connectorOk({
            objects: result.searchEntries.map((e) => toObject(ctx, kind, e)),
            next: null,
          });
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
        return connectorOk({ objects: answer.entries.map((e) => toObject(ctx, kind, e)), next: answer.next });
      } catch (error) {
        if (resultCodeOf(error) === ResultCode.noSuchObject)
          return connectorFail(invalid(`${where}: the ${kind} base does not exist`));
        return fromError(error, where);
      }
    },

    addMembers(groupId, memberIds) {
      return modifyMembers(ctx, groupId, memberIds, 'add');
    },

    removeMembers(groupId, memberIds) {
      return modifyMembers(ctx, groupId, memberIds, 'delete');
    },

    async close() {
      await listings.close();
      await main.close();
    },
  };
  return connector;
}
