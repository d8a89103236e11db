import type { Email, PhoneNumber, User, UserAttributes } from './user-attributes.ts';
import { emptyUserAttributes, userAttributeColumns, userAttributeNames } from './user-attributes.ts';
import type { UserCreateInput, UserPatchInput } from './user-schemas.ts';

type Input = UserCreateInput | UserPatchInput;

function normaliseMulti<T extends Email | PhoneNumber>(list: T[]): T[] {
  return list.map((e) => {
    const out = { value: e.value } as T;
    if (e.type !== undefined && e.type !== null) out.type = e.type;
    if (e.primary === true) out.primary = true;
    return out;
  });
}

/**
 * The attributes after applying `input` to `before` (or to empty attributes for a create): keys present
 * replace, null clears, absent keys keep their value; extension keys merge and a null value removes one.
 */
export function mergeUser(before: UserAttributes | null, input: Input): UserAttributes {
  const base: UserAttributes = before ?? { userName: '', ...emptyUserAttributes };
  const next: UserAttributes = { ...base, extension: { ...base.extension } };
  const target = next as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (key === 'extension') {
      for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
        if (v === null) delete next.extension[name];
        else next.extension[name] = v;
      }
    } else if (key === 'emails' || key === 'phoneNumbers') {
      target[key] = normaliseMulti((value as Email[] | null) ?? []);
    } else {
      target[key] = value;
    }
  }
  return next;
}

const jsonAttributes = new Set<string>(
  userAttributeColumns.filter(([, , type]) => type === 'jsonb').map(([name]) => name),
);

/**
 * Field by field: scalars with ===, the few JSON attributes with key order ignored (jsonb returns keys
 * in its own order). Serialising whole users instead cost ~5 s per 100k unchanged users in the
 * steady-state HR feed (see docs/benchmarks.md).
 */
export function sameAttributes(a: UserAttributes, b: UserAttributes): boolean {
  for (const name of userAttributeNames) {
    const x = a[name] ?? null;
    const y = b[name] ?? null;
    if (x === y) continue;
    if (!jsonAttributes.has(name) || x === null || y === null) return false;
    if (JSON.stringify(orderKeys(x)) !== JSON.stringify(orderKeys(y))) return false;
  }
  return true;
}

function orderKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(orderKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, orderKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

export function withMeta(attributes: UserAttributes, meta: Omit<User, keyof UserAttributes>): User {
  return { ...attributes, ...meta };
}
