import { AndFilter, Attribute, Change, type Entry, EqualityFilter, type Filter, NotFilter } from 'ldapts';
import type { ConnectorResult, ObjectKind } from '../../outbound/index.ts';

/**
 * What differs between directories: how `active` and `password` are written, which object classes and
 * filters name users and groups, whether a group may be empty. The operations themselves (add, modify,
 * modifyDN, search, paging) are shared in `directory-connector.ts`.
 */

/** Attributes being assembled for an add, keyed by lower-cased name (LDAP names are case-insensitive). */
export type AttributeMap = Map<string, { name: string; values: string[] | Buffer[] }>;

export function setAttribute(map: AttributeMap, name: string, values: string[] | Buffer[]): void {
  map.set(name.toLowerCase(), { name, values });
}

export function toAttributes(map: AttributeMap): Attribute[] {
  return [...map.values()].map(({ name, values }) => new Attribute({ type: name, values }));
}

export function replace(name: string, values: string[] | Buffer[]): Change {
  return new Change({ operation: 'replace', modification: new Attribute({ type: name, values }) });
}

/** Reads one entry's attributes (base scope); null when it does not exist. */
export type ReadEntry = (dn: string, attributes: string[]) => Promise<Entry | null>;

export interface CreateExtras {
  /** Changes applied right after the add (AD: enable the account once its password is set). */
  after: Change[];
}

export interface Flavor {
  readonly type: 'ldap' | 'ad';
  readonly ad: boolean;
  readonly memberAttribute: string;
  /** The DN an otherwise empty group holds, or null when groups may be empty. */
  readonly placeholder: string | null;
  readonly canDisable: boolean;
  /** Operational attributes to request besides `*` when reading users. */
  readonly extraUserAttributes: readonly string[];
  /** Lower-cased attribute names never returned (passwords, the flag behind `active`). */
  readonly hidden: ReadonlySet<string>;
  readonly notes: readonly string[];
  filterFor(kind: ObjectKind): Filter;
  readActive(entry: Entry): boolean | undefined;
  /** Adds what `active` and `password` mean to a new entry's attributes. */
  createExtras(
    kind: ObjectKind,
    attributes: AttributeMap,
    reserved: { active?: boolean; password?: string },
    secure: boolean,
  ): ConnectorResult<CreateExtras>;
  /** The modify changes that set `active` on an existing entry (AD reads the current flags first). */
  activeChanges(dn: string, active: boolean, read: ReadEntry): Promise<ConnectorResult<Change[]>>;
  passwordChanges(password: string, secure: boolean): ConnectorResult<Change[]>;
}

/** `(objectClass=<last configured class>)`, the structural class by convention; AD excludes computers. */
export function classFilter(objectClass: string, excludeComputers: boolean): Filter {
  const byClass = new EqualityFilter({ attribute: 'objectClass', value: objectClass });
  if (!excludeComputers) return byClass;
  return new AndFilter({
    filters: [
      byClass,
      new NotFilter({ filter: new EqualityFilter({ attribute: 'objectClass', value: 'computer' }) }),
    ],
  });
}
