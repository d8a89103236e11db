/**
 * In-memory evaluation of a value filter (`emails[type eq "work" and primary eq true]`, RFC 7644
 * §3.4.2.2) against the elements of one multi-valued attribute. The filter is compiled once, so an
 * invalid filter fails even when the attribute has no elements.
 */

import { type ScimResult, scimErr, scimOk } from '../errors.ts';
import type { CompareOp, CompareValue, Filter } from '../filter/ast.ts';
import { resolveSubAttribute } from '../resource-schemas.ts';
import type { AttributeDefinition } from '../schema-types.ts';
import { coerceElement } from './coerce.ts';
import { instantOf } from './datetime.ts';
import { getAttr, isObject, isUnassigned, type JsonObject, putOwn } from './values.ts';

export type Matcher = (element: unknown) => boolean;

export function compileFilter(filter: Filter, parent: AttributeDefinition): ScimResult<Matcher> {
  switch (filter.kind) {
    case 'and':
    case 'or': {
      const left = compileFilter(filter.left, parent);
      if (!left.ok) return left;
      const right = compileFilter(filter.right, parent);
      if (!right.ok) return right;
      const [l, r] = [left.value, right.value];
      return scimOk(filter.kind === 'and' ? (e) => l(e) && r(e) : (e) => l(e) || r(e));
    }
    case 'not': {
      const inner = compileFilter(filter.filter, parent);
      return inner.ok ? scimOk((e) => !inner.value(e)) : inner;
    }
    case 'present': {
      const sub = resolveSubAttribute(parent, filter.path, 'filter');
      if (!sub.ok) return sub;
      const name = sub.value.name;
      return scimOk((e) => isObject(e) && !isUnassigned(getAttr(e, name)));
    }
    case 'compare': {
      const sub = resolveSubAttribute(parent, filter.path, 'filter');
      return sub.ok ? compileCompare(sub.value, filter.op, filter.value) : sub;
    }
    case 'valuePath':
      return scimErr(400, 'invalidFilter', `a value filter cannot be nested inside "${parent.name}[...]"`);
  }
}

function compileCompare(sub: AttributeDefinition, op: CompareOp, raw: CompareValue): ScimResult<Matcher> {
  const name = sub.name;
  const bad = (why: string) => scimErr<Matcher>(400, 'invalidFilter', `"${name} ${op}": ${why}`);
  if (sub.type === 'complex') return bad('a complex sub-attribute cannot be compared');
  if (sub.type === 'boolean' && op !== 'eq' && op !== 'ne') return bad('booleans support only eq and ne');
  const numeric = sub.type === 'integer' || sub.type === 'decimal';
  if (numeric && (op === 'co' || op === 'sw' || op === 'ew'))
    return bad('numbers do not support co, sw or ew');
  // `eq null` / `ne null` ask whether the sub-attribute is unassigned; other operators need a value.
  if (raw === null) {
    if (op !== 'eq' && op !== 'ne') return bad('null can only be compared with eq or ne');
    return scimOk((e) => isObject(e) && isUnassigned(getAttr(e, name)) === (op === 'eq'));
  }
  // Clients write `primary eq "true"` as often as `primary eq true`.
  const wanted =
    sub.type === 'boolean' && typeof raw === 'string' ? coerceElement(sub, raw, name) : scimOk(raw);
  if (!wanted.ok) return bad('expected a boolean');
  const value = wanted.value;
  const test = (actual: unknown) => compareOne(sub, op === 'ne' ? 'eq' : op, actual, value);
  return scimOk((e) => {
    if (!isObject(e)) return false;
    const actual = getAttr(e, name);
    const matched = Array.isArray(actual) ? actual.some(test) : test(actual);
    return op === 'ne' ? !matched : matched;
  });
}

function compareOne(sub: AttributeDefinition, op: CompareOp, actual: unknown, wanted: unknown): boolean {
  if (typeof actual === 'boolean' || typeof wanted === 'boolean') return op === 'eq' && actual === wanted;
  if (typeof actual === 'number' && typeof wanted === 'number')
    return ordered(op, Math.sign(actual - wanted));
  if (typeof actual !== 'string' || typeof wanted !== 'string') return false;
  if (sub.type === 'dateTime' && op !== 'co' && op !== 'sw' && op !== 'ew') {
    const a = instantOf(actual);
    const w = a === null ? null : instantOf(wanted);
    if (a !== null && w !== null) return ordered(op, Math.sign(a - w));
  }
  // Runs once per element of lists that can be long (group members): no allocation beyond the case fold.
  const a = sub.caseExact ? actual : actual.toLowerCase();
  const w = sub.caseExact ? wanted : wanted.toLowerCase();
  if (op === 'co') return a.includes(w);
  if (op === 'sw') return a.startsWith(w);
  if (op === 'ew') return a.endsWith(w);
  // Lexicographic by UTF-16 code units: deterministic, unlike localeCompare.
  return ordered(op, a < w ? -1 : a > w ? 1 : 0);
}

function ordered(op: CompareOp, sign: number): boolean {
  switch (op) {
    case 'eq':
      return sign === 0;
    case 'ne':
      return sign !== 0;
    case 'gt':
      return sign > 0;
    case 'ge':
      return sign >= 0;
    case 'lt':
      return sign < 0;
    case 'le':
      return sign <= 0;
    default:
      return false;
  }
}

/**
 * For `add` with a filter that matched nothing (Entra: `emails[type eq "work"].value`), the element the
 * filter describes: only `eq` comparisons with values joined by `and` qualify, anything else returns
 * null because it does not say what to create.
 */
export function equalityTemplate(filter: Filter, parent: AttributeDefinition): JsonObject | null {
  if (filter.kind === 'and') {
    const [left, right] = [equalityTemplate(filter.left, parent), equalityTemplate(filter.right, parent)];
    if (!left || !right) return null;
    for (const [key, value] of Object.entries(right)) {
      if (Object.hasOwn(left, key) && left[key] !== value) return null;
      putOwn(left, key, value);
    }
    return left;
  }
  if (filter.kind !== 'compare' || filter.op !== 'eq' || filter.value === null) return null;
  const sub = resolveSubAttribute(parent, filter.path, 'filter');
  if (!sub.ok || sub.value.mutability === 'readOnly' || sub.value.type === 'complex') return null;
  const coerced = coerceElement(sub.value, filter.value, sub.value.name);
  if (!coerced.ok) return null;
  const template: JsonObject = {};
  putOwn(template, sub.value.name, coerced.value);
  return template;
}
