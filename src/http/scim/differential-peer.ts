/**
 * SCIMMY 1.3.5 (https://scimmyjs.github.io) as the peer of the differential test: its in-memory filter
 * matching (`SCIMMY.Types.Filter#match`) and PATCH application (`SCIMMY.Messages.PatchOp#apply` on a
 * `SCIMMY.Schemas.User` extended with `SCIMMY.Schemas.EnterpriseUser`).
 *
 * SCIMMY's matcher is schema-blind: it compares raw JSON values. Where that contradicts RFC 7643/7644,
 * the peer is given an equivalent question instead of being excluded; each adaptation is listed where it
 * is made:
 * - case: SCIMMY compares every string case-sensitively (`===`, `includes`). RFC 7643 §2.3.1 and
 *   RFC 7644 §3.4.2.2 make comparisons on `caseExact: false` attributes case-insensitive, so the peer
 *   sees those attributes, and literals compared with them, lower-cased (caseExact attributes as they are).
 * - absence: SCIMMY turns a missing value into the string "undefined" for co/sw/ew (`title co "def"`
 *   matches users without a title); an absent attribute contains nothing, so co/sw/ew go to SCIMMY
 *   together with `pr`, and a negated one inside a value filter as `np or not co`.
 * - missing containers: SCIMMY throws on `name.givenName ...` when `name` is absent and on
 *   `emails.value ...` when `emails` is; the peer view has `{}` and `[]` there (RFC 7643 §2.5: unassigned
 *   and empty are the same state).
 * - extensions: SCIMMY looks `urn:...:User:department` up as one key, so the peer view carries each
 *   enterprise attribute under its fully qualified name.
 * - dateTime: SCIMMY compares dates chronologically for gt/ge/lt/le but as strings for eq/ne, so
 *   "2021-03-04T05:06:07Z" is not `eq` "2021-03-04T05:06:07.000Z". The literal is given to SCIMMY in the
 *   form the data uses (`toISOString`), which makes eq/ne chronological too (RFC 7644 §3.4.2.2).
 */
import SCIMMY from 'scimmy';
import { ENTERPRISE_URN } from './differential-data.ts';
import { disjunctiveForm, type InnerLiteral } from './differential-filter-text.ts';
import type { AttrSpec, CompareOp, InnerLeaf, Leaf, Literal, MultiName } from './differential-filters.ts';
import { isRecord, listOf, type Resource } from './differential-shared.ts';

SCIMMY.Schemas.User.extend(SCIMMY.Schemas.EnterpriseUser as unknown as SCIMMY.Types.Schema);

export type PeerView = Record<string, unknown> & { id: string };

const fold = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);
const ENTERPRISE_STRINGS: Array<[name: string, caseExact: boolean]> = [
  ['employeeNumber', true],
  ['costCenter', false],
  ['organization', false],
  ['division', false],
  ['department', false],
];

/** A Joinery User resource as SCIMMY's matcher should see it (see the notes at the top). */
export function peerView(r: Resource): PeerView {
  const name = isRecord(r.name) ? r.name : {};
  const enterprise = isRecord(r[ENTERPRISE_URN]) ? r[ENTERPRISE_URN] : {};
  const manager = isRecord(enterprise.manager) ? enterprise.manager : {};
  const meta = isRecord(r.meta) ? r.meta : {};
  const elements = (v: unknown) =>
    listOf(v).map((e) => ({
      value: fold(e.value),
      type: fold(e.type),
      primary: e.primary,
    }));
  const view: PeerView = {
    id: String(r.id),
    userName: fold(r.userName),
    externalId: r.externalId,
    name: Object.fromEntries(Object.entries(name).map(([k, v]) => [k, fold(v)])),
    displayName: fold(r.displayName),
    title: fold(r.title),
    userType: fold(r.userType),
    preferredLanguage: fold(r.preferredLanguage),
    timezone: fold(r.timezone),
    active: r.active,
    emails: elements(r.emails),
    phoneNumbers: elements(r.phoneNumbers),
    [`${ENTERPRISE_URN}:manager`]: manager.value === undefined ? {} : { value: manager.value },
    meta: { created: meta.created, lastModified: meta.lastModified, resourceType: meta.resourceType },
  };
  for (const [attr, caseExact] of ENTERPRISE_STRINGS) {
    view[`${ENTERPRISE_URN}:${attr}`] = caseExact ? enterprise[attr] : fold(enterprise[attr]);
  }
  return view;
}

