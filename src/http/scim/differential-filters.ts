/**
 * Filters for the SCIMMY differential test: a small filter tree of our own (independent of Joinery's
 * parser) and the catalogue of attributes with literal pools from the data set. The generators are in
 * differential-filter-gen.ts, the text Joinery is sent and the set evaluation in
 * differential-filter-text.ts, the question each leaf is put to SCIMMY in differential-peer.ts.
 *
 * SCIMMY evaluates every leaf (a comparison, a presence test or a whole value path `emails[...]`) with
 * `new SCIMMY.Types.Filter(expression).match(resources)`; and/or/not between leaves are set operations
 * here. SCIMMY 1.3.5 cannot be handed the whole expression because its own logic is wrong in ways
 * RFC 7644 leaves no room for: `not (a or b)` is evaluated as `not a or not b`, and two sub-attribute
 * comparisons on the same multi-valued attribute joined by `and` must hold for one and the same element
 * (`emails.value co "a@" and emails.type eq "work"` misses a user whose "a@..." address is a home one
 * and whose work address is another). Leaves are given to SCIMMY as expression objects rather than
 * filter text because its lexer decodes no escape: `\"` ends the string and `\\` stays two characters.
 */
import { ENTERPRISE_URN } from './differential-data.ts';
import { isRecord, listOf, type Resource } from './differential-shared.ts';

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type Literal = string | boolean | null;
export type Kind = 'string' | 'boolean' | 'dateTime' | 'uuid' | 'constant';

/** A filterable attribute as the differential sees it. */
export interface AttrSpec {
  /** As a filter spells it canonically, e.g. `name.givenName` or `urn:...:User:department`. */
  path: string;
  /** Where the attribute sits in the peer view (see peerView in differential-peer.ts). */
  peer: readonly string[];
  kind: Kind;
  /** From Joinery's /Schemas (src/scim/schemas): decides whether the peer compares case-folded values. */
  caseExact: boolean;
  /** Values present in the data set, from which literals are drawn. */
  pool: readonly string[];
}

export type MultiName = 'emails' | 'phoneNumbers';
export interface SubSpec {
  name: 'value' | 'type' | 'primary';
  kind: 'string' | 'boolean';
  pool: readonly string[];
}

/** `spelling` is the attribute path exactly as sent (case varies: RFC 7643 §2.1). */
export type Leaf =
  | {
      kind: 'compare';
      attr: AttrSpec;
      spelling: string;
      op: CompareOp;
      opText: string;
      value: Literal;
      escaped: boolean;
    }
  | { kind: 'present'; attr: AttrSpec; spelling: string; opText: string }
  | { kind: 'valuePath'; multi: MultiName; spelling: string; filter: Inner };

export type InnerLeaf =
  | {
      kind: 'compare';
      sub: SubSpec;
      spelling: string;
      op: CompareOp;
      opText: string;
      value: Literal;
      escaped: boolean;
    }
  | { kind: 'present'; sub: SubSpec; spelling: string; opText: string };
type Tree<L> =
  | L
  | { kind: 'and' | 'or'; left: Tree<L>; right: Tree<L>; word: string; parens: boolean }
  | { kind: 'not'; filter: Tree<L>; word: string };

export type { Tree };
export type Inner = Tree<InnerLeaf>;
export type Filter = Tree<Leaf>;

// ---------------------------------------------------------------------------------------------------
// The attributes, with literal pools taken from the data set.

const strings = (values: unknown[]): string[] =>
  [...new Set(values.filter((v): v is string => typeof v === 'string' && v !== ''))].sort();

export interface Catalogue {
  attrs: AttrSpec[];
  subs: Record<MultiName, SubSpec[]>;
}

