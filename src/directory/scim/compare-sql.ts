import { type RawBuilder, sql } from 'kysely';
import { isUuid } from '../../core/index.ts';
import {
  type CompareOp,
  type CompareValue,
  normaliseInstant,
  type ScimResult,
  scimErr,
  scimOk,
} from '../../scim/index.ts';
import { escapeLike } from '../like.ts';

type Sql = RawBuilder<unknown>;
export type ScalarKind = 'text' | 'uuid' | 'boolean' | 'timestamp' | 'number';

const bad = (detail: string) => scimErr<Sql>(400, 'invalidFilter', detail);

/**
 * Two-valued logic: a comparison with an absent attribute is false, never SQL null. Written as
 * `x is not null and <cmp>` rather than `coalesce(<cmp>, false)`: the planner can use an index for
 * the comparison only when it stands bare in a conjunction.
 */
const definite = (subject: Sql, predicate: Sql): Sql => sql`(${subject} is not null and ${predicate})`;

export function presentSql(kind: ScalarKind, expr: Sql): Sql {
  return kind === 'text' ? sql`coalesce(${expr} <> '', false)` : sql`(${expr} is not null)`;
}

/**
 * One comparison of a scalar column with a filter value (RFC 7644 §3.4.2.2 operator table). `name`
 * only feeds error messages.
 */
export function compareSql(
  kind: ScalarKind,
  expr: Sql,
  caseExact: boolean,
  op: CompareOp,
  value: CompareValue,
  name: string,
): ScimResult<Sql> {
  if (value === null) {
    if (op === 'eq') return scimOk(sql`not ${presentSql(kind, expr)}`);
    if (op === 'ne') return scimOk(presentSql(kind, expr));
    return bad(`"${name}" cannot be compared with null using "${op}"`);
  }
  switch (kind) {
    case 'text':
      return textCompare(expr, caseExact, op, value, name);
    case 'uuid':
      return uuidCompare(expr, op, value, name);
    case 'boolean':
      if (typeof value !== 'boolean') return bad(`"${name}" is a boolean; compare it with true or false`);
      if (op !== 'eq' && op !== 'ne') return bad(`"${op}" is not defined for boolean "${name}"`);
      return scimOk(
        op === 'eq' ? definite(expr, sql`${expr} = ${value}`) : sql`(${expr} is distinct from ${value})`,
      );
    case 'timestamp': {
      const instant = typeof value === 'string' ? normaliseInstant(value) : null;
      if (instant === null)
        return bad(
          `"${name}" is a dateTime; compare it with an ISO 8601 string such as "2011-05-13T04:42:34Z"`,
        );
      return instant.inexact
        ? between(expr, sql`${instant.text}::timestamptz`, op, name, 'dateTime')
        : ordered(expr, sql`${instant.text}::timestamptz`, op, name, 'dateTime');
    }
    case 'number':
      if (typeof value !== 'number') return bad(`"${name}" is a number; compare it with a number`);
      return ordered(expr, sql`${value}::numeric`, op, name, 'number');
  }
}

function ordered(expr: Sql, value: Sql, op: CompareOp, name: string, type: string): ScimResult<Sql> {
  switch (op) {
    case 'eq':
      return scimOk(definite(expr, sql`${expr} = ${value}`));
    case 'ne':
      return scimOk(sql`(${expr} is distinct from ${value})`);
    case 'gt':
      return scimOk(definite(expr, sql`${expr} > ${value}`));
    case 'ge':
      return scimOk(definite(expr, sql`${expr} >= ${value}`));
    case 'lt':
      return scimOk(definite(expr, sql`${expr} < ${value}`));
    case 'le':
      return scimOk(definite(expr, sql`${expr} <= ${value}`));
    default:
      return bad(`"${op}" is not defined for ${type} "${name}"`);
  }
}

/**
 * A comparison with a value that falls strictly between two storable values: the value was cut to
 * `floor` (sub-microsecond digits of a date-time, or the text after a NUL, which PostgreSQL cannot
 * store). Nothing stored equals it; `> v` and `>= v` mean `> floor`, `< v` and `<= v` mean `<= floor`.
 */
function between(expr: Sql, floor: Sql, op: CompareOp, name: string, type: string): ScimResult<Sql> {
  switch (op) {
    case 'eq':
      return scimOk(sql`false`);
    case 'ne':
      return scimOk(sql`true`);
    case 'gt':
    case 'ge':
      return scimOk(definite(expr, sql`${expr} > ${floor}`));
    case 'lt':
    case 'le':
      return scimOk(definite(expr, sql`${expr} <= ${floor}`));
    default:
      return bad(`"${op}" is not defined for ${type} "${name}"`);
  }
}

function textCompare(
  expr: Sql,
  caseExact: boolean,
  op: CompareOp,
  value: CompareValue,
  name: string,
): ScimResult<Sql> {
  if (typeof value !== 'string') return bad(`"${name}" is a string; compare it with a quoted value`);
  const left = caseExact ? expr : sql`lower(${expr})`;
  const fold = (v: string): Sql => (caseExact ? sql`${v}` : sql`lower(${v})`);
  const nul = value.indexOf('\u0000');
  if (nul >= 0) {
    // No stored text holds a NUL, so nothing contains or equals this value; it orders right after
    // its prefix.
    if (op === 'co' || op === 'sw' || op === 'ew') return scimOk(sql`false`);
    return between(
      sql`${left} collate "C"`,
      sql`${fold(value.slice(0, nul))} collate "C"`,
      op,
      name,
      'string',
    );
  }
  switch (op) {
    case 'co':
      return scimOk(definite(expr, sql`${left} like ${fold(`%${escapeLike(value)}%`)}`));
    case 'sw':
      return scimOk(definite(expr, sql`${left} like ${fold(`${escapeLike(value)}%`)}`));
    case 'ew':
      return scimOk(definite(expr, sql`${left} like ${fold(`%${escapeLike(value)}`)}`));
    default:
      // Ordering by code point (collation "C") so results do not depend on the server's locale.
      // Equality needs no collation (and must match the lower(...) indexes); order is by code point
      // (collation "C") so results do not depend on the server's locale.
      if (op === 'eq' || op === 'ne') return ordered(left, fold(value), op, name, 'string');
      return ordered(sql`${left} collate "C"`, sql`${fold(value)} collate "C"`, op, name, 'string');
  }
}

function uuidCompare(expr: Sql, op: CompareOp, value: CompareValue, name: string): ScimResult<Sql> {
  if (typeof value !== 'string') return bad(`"${name}" is an id; compare it with a quoted value`);
  if (op === 'eq' || op === 'ne') {
    // A value that is not a uuid matches nothing; casting it would be a database error, not an answer.
    if (!isUuid(value)) return scimOk(op === 'eq' ? sql`false` : sql`true`);
    const uuid = value.toLowerCase();
    return scimOk(
      op === 'eq'
        ? definite(expr, sql`${expr} = ${uuid}::uuid`)
        : sql`(${expr} is distinct from ${uuid}::uuid)`,
    );
  }
  return textCompare(sql`${expr}::text`, false, op, value, name);
}
