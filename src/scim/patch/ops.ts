/**
 * add / replace / remove on one attribute target (RFC 7644 §3.5.2.1-3). The working resource is a
 * private copy, so these functions change it in place; an error leaves it half-changed, which is fine
 * because applyPatch then discards it (all-or-nothing).
 */
import { type ScimResult, scimErr, scimOk } from '../errors.ts';
import type { ResourceSchemas } from '../resource-schemas.ts';
import type { AttributeDefinition, SchemaDefinition } from '../schema-types.ts';
import { findAttribute } from '../schema-types.ts';
import { coerceElement, coerceValue } from './coerce.ts';
import { ElementIndex } from './identity.ts';
import { equalityTemplate } from './match.ts';
import type { AttributeTarget } from './target.ts';
import {
  cloneJson,
  deepEqual,
  deleteAttr,
  getAttr,
  isObject,
  isUnassigned,
  type JsonObject,
  sameSimple,
  setAttr,
  stripNulls,
} from './values.ts';

export interface PatchContext {
  resource: JsonObject;
  schemas: ResourceSchemas;
  /** Read-only targets are an error when a path names them, and silently skipped inside pathless values. */
  mode: 'path' | 'pathless';
  /**
   * Elements the current operation set `primary: true` on, so that applyPatch can demote the others
   * (RFC 7643 §2.4) and reject an operation that promotes two.
   */
  promoted: Set<unknown>;
}

type Done = ScimResult<void>;
const done: Done = scimOk(undefined);
const mutability = (detail: string): Done => scimErr(400, 'mutability', detail);

/** The object holding a schema's attributes: the resource for the core schema, else its URN member. */
export function containerOf(
  resource: JsonObject,
  schema: SchemaDefinition,
  schemas: ResourceSchemas,
  create: boolean,
) {
  if (schema === schemas.core) return resource;
  const existing = getAttr(resource, schema.id);
  if (isObject(existing) || !create) return isObject(existing) ? existing : undefined;
  const fresh: JsonObject = {};
  setAttr(resource, schema.id, fresh);
  return fresh;
}

/** Elements of a multi-valued attribute; a stray single value stored by someone else is wrapped. */
const listOf = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : isUnassigned(value) ? [] : [value];

function store(container: JsonObject, definition: AttributeDefinition, value: unknown): void {
  if (isUnassigned(value)) deleteAttr(container, definition.name);
  else setAttr(container, definition.name, value);
}

export function applyToTarget(
  ctx: PatchContext,
  op: 'add' | 'replace' | 'remove',
  target: AttributeTarget,
  value: unknown,
): Done {
  const { attribute, sub } = target;
  if (attribute.mutability === 'readOnly' || sub?.mutability === 'readOnly') {
    return ctx.mode === 'pathless' ? done : mutability(`"${target.label}" is read-only`);
  }
  // A null value of add/replace clears the target (RFC 7643 §2.5: null is "unassigned").
  const clearing = op === 'remove' || value === null;
  const container = containerOf(ctx.resource, target.schema, ctx.schemas, !clearing);
  if (!container) return attribute.required ? mutability(`"${attribute.name}" is required`) : done;
  const before =
    attribute.mutability === 'immutable' ? cloneJson(getAttr(container, attribute.name)) : undefined;
  const result = clearing
    ? removeAt(ctx, container, target, op === 'remove' ? value : undefined)
    : writeAt(ctx, container, op === 'add' ? 'add' : 'replace', target, value);
  if (!result.ok) return result;
  const after = getAttr(container, attribute.name);
  if (attribute.required && isUnassigned(after)) {
    return mutability(`"${attribute.name}" is required and cannot be removed`);
  }
  if (attribute.mutability === 'immutable' && !isUnassigned(before) && !deepEqual(before, after)) {
    return mutability(`"${attribute.name}" is immutable and already has a value`);
  }
  return done;
}

/** A new element that arrives primary (an added value, `[primary eq true]` of a created one). */
function promoteIfPrimary(ctx: PatchContext, element: unknown): void {
  if (isObject(element) && getAttr(element, 'primary') === true) ctx.promoted.add(element);
}

/** Sets or (next null/undefined) clears one sub-attribute of an element. */
function changeSub(
  ctx: PatchContext,
  element: JsonObject,
  sub: AttributeDefinition,
  next: unknown,
  label: string,
) {
  const current = getAttr(element, sub.name);
  const clearing = next === null || next === undefined;
  // An immutable sub-attribute (members[].value) may be set once, never changed or cleared.
  if (
    sub.mutability === 'immutable' &&
    !isUnassigned(current) &&
    (clearing || !sameSimple(sub, current, next))
  ) {
    return mutability(`"${label}" is immutable and already has a value`);
  }
  if (clearing && sub.required) return mutability(`"${label}" is required and cannot be removed`);
  if (clearing) deleteAttr(element, sub.name);
  else setAttr(element, sub.name, stripNulls(next));
  if (sub.name === 'primary' && next === true) ctx.promoted.add(element);
  return done;
}

/**
 * Merges coerced sub-attributes into a complex value; null members clear (RFC 7644 §3.5.2.3). With
 * `keepEqual`, a sub-attribute equal to the stored one (per caseExact) keeps the stored spelling.
 */
function mergeInto(
  ctx: PatchContext,
  definition: AttributeDefinition,
  element: JsonObject,
  patch: unknown,
  label: string,
  keepEqual = false,
): Done {
  if (!isObject(patch)) return done;
  for (const [name, next] of Object.entries(patch)) {
    const sub = findAttribute(definition.subAttributes, name);
    if (!sub) continue;
    const current = getAttr(element, sub.name);
    // A value re-sent as primary counts as promoted even when unchanged: two in one operation conflict.
    if (sub.name === 'primary' && next === true) ctx.promoted.add(element);
    if (keepEqual && next !== null && !isUnassigned(current) && sameSimple(sub, current, next)) continue;
    const changed = changeSub(ctx, element, sub, next, `${label}.${sub.name}`);
    if (!changed.ok) return changed;
  }
  return done;
}