/** One SCIMMY comparison expression: `["eq", "x"]`, `["not", "co", "x"]`, `["pr"]`, `["np"]`. */
type Expr = unknown[];

function peerLiteral(kind: AttrSpec['kind'] | 'string', caseExact: boolean, value: Literal): Literal {
  if (typeof value !== 'string') return value;
  if (kind === 'dateTime') return new Date(value).toISOString();
  return kind === 'string' && !caseExact ? value.toLowerCase() : value;
}

/** Alternatives (OR) of conjunctions (AND) of expressions on one attribute, for one literal. */
function literalExprs(op: CompareOp | 'pr', literal: Literal, negated: boolean): Expr[][] {
  if (op === 'pr') return [[[negated ? 'np' : 'pr']]];
  const stringy = op === 'co' || op === 'sw' || op === 'ew';
  if (!negated) return [stringy ? [['pr'], [op, literal]] : [[op, literal]]];
  return stringy ? [[['np']], [['not', op, literal]]] : [[['not', op, literal]]];
}

const condition = (exprs: Expr[]): unknown => (exprs.length === 1 ? exprs[0] : exprs);

function nest(path: readonly string[], inner: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((acc, key) => ({ [key]: acc }), inner) as Record<string, unknown>;
}

function match(
  expression: Record<string, unknown> | Record<string, unknown>[],
  views: readonly PeerView[],
): Set<string> {
  const matched: unknown[] = new SCIMMY.Types.Filter(expression).match([...views]);
  return new Set(matched.map((v) => (v as PeerView).id));
}

/** The users SCIMMY says match one leaf of a filter. */
export function peerLeaf(leaf: Leaf, views: readonly PeerView[]): Set<string> {
  switch (leaf.kind) {
    case 'present':
      return match(nest(leaf.attr.peer, ['pr']), views);
    case 'compare': {
      const literal = peerLiteral(leaf.attr.kind, leaf.attr.caseExact, leaf.value);
      const [exprs] = literalExprs(leaf.op, literal, false);
      return match(nest(leaf.attr.peer, condition(exprs ?? [])), views);
    }
    case 'valuePath':
      return match(valuePathExpression(leaf.multi, disjunctiveForm(leaf.filter)), views);
  }
}

/**
 * `emails[type eq "work" and not (value co "x")]` as SCIMMY expression objects: one object per
 * conjunction, all its conditions on one element (`{emails: {type: [...], value: [...]}}`).
 */
function valuePathExpression(multi: MultiName, dnf: InnerLiteral[][]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const conjunction of dnf) {
    let alternatives: Array<Array<[string, Expr]>> = [[]];
    for (const { leaf, negated } of conjunction) {
      const choices = innerExprs(leaf, negated);
      alternatives = alternatives.flatMap((prefix) =>
        choices.map((exprs) => [...prefix, ...exprs.map((e): [string, Expr] => [leaf.sub.name, e])]),
      );
    }
    for (const alternative of alternatives) {
      const bySub = new Map<string, Expr[]>();
      for (const [sub, expr] of alternative) bySub.set(sub, [...(bySub.get(sub) ?? []), expr]);
      out.push({ [multi]: Object.fromEntries([...bySub].map(([sub, exprs]) => [sub, condition(exprs)])) });
    }
  }
  return out;
}

function innerExprs(leaf: InnerLeaf, negated: boolean): Expr[][] {
  if (leaf.kind === 'present') return literalExprs('pr', null, negated);
  // value and type are caseExact false (RFC 7643 §4.1.2); primary is a boolean.
  return literalExprs(leaf.op, peerLiteral(leaf.sub.kind, false, leaf.value), negated);
}
