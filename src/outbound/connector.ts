import type { z } from 'zod';
import type { Logger } from '../core/index.ts';

/**
 * The connector contract: what the provisioning engine asks of a target application, and nothing about
 * how it is stored. A connector speaks one protocol (SCIM 2.0, LDAP, ...) and knows no database.
 *
 * Attribute names are the target's own: SCIM attribute paths for SCIM targets (`userName`,
 * `name.givenName`, `emails[type eq "work"].value`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`), LDAP attribute names for
 * directories (`uid`, `cn`, `mail`). Three names are reserved and understood by every connector:
 * - `active` (boolean): enabled or disabled (SCIM `active`; AD `userAccountControl`; OpenLDAP a
 *   configured lock attribute, or unsupported).
 * - `dn` (string, LDAP only): the object's distinguished name; a changed value is a rename or move.
 * - reference attributes (SCIM `...:User:manager`, LDAP `manager`) carry the *target* id of the referenced
 *   object (the engine resolves directory ids to target ids before calling).
 *
 * Every call answers a value, never throws for an expected outcome: a failure says whether retrying can
 * help (`retryable`) and, for rate limits, how long the target asked us to wait.
 */

export type TargetScalar = string | number | boolean;
export type TargetValue = TargetScalar | null | readonly TargetScalar[];
export type TargetAttributes = Record<string, TargetValue>;

export type ConnectorFailureCode =
  /** Network error, timeout, DNS: the target could not be reached. */
  | 'unreachable'
  /** Credentials refused (401, LDAP invalidCredentials): retrying will not help until config changes. */
  | 'auth'
  /** Authenticated but not allowed (403, insufficientAccessRights). */
  | 'forbidden'
  /** 429 or LDAP busy/unwillingToPerform under load: retry after `retryAfterMs`. */
  | 'rate_limited'
  /** 5xx or LDAP unavailable/other server trouble. */
  | 'server'
  /** The object already exists (409, entryAlreadyExists). */
  | 'conflict'
  /** The object is gone (404, noSuchObject). */
  | 'not_found'
  /** The target refused the payload (400, schema/constraint violation). */
  | 'invalid'
  /** The target cannot do this (no groups, no PATCH and no PUT, no delete...). */
  | 'unsupported';

export interface ConnectorFailure {
  code: ConnectorFailureCode;
  /** For people: what the target said, never a credential. */
  message: string;
  retryable: boolean;
  /** The target's own wait hint (Retry-After), in milliseconds. */
  retryAfterMs?: number;
  /** HTTP status or LDAP result code, when there is one. */
  status?: number;
}

export type ConnectorResult<T> = { ok: true; value: T } | { ok: false; failure: ConnectorFailure };

export const connectorOk = <T>(value: T): ConnectorResult<T> => ({ ok: true, value });
export const connectorFail = (failure: ConnectorFailure): ConnectorResult<never> => ({ ok: false, failure });

/** An object as the target holds it. */
export interface TargetObject {
  /** The target's identifier: the SCIM `id`, the LDAP DN. */
  id: string;
  /** Attributes under the same names the mappings use (only those the connector can read back). */
  attributes: TargetAttributes;
  /** Group member target ids, when the object is a group and the target returned them. */
  members?: readonly string[];
}

/** An update as a diff: attributes to set (replace) and attributes to clear. */
export interface AttributeChange {
  set: TargetAttributes;
  remove: readonly string[];
}

export interface ListPage {
  objects: TargetObject[];
  /** Opaque cursor for the next page; null on the last. */
  next: string | null;
}

export interface Capabilities {
  users: boolean;
  groups: boolean;
  /** Can set `active` false (else the engine falls back to delete or nothing, as configured). */
  disable: boolean;
  delete: boolean;
  /** Can find an object by an attribute value (SCIM filter eq, LDAP search). */
  find: boolean;
  /** Can page through every object (reconciliation, orphans). */
  list: boolean;
  /** Free-form facts for the on-demand trace and the app's status (e.g. "PATCH", "maxResults 200"). */
  notes: readonly string[];
}

export type ObjectKind = 'user' | 'group';

export interface Connector {
  readonly type: string;
  /** Connects (and authenticates) and reports what the target supports. The "connect" step. */
  connect(): Promise<ConnectorResult<Capabilities>>;

  create(
    kind: ObjectKind,
    attributes: TargetAttributes,
    members?: readonly string[],
  ): Promise<ConnectorResult<TargetObject>>;
  /** null when the target has no such object. */
  get(kind: ObjectKind, id: string): Promise<ConnectorResult<TargetObject | null>>;
  /** The object whose `attribute` equals `value`; null when none; `conflict` when several. */
  find(kind: ObjectKind, attribute: string, value: string): Promise<ConnectorResult<TargetObject | null>>;
  /**
   * Applies the diff. `desired` is the whole desired state, for targets that can only replace (PUT) or
   * must compute a new DN. The answer carries the id after the update (a rename changes an LDAP DN).
   */
  update(
    kind: ObjectKind,
    id: string,
    change: AttributeChange,
    desired: TargetAttributes,
  ): Promise<ConnectorResult<TargetObject>>;
  disable(kind: 'user', id: string): Promise<ConnectorResult<void>>;
  /** Deleting an object that is already gone is success. */
  delete(kind: ObjectKind, id: string): Promise<ConnectorResult<void>>;
  list(kind: ObjectKind, cursor: string | null): Promise<ConnectorResult<ListPage>>;
  /**
   * How many objects of this kind the target holds, when it can say cheaply (SCIM `totalResults` of an
   * empty page); null when it cannot. The engine skips matching look-ups while the target holds exactly
   * the objects Joinery linked (nothing unknown to match against), e.g. through an initial cycle.
   */
  count?(kind: ObjectKind): Promise<ConnectorResult<number | null>>;

  /** Adding a member already present, or removing one already absent, is success. */
  addMembers(groupId: string, memberIds: readonly string[]): Promise<ConnectorResult<void>>;
  removeMembers(groupId: string, memberIds: readonly string[]): Promise<ConnectorResult<void>>;

  /** Frees sockets and pools. */
  close(): Promise<void>;
}

export interface ConnectorDeps {
  logger: Logger;
  /** Injected so tests need not wait real seconds for backoff. */
  sleep?: (ms: number) => Promise<void>;
}

/** A default mapping set a connector proposes for a new application. */
export interface DefaultMappings {
  /** Attribute mappings, in the mapping module's shape (`attributeMappingSchema`). */
  user: readonly Record<string, unknown>[];
  group: readonly Record<string, unknown>[];
  /** Target attribute the engine matches existing objects on, and the directory attribute it holds. */
  userMatching: { target: string; source: string };
  groupMatching: { target: string; source: string };
}

/** What a connector package exports: its config schema, which config fields are secret, and a factory. */
export interface ConnectorDefinition<C = unknown> {
  type: string;
  description: string;
  configSchema: z.ZodType<C>;
  /** Dot paths in the parsed config that hold credentials: sealed at rest, shown as `********`. */
  secretPaths: readonly string[];
  defaults(config: C): DefaultMappings;
  create(config: C, deps: ConnectorDeps): Connector;
}
