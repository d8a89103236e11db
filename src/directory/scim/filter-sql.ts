import { type RawBuilder, sql } from 'kysely';
import {
  type AttributeDefinition,
  type Filter,
  type ResourceSchemas,
  resolvePath,
  resolveSubAttribute,
  type ScimResult,
  scimErr,
  scimOk,
} from '../../scim/index.ts';
import { escapeLike } from '../like.ts';
import { type ColumnSpec, columnFor, type ResourceKind } from './columns.ts';
import { compareSql, presentSql } from './compare-sql.ts';

type Sql = RawBuilder<unknown>;

export interface FilterTarget {
  resource: ResourceKind;
  schemas: ResourceSchemas;
}

const MAX_NODES = 200;
const bad = (detail: string) => scimErr<Sql>(400, 'invalidFilter', detail);

/**
 * Translates a parsed SCIM filter into one SQL predicate over the users or groups table, so the
 * database does all filtering (and can use the indexes of migration 0002). Every predicate is
 * two-valued: an absent attribute makes a comparison false, so `not` and `ne` behave.
 */
export function filterToSql(filter: Filter, target: FilterTarget): ScimResult<Sql> {
  let nodes = 0;
  const walk = (f: Filter): ScimResult<Sql> => {
    if (++nodes > MAX_NODES)
      return scimErr(400, 'tooMany', `the filter has more than ${MAX_NODES} terms; split the query`);
    switch (f.kind) {
      case 'and':
      case 'or':
      case 'not':
        return logical(f, walk);
      case 'valuePath':
        return valuePathSql(f, target);
      default:
        return attributeSql(f, target);
    }
  };
  return walk(filter);
}

type Leaf = Extract<Filter, { kind: 'compare' } | { kind: 'present' }>;

/** and / or / not over already-translated operands (the same for rows and for array elements). */
function logical(
  f: Extract<Filter, { kind: 'and' | 'or' | 'not' }>,
  walk: (f: Filter) => ScimResult<Sql>,
): ScimResult<Sql> {
  if (f.kind === 'not') {
    const inner = walk(f.filter);
    return inner.ok ? scimOk(sql`(not ${inner.value})`) : inner;
  }
  const left = walk(f.left);
  if (!left.ok) return left;
  const right = walk(f.right);
  if (!right.ok) return right;
  return scimOk(
    f.kind === 'and' ? sql`(${left.value} and ${right.value})` : sql`(${left.value} or ${right.value})`,
  );
}

function attributeSql(f: Leaf, target: FilterTarget): ScimResult<Sql> {
  const resolved = resolvePath(target.schemas, f.path, 'filter');
  if (!resolved.ok) return resolved;
  if (resolved.value.kind === 'extension')
    return bad(`"${resolved.value.schema.id}" is a schema, not an attribute`);
  const { schema, attribute, sub } = resolved.value;
  const name = sub ? `${attribute.name}.${sub.name}` : attribute.name;
  const custom = target.schemas.extensions;
  const whole = columnFor(target.resource, schema, attribute, null, custom);
  if (whole?.kind === 'multi') {
    const element = sub ?? attribute.subAttributes?.find((s) => s.name === 'value');
    if (!element) return bad(`"${name}" cannot be filtered`);
    if (f.kind === 'present' && !sub) return scimOk(sql`(jsonb_array_length(${whole.expr}) > 0)`);
    const predicate = elementSql(f, element, name);
    if (!predicate.ok) return predicate;
    return scimOk(existsElement(whole, predicate.value, emailPrefilter(whole, element, f)));
  }
  const spec = columnFor(target.resource, schema, attribute, sub, custom);
  if (!spec && f.kind === 'present' && !sub && attribute.subAttributes) {
    // `name pr`: a complex attribute is present when any of its stored sub-attributes is.
    const parts = attribute.subAttributes
      .map((s) => columnFor(target.resource, schema, attribute, s, custom))
      .map((c) => (c ? specSql(c, f, name) : null))
      .filter((r): r is ScimResult<Sql> & { ok: true } => r?.ok === true)
      .map((r) => r.value);
    if (parts.length) return scimOk(sql`(${sql.join(parts, sql` or `)})`);
  }
  if (!spec) return bad(`"${name}" cannot be used in a filter`);
  return specSql(spec, f, name);
}

function specSql(spec: ColumnSpec, f: Leaf, name: string): ScimResult<Sql> {
  switch (spec.kind) {
    case 'multi':
      return bad(`"${name}" cannot be used in a filter`);
    case 'constant': {
      if (f.kind === 'present') return scimOk(sql`true`);
      if (typeof f.value !== 'string' || (f.op !== 'eq' && f.op !== 'ne'))
        return bad(`"${name}" supports only eq and ne with a string`);
      // meta.resourceType is caseExact (RFC 7643 §3.1).
      const same = f.value === spec.value;
      return scimOk(same === (f.op === 'eq') ? sql`true` : sql`false`);
    }
    case 'members':
    case 'memberOf':
      return membershipSql(spec.kind, f, name);
    default: {
      const caseExact = spec.kind === 'text' ? spec.caseExact : true;
      if (f.kind === 'present') return scimOk(presentSql(spec.kind, spec.expr));
      return compareSql(spec.kind, spec.expr, caseExact, f.op, f.value, name);
    }
  }
}