export function catalogue(users: readonly Resource[]): Catalogue {
  const core = (name: string, caseExact = false): AttrSpec => ({
    path: name,
    peer: name.split('.'),
    kind: 'string',
    caseExact,
    pool: strings(
      users.map((u) => {
        const [a, b] = name.split('.') as [string, string | undefined];
        const v = u[a];
        return b === undefined ? v : isRecord(v) ? v[b] : undefined;
      }),
    ),
  });
  const enterprise = (name: string, caseExact = false): AttrSpec => ({
    path: `${ENTERPRISE_URN}:${name}`,
    peer: [`${ENTERPRISE_URN}:${name}`],
    kind: 'string',
    caseExact,
    pool: strings(users.map((u) => (isRecord(u[ENTERPRISE_URN]) ? u[ENTERPRISE_URN][name] : undefined))),
  });
  const elementPool = (multi: MultiName, sub: string) =>
    strings(users.flatMap((u) => listOf(u[multi]).map((e) => e[sub])));
  const ids = strings(users.map((u) => u.id));
  const instants = strings(
    users.flatMap((u) => (isRecord(u.meta) ? [u.meta.created, u.meta.lastModified] : [])),
  );
  const multiAttrs = (multi: MultiName): AttrSpec[] => [
    {
      path: `${multi}.value`,
      peer: [multi, 'value'],
      kind: 'string',
      caseExact: false,
      pool: elementPool(multi, 'value'),
    },
    {
      path: `${multi}.type`,
      peer: [multi, 'type'],
      kind: 'string',
      caseExact: false,
      pool: elementPool(multi, 'type'),
    },
    { path: `${multi}.primary`, peer: [multi, 'primary'], kind: 'boolean', caseExact: false, pool: [] },
  ];
  const attrs: AttrSpec[] = [
    core('userName'),
    core('externalId', true),
    core('name.givenName'),
    core('name.familyName'),
    core('name.middleName'),
    core('name.honorificPrefix'),
    core('name.honorificSuffix'),
    core('name.formatted'),
    core('displayName'),
    core('title'),
    core('userType'),
    core('preferredLanguage'),
    core('timezone'),
    { path: 'active', peer: ['active'], kind: 'boolean', caseExact: false, pool: [] },
    // `emails co "x"` names a complex attribute without a sub-attribute: RFC 7644 §3.4.2.2 reads it as
    // its `value`, and so does Joinery; SCIMMY is asked about emails.value.
    {
      path: 'emails',
      peer: ['emails', 'value'],
      kind: 'string',
      caseExact: false,
      pool: elementPool('emails', 'value'),
    },
    ...multiAttrs('emails'),
    ...multiAttrs('phoneNumbers'),
    enterprise('employeeNumber', true),
    enterprise('costCenter'),
    enterprise('organization'),
    enterprise('division'),
    enterprise('department'),
    {
      path: `${ENTERPRISE_URN}:manager.value`,
      peer: [`${ENTERPRISE_URN}:manager`, 'value'],
      kind: 'uuid',
      caseExact: true,
      pool: ids,
    },
    { path: 'id', peer: ['id'], kind: 'uuid', caseExact: true, pool: ids },
    { path: 'meta.created', peer: ['meta', 'created'], kind: 'dateTime', caseExact: false, pool: instants },
    {
      path: 'meta.lastModified',
      peer: ['meta', 'lastModified'],
      kind: 'dateTime',
      caseExact: false,
      pool: instants,
    },
    {
      path: 'meta.resourceType',
      peer: ['meta', 'resourceType'],
      kind: 'constant',
      caseExact: true,
      pool: ['User'],
    },
  ];
  const subs = (multi: MultiName): SubSpec[] => [
    { name: 'value', kind: 'string', pool: elementPool(multi, 'value') },
    { name: 'type', kind: 'string', pool: [...elementPool(multi, 'type'), 'WORK', 'Home', 'fax'] },
    { name: 'primary', kind: 'boolean', pool: [] },
  ];
  return {
    attrs: attrs.filter((a) => a.kind !== 'string' || a.pool.length > 0),
    subs: { emails: subs('emails'), phoneNumbers: subs('phoneNumbers') },
  };
}
