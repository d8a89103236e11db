import type {
  ConnectorResult,
  ObjectKind,
  TargetAttributes,
  TargetObject,
  TargetScalar,
  TargetValue,
} from '../../outbound/index.ts';
import { connectorFail, connectorOk } from '../../outbound/index.ts';
import {
  type AttributePath,
  CORE_GROUP,
  CORE_USER,
  ENTERPRISE_USER,
  formatPath,
  isManager,
  parsePath,
  removesElement,
} from './attribute-path.ts';

/** Flat attribute paths ↔ SCIM JSON resources (RFC 7643 §4). */

export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown): v is TargetScalar =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** SCIM attribute names are case-insensitive (RFC 7643 §2.1): find the key the document already uses. */
function keyIn(obj: JsonObject, name: string): string {
  const lower = name.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower) ?? name;
}

function containerOf(doc: JsonObject, p: AttributePath, create: boolean): JsonObject | undefined {
  if (p.schema === null) return doc;
  const key = keyIn(doc, p.schema);
  const existing = doc[key];
  if (isObject(existing)) return existing;
  if (!create) return undefined;
  const fresh: JsonObject = {};
  doc[key] = fresh;
  return fresh;
}

const selects = (p: AttributePath) => (element: unknown) =>
  isObject(element) &&
  p.select !== null &&
  // Canonical values such as "work" are not case-exact (RFC 7643 §4.1.2).
  String(element[keyIn(element, p.select.attr)]).toLowerCase() === p.select.value.toLowerCase();

/** The element a selector picks in a document, if there is one. */
export function findElement(doc: JsonObject, p: AttributePath): JsonObject | undefined {
  const c = containerOf(doc, p, false);
  const list = c?.[keyIn(c, p.attr)];
  if (!Array.isArray(list)) return undefined;
  const found = list.find(selects(p));
  return isObject(found) ? found : undefined;
}

export function hasPrimary(doc: JsonObject, p: AttributePath): boolean {
  const c = containerOf(doc, p, false);
  const list = c?.[keyIn(c, p.attr)];
  return Array.isArray(list) && list.some((e) => isObject(e) && e.primary === true);
}

/** Whether the document holds a value at this path (so removing it is not a `noTarget`). */
export function present(doc: JsonObject, p: AttributePath): boolean {
  const c = containerOf(doc, p, false);
  if (!c) return false;
  if (p.select) {
    const element = findElement(doc, p);
    return (
      element !== undefined && (removesElement(p) || element[keyIn(element, p.sub ?? 'value')] !== undefined)
    );
  }
  const value = c[keyIn(c, p.attr)];
  if (value === undefined || value === null) return false;
  if (!p.sub) return true;
  if (Array.isArray(value)) return value.some((e) => isObject(e) && e[keyIn(e, p.sub ?? '')] !== undefined);
  return isObject(value) && value[keyIn(value, p.sub)] !== undefined;
}

/** Writes one value into a resource document (creating containers and elements on the way). */
export function setValue(
  doc: JsonObject,
  p: AttributePath,
  value: TargetScalar | readonly TargetScalar[],
): void {
  const c = containerOf(doc, p, true) as JsonObject;
  const key = keyIn(c, p.attr);
  if (isManager(p)) {
    c[key] = { value: String(value) };
    return;
  }
  if (p.select) {
    const list = Array.isArray(c[key]) ? (c[key] as unknown[]) : [];
    c[key] = list;
    const found = list.find(selects(p));
    let element: JsonObject;
    if (isObject(found)) element = found;
    else {
      element = { [p.select.attr]: p.select.value };
      // One primary per attribute (RFC 7643 §2.4): the first element we create, when none is marked.
      if (p.select.attr.toLowerCase() === 'type' && !list.some((e) => isObject(e) && e.primary === true))
        element.primary = true;
      list.push(element);
    }
    element[keyIn(element, p.sub ?? 'value')] = value;
    return;
  }
  if (p.sub) {
    const existing = c[key];
    // `emails.value` without a selector addresses every element (RFC 7644 §3.5.2).
    if (Array.isArray(existing)) {
      for (const element of existing) if (isObject(element)) element[keyIn(element, p.sub)] = value;
      return;
    }
    const obj = isObject(existing) ? existing : {};
    obj[keyIn(obj, p.sub)] = value;
    c[key] = obj;
    return;
  }
  c[key] = Array.isArray(value) ? [...value] : value;
}

/** Removes one attribute (or the selected element) from a resource document; absent is fine. */
export function clearValue(doc: JsonObject, p: AttributePath): void {
  const c = containerOf(doc, p, false);
  if (!c) return;
  const key = keyIn(c, p.attr);
  if (p.select) {
    const list = c[key];
    if (!Array.isArray(list)) return;
    const kept = list.filter((element) => {
      if (!selects(p)(element) || !isObject(element)) return true;
      if (removesElement(p)) return false;
      delete element[keyIn(element, p.sub ?? 'value')];
      const left = Object.keys(element).map((k) => k.toLowerCase());
      return left.some((k) => k !== p.select?.attr.toLowerCase() && k !== 'primary');
    });
    if (kept.length > 0) c[key] = kept;
    else delete c[key];
  } else if (p.sub) {
    const obj = c[key];
    if (!isObject(obj)) return;
    delete obj[keyIn(obj, p.sub)];
    if (Object.keys(obj).length === 0) delete c[key];
  } else {
    delete c[key];
  }
  if (p.schema !== null && Object.keys(c).length === 0) delete doc[keyIn(doc, p.schema)];
}

/**
 * Applies flat attributes to a document: null clears, anything else sets. Paths are parsed first so a
 * bad one leaves the document untouched.
 */