function writeAt(
  ctx: PatchContext,
  container: JsonObject,
  op: 'add' | 'replace',
  target: AttributeTarget,
  value: unknown,
): Done {
  const { attribute, sub, filter, label } = target;
  const existing = getAttr(container, attribute.name);
  if (filter) return writeFiltered(ctx, container, op, target, value);
  if (sub) {
    const coerced = coerceValue(sub, value, label);
    if (!coerced.ok) return coerced;
    if (!attribute.multiValued) {
      const parent = isObject(existing) ? existing : {};
      const changed = changeSub(ctx, parent, sub, coerced.value, label);
      if (!changed.ok) return changed;
      store(container, attribute, parent);
      return done;
    }
    // `emails.type` without a filter addresses every element; there is none to address when empty.
    const elements = listOf(existing).filter(isObject);
    if (elements.length === 0) return scimErr(400, 'noTarget', `"${attribute.name}" has no values to update`);
    for (const element of elements) {
      const changed = changeSub(ctx, element, sub, coerced.value, label);
      if (!changed.ok) return changed;
    }
    return done;
  }
  const coerced = coerceValue(attribute, value, label);
  if (!coerced.ok) return coerced;
  if (attribute.multiValued) {
    // Replace starts from an empty list; either way a value listed twice is stored once.
    const current = op === 'replace' ? [] : listOf(existing);
    const index = new ElementIndex(attribute, current);
    for (const element of listOf(coerced.value).map(stripNulls)) {
      // Re-adding a value already there changes nothing (idempotent) beyond e.g. its `primary`.
      const twin = index.find(element);
      if (twin === undefined) {
        index.push(element);
        promoteIfPrimary(ctx, element);
      } else if (isObject(twin)) {
        const merged = mergeInto(ctx, attribute, twin, element, label, true);
        if (!merged.ok) return merged;
      }
    }
    store(container, attribute, current);
    return done;
  }
  if (attribute.type === 'complex') {
    // Replace merges too: "sub-attributes that are not specified ... are left unchanged" (§3.5.2.3).
    const element = isObject(existing) ? existing : {};
    const merged = mergeInto(ctx, attribute, element, coerced.value, label);
    if (!merged.ok) return merged;
    store(container, attribute, element);
    return done;
  }
  setAttr(container, attribute.name, coerced.value);
  return done;
}

function writeFiltered(
  ctx: PatchContext,
  container: JsonObject,
  op: 'add' | 'replace',
  target: AttributeTarget,
  value: unknown,
): Done {
  const { attribute, sub, filter, label } = target;
  if (!filter) return done;
  const coerced = sub ? coerceValue(sub, value, label) : coerceElement(attribute, value, label);
  if (!coerced.ok) return coerced;
  const apply = (element: JsonObject): Done =>
    sub
      ? changeSub(ctx, element, sub, coerced.value, label)
      : mergeInto(ctx, attribute, element, coerced.value, label);
  const current = listOf(getAttr(container, attribute.name));
  const matched = current.filter((e): e is JsonObject => isObject(e) && filter.matches(e));
  if (matched.length === 0) {
    // Entra adds `emails[type eq "work"].value` for a user with no work e-mail and expects one created.
    const template = op === 'add' ? equalityTemplate(filter.ast, attribute) : null;
    if (!template) return scimErr(400, 'noTarget', `no value of "${attribute.name}" matches the filter`);
    const created = apply(template);
    if (!created.ok) return created;
    promoteIfPrimary(ctx, template);
    store(container, attribute, [...current, template]);
    return done;
  }
  for (const element of matched) {
    const changed = apply(element);
    if (!changed.ok) return changed;
  }
  store(container, attribute, current);
  return done;
}

function removeAt(ctx: PatchContext, container: JsonObject, target: AttributeTarget, value: unknown): Done {
  const { attribute, sub, filter, label } = target;
  const existing = getAttr(container, attribute.name);
  if (filter || (sub && attribute.multiValued)) {
    const current = listOf(existing);
    const selected = current.filter((e): e is JsonObject => isObject(e) && (!filter || filter.matches(e)));
    if (!sub) {
      const doomed = new Set<unknown>(selected);
      store(
        container,
        attribute,
        current.filter((e) => !doomed.has(e)),
      );
      return done;
    }
    for (const element of selected) {
      const changed = changeSub(ctx, element, sub, null, label);
      if (!changed.ok) return changed;
    }
    store(
      container,
      attribute,
      current.filter((e) => !isObject(e) || !isUnassigned(e)),
    );
    return done;
  }
  if (sub) {
    if (!isObject(existing)) return done;
    const changed = changeSub(ctx, existing, sub, null, label);
    if (!changed.ok) return changed;
    store(container, attribute, existing);
    return done;
  }
  if (attribute.multiValued && value !== undefined && value !== null) {
    // Entra: {"op":"Remove","path":"members","value":[{"value":"<id>"}]} removes just those members.
    const coerced = coerceValue(attribute, value, label);
    if (!coerced.ok) return coerced;
    const doomed = new ElementIndex(attribute, listOf(coerced.value));
    store(
      container,
      attribute,
      listOf(existing).filter((e) => doomed.find(e) === undefined),
    );
    return done;
  }
  deleteAttr(container, attribute.name);
  return done;
}
