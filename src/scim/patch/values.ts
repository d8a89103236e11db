/**
 * Helpers over SCIM JSON values: cloning, case-insensitive member access (RFC 7643 §2.1) and the
 * equality rules PATCH needs to recognise an element that is already present.
 */
import type { AttributeDefinition } from '../schema-types.ts';
import { instantOf } from './datetime.ts';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Defines rather than assigns, so that a `__proto__` member that came from JSON.parse stays an ordinary
 * own member instead of replacing the prototype of the copy.
 */
export function putOwn(target: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Copies arrays and plain objects; anything else is shared (SCIM JSON holds only primitives there). */
export function cloneJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (!isObject(value)) return value;
  const copy: JsonObject = {};
  for (const [key, member] of Object.entries(value)) putOwn(copy, key, cloneJson(member));
  return copy;
}

export function findKey(object: JsonObject, name: string): string | undefined {
  if (Object.hasOwn(object, name)) return name;
  const lower = name.toLowerCase();
  return Object.keys(object).find((k) => k.toLowerCase() === lower);
}

export function getAttr(object: JsonObject, name: string): unknown {
  const key = findKey(object, name);
  return key === undefined ? undefined : object[key];
}

/**
 * Writes under the canonical spelling and drops any other spelling of the same name. A member already
 * spelled canonically keeps its place, so a patched resource keeps its member order.
 */
export function setAttr(object: JsonObject, canonical: string, value: unknown): void {
  const lower = canonical.toLowerCase();
  for (const key of Object.keys(object))
    if (key !== canonical && key.toLowerCase() === lower) delete object[key];
  putOwn(object, canonical, value);
}

export function deleteAttr(object: JsonObject, name: string): void {
  const lower = name.toLowerCase();
  for (const key of Object.keys(object)) if (key.toLowerCase() === lower) delete object[key];
}

/** Unassigned per RFC 7643 §2.5: absent, null, an empty string, array or object. */
export function isUnassigned(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return isObject(value) && Object.keys(value).length === 0;
}

/** Drops explicit nulls, which in a PATCH value mean "clear", before a value is stored as-is. */
export function stripNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null).map(stripNulls);
  if (!isObject(value)) return value;
  const copy: JsonObject = {};
  for (const [key, member] of Object.entries(value))
    if (member !== null) putOwn(copy, key, stripNulls(member));
  return copy;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
  );
}

/** Equality of two simple values of one attribute: case per caseExact, dateTimes as instants. */
export function sameSimple(definition: AttributeDefinition, a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') {
    if (definition.type === 'dateTime') {
      const [x, y] = [instantOf(a), instantOf(b)];
      if (x !== null && y !== null) return x === y;
    }
    return definition.caseExact ? a === b : a.toLowerCase() === b.toLowerCase();
  }
  return deepEqual(a, b);
}
