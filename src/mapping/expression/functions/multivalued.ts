import { eager, type FunctionSpec, runtimeError } from '../runtime.ts';
import type { Value } from '../types.ts';
import { integer, isArray, output, scalarText, textOrEmpty, type Val, values } from '../values.ts';

/** The number of values; a single value counts as one and no value as zero. */
const count = eager(
  { name: 'Count', params: ['attribute'], min: 1, max: 1 },
  ([v]) => values(v ?? null).length,
);

/** Item(attribute, index), 1-based as Entra documents; an index outside the values is an error. */
const item = eager({ name: 'Item', params: ['attribute', 'index'], min: 2, max: 2 }, ([v, index], site) => {
  const list: readonly Val[] = v === null || v === undefined ? [] : isArray(v) ? v : [v];
  const i = integer(index ?? null, site, 'index');
  if (v === null || v === undefined) return null;
  if (i < 1 || i > list.length) {
    runtimeError(
      site,
      `index ${i} is out of range: the attribute has ${list.length} value(s) and the first is 1`,
    );
  }
  return list[i - 1] ?? null;
});

/**
 * Join(separator, source1, source2, ...): every value of every source (multi-valued sources contribute all
 * their values), separated by separator. Values that are missing or empty are left out, so no doubled
 * separators appear; Microsoft's example Join(", ", "", [surname], [givenName]) gives "Doe, John".
 */
const join: FunctionSpec = {
  name: 'Join',
  params: ['separator', 'source'],
  signature: 'Join(separator, source1, source2, …)',
  min: 2,
  max: Number.POSITIVE_INFINITY,
  variadic: true,
  omittable: (i) => i > 0,
  build: (args, site) => {
    const [separator, ...sources] = args;
    return (s) => {
      const sep = textOrEmpty(separator?.run(s) ?? null, site, 'separator');
      const parts: string[] = [];
      for (const source of sources) {
        for (const v of values(source.run(s))) {
          if (v === null) continue;
          const t = scalarText(v);
          if (t !== '') parts.push(t);
        }
      }
      return parts.join(sep);
    };
  },
};

/** Keeps the first of equal values (case-sensitive, as .NET's default comparer), in order. */
const removeDuplicates = eager({ name: 'RemoveDuplicates', params: ['attribute'], min: 1, max: 1 }, ([v]) => {
  if (v === null || v === undefined) return null;
  const seen = new Set<string>();
  const out: Value[] = [];
  for (const x of values(v)) {
    const value = output(x);
    const key = `${typeof value}:${String(value)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(value);
  }
  return out;
});

/**
 * Split(source, delimiter) into a multi-valued result. Each piece is trimmed and empty pieces are dropped:
 * Microsoft's example splits "PermissionSetOne, PermissionSetTwo" on "," into ["PermissionSetOne",
 * "PermissionSetTwo"], and an empty value is not a valid member of a multi-valued attribute.
 */
const split = eager(
  { name: 'Split', params: ['source', 'delimiter'], min: 2, max: 2 },
  ([v, delimiter], site) => {
    if (v === null || v === undefined || (isArray(v) && v.length === 0)) return null;
    const sep = textOrEmpty(delimiter ?? null, site, 'delimiter');
    const out: string[] = [];
    for (const x of values(v)) {
      const s = x === null ? '' : scalarText(x);
      for (const piece of sep === '' ? [s] : s.split(sep)) {
        const t = piece.trim();
        if (t !== '') out.push(t);
      }
    }
    return out;
  },
);

export const multivaluedFunctions: readonly FunctionSpec[] = [count, item, join, removeDuplicates, split];