export function applyAttributes(
  doc: JsonObject,
  attributes: TargetAttributes,
  extensions: readonly string[],
): ConnectorResult<void> {
  const parsed: Array<[AttributePath, TargetValue]> = [];
  for (const [path, value] of Object.entries(attributes)) {
    const p = parsePath(path, extensions);
    if (!p.ok) return p;
    parsed.push([p.value, value]);
  }
  for (const [p, value] of parsed) {
    if (value === null) clearValue(doc, p);
    else setValue(doc, p, value);
  }
  return connectorOk(undefined);
}

/** `schemas`: the core schema, every extension the document carries, and those the target requires. */
export function withSchemas(doc: JsonObject, kind: ObjectKind, required: readonly string[]): JsonObject {
  const core = kind === 'user' ? CORE_USER : CORE_GROUP;
  const present = Object.keys(doc).filter((k) => /^urn:/i.test(k) && isObject(doc[k]));
  const list: string[] = [];
  for (const urn of [core, ...present, ...(kind === 'user' ? required : [])])
    if (!list.some((u) => u.toLowerCase() === urn.toLowerCase())) list.push(urn);
  const { schemas: _old, ...rest } = doc;
  return { schemas: list, ...rest };
}

/** The body of a POST: a conformant resource built from the flat attributes (and group members). */
export function buildResource(
  kind: ObjectKind,
  attributes: TargetAttributes,
  members: readonly string[] | undefined,
  extensions: readonly string[],
): ConnectorResult<JsonObject> {
  const doc: JsonObject = {};
  const applied = applyAttributes(doc, attributes, extensions);
  if (!applied.ok) return applied;
  if (kind === 'group' && members && members.length > 0) doc.members = members.map((value) => ({ value }));
  return connectorOk(withSchemas(doc, kind, extensions));
}

/** Read-only or server-owned attributes that a PUT body leaves out (RFC 7643 §3.1, §4.1.2 `groups`). */
const NOT_WRITTEN = new Set(['meta', 'groups']);

/** A fetched resource as the starting point of a PUT: everything writable kept, meta dropped. */
export function forReplace(current: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(current))
    if (!NOT_WRITTEN.has(k.toLowerCase())) out[k] = structuredClone(v);
  return out;
}

/** Attributes never reported as flat paths: identity, bookkeeping, and memberships (carried apart). */
const NOT_READ = new Set(['id', 'schemas', 'meta', 'members', 'groups', 'password']);
/** Sub-attributes of multi-valued elements that describe the element rather than hold data. */
const ELEMENT_META = new Set(['type', 'primary', 'display', '$ref']);

function flattenInto(
  out: TargetAttributes,
  prefix: string,
  name: string,
  value: unknown,
  schema: string | null,
) {
  const path = `${prefix}${name}`;
  if (isScalar(value)) {
    out[path] = value;
    return;
  }
  if (Array.isArray(value)) {
    if (value.every(isScalar)) {
      out[path] = value;
      return;
    }
    // Typed elements become `attr[type eq "work"].sub`; when a type repeats, the primary one wins.
    const seen = new Set<string>();
    const ordered = [...value].sort(
      (a, b) => Number(isObject(b) && b.primary === true) - Number(isObject(a) && a.primary === true),
    );
    for (const element of ordered) {
      if (!isObject(element) || typeof element.type !== 'string') continue;
      const type = element.type.toLowerCase();
      if (seen.has(type)) continue;
      seen.add(type);
      for (const [sub, v] of Object.entries(element)) {
        if (ELEMENT_META.has(sub) || !isScalar(v)) continue;
        out[formatPath({ schema, attr: name, select: { attr: 'type', value: type }, sub })] = v;
      }
    }
    return;
  }
  if (isObject(value)) {
    for (const [sub, v] of Object.entries(value)) if (isScalar(v)) out[`${path}.${sub}`] = v;
  }
}

/** The reverse of `buildResource`: a returned resource as the same flat paths the mappings use. */
export function flatten(resource: JsonObject): TargetAttributes {
  const out: TargetAttributes = {};
  for (const [key, value] of Object.entries(resource)) {
    if (NOT_READ.has(key.toLowerCase())) continue;
    if (/^urn:/i.test(key) && isObject(value)) {
      const core =
        key.toLowerCase() === CORE_USER.toLowerCase() || key.toLowerCase() === CORE_GROUP.toLowerCase();
      const schema = core ? null : key;
      const prefix = schema ? `${schema}:` : '';
      for (const [name, v] of Object.entries(value)) {
        if (key.toLowerCase() === ENTERPRISE_USER.toLowerCase() && name.toLowerCase() === 'manager') {
          if (isObject(v) && typeof v.value === 'string') out[`${ENTERPRISE_USER}:manager`] = v.value;
          continue;
        }
        flattenInto(out, prefix, name, v, schema);
      }
      continue;
    }
    flattenInto(out, '', key, value, null);
  }
  return out;
}

export function memberIds(resource: JsonObject): string[] {
  const members = resource[keyIn(resource, 'members')];
  if (!Array.isArray(members)) return [];
  return members.flatMap((m) => (isObject(m) && typeof m.value === 'string' ? [m.value] : []));
}

/** A returned resource as the contract's object; a resource without an id is the target's fault. */
export function toTargetObject(
  kind: ObjectKind,
  resource: unknown,
  where: string,
): ConnectorResult<TargetObject> {
  if (!isObject(resource) || typeof resource.id !== 'string' || resource.id === '')
    return connectorFail({
      code: 'server',
      message: `${where}: the target answered without a resource id`,
      retryable: false,
    });
  const object: TargetObject = { id: resource.id, attributes: flatten(resource) };
  if (kind === 'group' && Array.isArray(resource[keyIn(resource, 'members')]))
    object.members = memberIds(resource);
  return connectorOk(object);
}