function membershipSql(kind: 'members' | 'memberOf', f: Leaf, name: string): ScimResult<Sql> {
  const link = kind === 'members' ? sql`m.group_id = groups.id` : sql`m.member_user_id = users.id`;
  if (f.kind === 'present') return scimOk(sql`exists (select 1 from group_members m where ${link})`);
  if (f.op !== 'eq' && f.op !== 'ne') return bad(`"${name}" supports only eq, ne and pr`);
  if (typeof f.value !== 'string') return bad(`"${name}" is an id; compare it with a quoted value`);
  const id = f.value.toLowerCase();
  const matches = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)
    ? kind === 'members'
      ? sql`exists (select 1 from group_members m where ${link} and (m.member_user_id = ${id}::uuid or m.member_group_id = ${id}::uuid))`
      : sql`exists (select 1 from group_members m where ${link} and m.group_id = ${id}::uuid)`
    : sql`false`;
  return scimOk(f.op === 'eq' ? matches : sql`(not ${matches})`);
}

/** A predicate over one element `e` of a jsonb array (emails, phoneNumbers). */
function elementSql(f: Leaf, sub: AttributeDefinition, name: string): ScimResult<Sql> {
  const raw = sql`e -> ${sub.name}`;
  const expr =
    sub.type === 'boolean'
      ? sql`case when jsonb_typeof(${raw}) = 'boolean' then (e ->> ${sub.name})::boolean end`
      : sql`(e ->> ${sub.name})`;
  const kind = sub.type === 'boolean' ? 'boolean' : 'text';
  if (f.kind === 'present') return scimOk(presentSql(kind, expr));
  return compareSql(kind, expr, sub.caseExact, f.op, f.value, name);
}

function existsElement(
  spec: Extract<ColumnSpec, { kind: 'multi' }>,
  predicate: Sql,
  prefilter: Sql | null,
): Sql {
  const exists = sql`exists (select 1 from jsonb_array_elements(${spec.expr}) e where ${predicate})`;
  return prefilter ? sql`(${prefilter} and ${exists})` : exists;
}

/**
 * A necessary condition on the trigram-indexed text of all e-mail values, so `emails co "x"` can use
 * an index instead of unnesting every row. The exact per-element predicate still decides.
 */
function emailPrefilter(
  spec: Extract<ColumnSpec, { kind: 'multi' }>,
  sub: AttributeDefinition,
  f: Filter,
): Sql | null {
  if (!spec.emailIndex || sub.name !== 'value' || f.kind !== 'compare' || typeof f.value !== 'string')
    return null;
  // Equality: the GIN index over the lower-cased values (migration 0003), exact whatever the text.
  // (A NUL cannot be sent to PostgreSQL; such a value matches nothing and needs no shortcut.)
  if (f.op === 'eq')
    return f.value.includes('\u0000') ? null : sql`(joinery_email_list(emails) @> array[lower(${f.value})])`;
  const quoted = JSON.stringify(f.value).slice(1, -1);
  // Values JSON would escape appear differently in the indexed text; skip the shortcut for them.
  if (quoted !== f.value || f.value.length < 3) return null;
  const needle = escapeLike(f.value);
  const pattern = { sw: `%"${needle}%`, ew: `%${needle}"%`, co: `%${needle}%` }[f.op as 'sw' | 'ew' | 'co'];
  return pattern ? sql`(joinery_email_values(emails) like lower(${pattern}))` : null;
}

function valuePathSql(f: Extract<Filter, { kind: 'valuePath' }>, target: FilterTarget): ScimResult<Sql> {
  const resolved = resolvePath(target.schemas, f.path, 'filter');
  if (!resolved.ok) return resolved;
  if (resolved.value.kind === 'extension' || resolved.value.sub)
    return bad(`"${f.path.name}[...]" needs a multi-valued attribute before the bracket`);
  const { schema, attribute } = resolved.value;
  const spec = columnFor(target.resource, schema, attribute, null, target.schemas.extensions);
  if (spec?.kind === 'members' || spec?.kind === 'memberOf') {
    // members[value eq "x"] is the same question as members.value eq "x".
    if (f.filter.kind === 'compare' || f.filter.kind === 'present') {
      const sub = f.filter.path.name.toLowerCase();
      if (sub === 'value' && f.filter.path.subAttr === null)
        return specSql(spec, f.filter, `${attribute.name}.value`);
    }
    return bad(`only "${attribute.name}[value eq ...]" is supported for ${attribute.name}`);
  }
  if (spec?.kind !== 'multi') return bad(`"${attribute.name}" is not a multi-valued attribute`);
  let prefilter: Sql | null = null;
  const walk = (inner: Filter): ScimResult<Sql> => {
    switch (inner.kind) {
      case 'and':
      case 'or':
      case 'not':
        return logical(inner, walk);
      case 'valuePath':
        return bad('value filters cannot be nested');
      default: {
        const sub = resolveSubAttribute(attribute, inner.path, 'filter');
        if (!sub.ok) return sub;
        return elementSql(inner, sub.value, `${attribute.name}.${sub.value.name}`);
      }
    }
  };
  const predicate = walk(f.filter);
  if (!predicate.ok) return predicate;
  // Only a top-level conjunct can narrow the rows safely.
  const conjuncts: Filter[] = [];
  const collect = (x: Filter): void => {
    if (x.kind === 'and') {
      collect(x.left);
      collect(x.right);
    } else conjuncts.push(x);
  };
  collect(f.filter);
  for (const c of conjuncts) {
    if (c.kind === 'compare' && c.path.name.toLowerCase() === 'value' && c.path.subAttr === null) {
      const value = attribute.subAttributes?.find((s) => s.name === 'value');
      if (value) prefilter = emailPrefilter(spec, value, c);
      if (prefilter) break;
    }
  }
  return scimOk(existsElement(spec, predicate.value, prefilter));
}
