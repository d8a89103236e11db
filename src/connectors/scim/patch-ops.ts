import type { AttributeChange, ConnectorResult, TargetScalar } from '../../outbound/index.ts';
import { connectorOk } from '../../outbound/index.ts';
import { type AttributePath, formatPath, isManager, parsePath, removesElement } from './attribute-path.ts';
import { filterLiteral } from './filter.ts';
import { findElement, hasPrimary, type JsonObject, present } from './resource-shape.ts';

/** RFC 7644 §3.5.2 PatchOp messages. */

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path?: string;
  value?: unknown;
}

export interface PatchMessage {
  schemas: [typeof PATCH_OP];
  Operations: PatchOperation[];
}

export const patchMessage = (operations: PatchOperation[]): PatchMessage => ({
  schemas: [PATCH_OP],
  Operations: operations,
});

function removeOperation(p: AttributePath): PatchOperation {
  // Clearing `emails[type eq "work"].value` drops the element: an e-mail without a value means nothing.
  return { op: 'remove', path: formatPath(removesElement(p) ? { ...p, sub: null } : p) };
}

/** A diff with its paths parsed: what to write and what to clear. */
export interface ParsedChange {
  set: Array<[AttributePath, TargetScalar | readonly TargetScalar[]]>;
  remove: AttributePath[];
}

export function parseChange(
  change: AttributeChange,
  extensions: readonly string[],
): ConnectorResult<ParsedChange> {
  const out: ParsedChange = { set: [], remove: [] };
  for (const [path, value] of Object.entries(change.set)) {
    const parsed = parsePath(path, extensions);
    if (!parsed.ok) return parsed;
    if (value === null) out.remove.push(parsed.value);
    else out.set.push([parsed.value, value]);
  }
  for (const path of change.remove) {
    const parsed = parsePath(path, extensions);
    if (!parsed.ok) return parsed;
    out.remove.push(parsed.value);
  }
  return connectorOk(out);
}

const wireValue = (p: AttributePath, value: TargetScalar | readonly TargetScalar[]) =>
  isManager(p) ? { value: String(value) } : value;

/**
 * The operations for one diff, written blind: `replace` on every path, filters included
 * (`emails[type eq "work"].value`). That is what most clients send (Entra among them), and most targets
 * create the element when none matches.
 */
export function attributeOperations(change: ParsedChange): PatchOperation[] {
  return [
    ...change.set.map(
      ([p, value]): PatchOperation => ({ op: 'replace', path: formatPath(p), value: wireValue(p, value) }),
    ),
    ...change.remove.map(removeOperation),
  ];
}

/**
 * The same diff written against the resource as it is now, for targets that answer `noTarget` to a
 * filter matching nothing (RFC 7644 §3.5.2.3 for replace; SCIMMY for add too): a selected element that
 * exists is replaced in place, a missing one is added whole to its attribute (§3.5.2.1, unambiguous),
 * and removals of what is absent are left out.
 */
export function informedOperations(change: ParsedChange, current: JsonObject): PatchOperation[] {
  const ops: PatchOperation[] = [];
  const fresh = new Map<string, { path: string; element: JsonObject }>();
  for (const [p, value] of change.set) {
    if (!p.select || findElement(current, p)) {
      ops.push({ op: 'replace', path: formatPath(p), value: wireValue(p, value) });
      continue;
    }
    const path = formatPath({ ...p, select: null, sub: null });
    const key = `${path.toLowerCase()}\u0000${p.select.attr.toLowerCase()}\u0000${p.select.value.toLowerCase()}`;
    let entry = fresh.get(key);
    if (!entry) {
      const element: JsonObject = { [p.select.attr]: p.select.value };
      if (p.select.attr.toLowerCase() === 'type' && !hasPrimary(current, p)) element.primary = true;
      entry = { path, element };
      fresh.set(key, entry);
    }
    entry.element[p.sub ?? 'value'] = value;
  }
  for (const { path, element } of fresh.values()) ops.push({ op: 'add', path, value: [element] });
  for (const p of change.remove) if (present(current, p)) ops.push(removeOperation(p));
  return ops;
}

/** Members per request: large groups change in a few requests, and no request grows past body limits. */
export const MEMBER_CHUNK = 500;

export function chunks<T>(items: readonly T[], size = MEMBER_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** One `add members` operation carrying every id of the chunk. */
export const addMembersOperation = (ids: readonly string[]): PatchOperation => ({
  op: 'add',
  path: 'members',
  value: ids.map((value) => ({ value })),
});

/** `remove members[value eq "id"]`, one per id (a value filter selects one member per comparison). */
export const removeMemberOperations = (ids: readonly string[]): PatchOperation[] =>
  ids.map((id) => ({ op: 'remove', path: `members[value eq ${filterLiteral(id)}]` }));
