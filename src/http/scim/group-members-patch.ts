import { type Filter, parsePatchPath, type ScimError } from '../../scim/index.ts';
import { prop } from './user-resource.ts';

/**
 * Membership changes of a group PATCH, in request order, reduced to one plan: a group may have
 * thousands of members, so they are never loaded to apply `add`/`remove` on `members`.
 */
export interface MembersPlan {
  replaceAll: boolean;
  add: Set<string>;
  remove: Set<string>;
}

export const emptyPlan = (): MembersPlan => ({ replaceAll: false, add: new Set(), remove: new Set() });

type Outcome = { ok: true } | { ok: false; error: ScimError };
const invalid = (scimType: ScimError['scimType'], detail: string): Outcome => ({
  ok: false,
  error: { status: 400, scimType, detail },
});

function memberIds(value: unknown): string[] | null {
  const list = Array.isArray(value) ? value : [value];
  const ids: string[] = [];
  for (const item of list) {
    const id = typeof item === 'string' ? item : prop(item, 'value');
    if (typeof id !== 'string' || id === '') return null;
    ids.push(id.toLowerCase());
  }
  return ids;
}

/** `value eq "x"`, or several joined by `or`: the member ids a filter names. */
function idsOfFilter(filter: Filter): string[] | null {
  if (filter.kind === 'or') {
    const left = idsOfFilter(filter.left);
    const right = idsOfFilter(filter.right);
    return left && right ? [...left, ...right] : null;
  }
  if (
    filter.kind === 'compare' &&
    filter.op === 'eq' &&
    filter.path.name.toLowerCase() === 'value' &&
    filter.path.subAttr === null &&
    typeof filter.value === 'string'
  )
    return [filter.value.toLowerCase()];
  return null;
}

function add(plan: MembersPlan, ids: string[]) {
  for (const id of ids) {
    plan.remove.delete(id);
    plan.add.add(id);
  }
}

function remove(plan: MembersPlan, ids: string[]) {
  for (const id of ids) {
    plan.add.delete(id);
    plan.remove.add(id);
  }
}

/** True when the op's path names `members` (with or without a value filter). */
export function targetsMembers(path: unknown): boolean {
  return (
    typeof path === 'string' &&
    /^\s*(urn:ietf:params:scim:schemas:core:2\.0:group:)?members(\s*\[|\.|\s*$)/i.test(path)
  );
}

/** Folds one `members` operation (op lower-cased) into the plan. */
export function planMembersOp(plan: MembersPlan, op: string, path: string | null, value: unknown): Outcome {
  const parsed = path === null ? null : parsePatchPath(path);
  if (parsed && !parsed.ok) return { ok: false, error: parsed.error };
  const target = parsed?.value ?? null;
  if (target?.subAttr || target?.attr.subAttr) {
    return invalid('mutability', 'member sub-attributes cannot be changed; add or remove the member instead');
  }
  if (target?.filter) {
    const ids = idsOfFilter(target.filter);
    if (!ids)
      return invalid('invalidFilter', 'members can be selected only by value eq "<id>" (joined with or)');
    if (op !== 'remove')
      return invalid('invalidPath', `"${op}" with a members filter is not supported; use remove`);
    remove(plan, ids);
    return { ok: true };
  }
  if (op === 'remove') {
    if (value === undefined || value === null) {
      plan.replaceAll = true;
      plan.add.clear();
      plan.remove.clear();
      return { ok: true };
    }
    const ids = memberIds(value);
    if (!ids) return invalid('invalidValue', 'members to remove must be objects with a "value" id');
    remove(plan, ids);
    return { ok: true };
  }
  const ids = value === null ? [] : memberIds(value);
  if (!ids) return invalid('invalidValue', 'members must be objects with a "value" id');
  if (op === 'replace') {
    plan.replaceAll = true;
    plan.add.clear();
    plan.remove.clear();
  }
  add(plan, ids);
  return { ok: true };
}
