import type {
  ConnectorDeps,
  ConnectorFailure,
  ConnectorResult,
  ObjectKind,
  TargetAttributes,
  TargetValue,
} from '../../outbound/index.ts';
import { connectorFail } from '../../outbound/index.ts';
import { type Dn, dnStringKey, parseDn } from './dn.ts';
import { AttributeSpellings } from './entry-shape.ts';
import { toFailure } from './errors.ts';
import type { Flavor } from './flavor.ts';
import { type ConnectionSettings, LdapConnection } from './ldap-client.ts';
import { Listings } from './paging.ts';

/**
 * What one directory connector shares between its operations, built once per connector: the
 * connection, the listings, the learned attribute spellings, the bases and naming attributes, the
 * member attribute and placeholder, and the helpers that turn errors into failures.
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

export const RESERVED = new Set(['dn', 'active', 'password']);

export type Op<T> = Promise<ConnectorResult<T>>;

export interface RootDse {
  pagedResults: boolean;
  vendor: string | undefined;
}

export interface DirectoryContext {
  readonly settings: DirectorySettings;
  readonly flavor: Flavor;
  readonly deps: ConnectorDeps;
  readonly main: LdapConnection;
  readonly listings: Listings;
  readonly spellings: AttributeSpellings;
  readonly bases: Record<ObjectKind, Dn>;
  readonly baseText: Record<ObjectKind, string>;
  readonly naming: Record<ObjectKind, string>;
  readonly memberAttr: string;
  readonly placeholderKey: string | undefined;
  /** The root DSE, once read (by connect, or by the first list). */
  rootDse: RootDse | undefined;
  failure(error: unknown, operation: string, extraSecrets?: readonly string[]): ConnectorFailure;
  fromError(error: unknown, operation: string, extraSecrets?: readonly string[]): ConnectorResult<never>;
  readAttributeList(kind: ObjectKind): string[];
}

export function createDirectoryContext(
  settings: DirectorySettings,
  flavor: Flavor,
  deps: ConnectorDeps,
): DirectoryContext {
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

  return {
    settings,
    flavor,
    deps,
    main,
    listings,
    spellings,
    bases,
    baseText,
    naming,
    memberAttr,
    placeholderKey,
    rootDse: undefined,
    failure,
    fromError,
    readAttributeList,
  };
}

/** Looks an attribute up case-insensitively (LDAP names are). */
export function pick(attributes: TargetAttributes, name: string): TargetValue | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(attributes)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

export function without(attributes: TargetAttributes, names: ReadonlySet<string>): TargetAttributes {
  const out: TargetAttributes = {};
  for (const [key, value] of Object.entries(attributes)) if (!names.has(key.toLowerCase())) out[key] = value;
  return out;
}
