import type { Value } from '../mapping/index.ts';
import type { AttributeChange, TargetAttributes, TargetScalar, TargetValue } from './connector.ts';

/** A mapping's value as a connector takes it: nested arrays flattened, nothing but JSON scalars. */
export function toTargetValue(value: Value): TargetValue {
  if (value === null || typeof value !== 'object') return value;
  const out: TargetScalar[] = [];
  const walk = (v: Value) => {
    if (Array.isArray(v)) for (const x of v as readonly Value[]) walk(x);
    else if (v !== null) out.push(v as TargetScalar);
  };
  walk(value);
  return out;
}

const isEmpty = (v: TargetValue | undefined) =>
  v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/** Equal as a target stores them: arrays in order, scalars by value (a target may echo 1 as "1"). */
export function sameValue(a: TargetValue | undefined, b: TargetValue | undefined): boolean {
  if (isEmpty(a) && isEmpty(b)) return true;
  if (isEmpty(a) || isEmpty(b)) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    const x = Array.isArray(a) ? a : [a];
    const y = Array.isArray(b) ? b : [b];
    return x.length === y.length && x.every((v, i) => String(v) === String(y[i]));
  }
  return String(a) === String(b);
}

/**
 * What must change for `before` to become `desired`, over the mapped attributes only (a target's own
 * extra attributes are its business). Null when nothing differs: an unchanged object costs no request.
 */
export function diffAttributes(before: TargetAttributes, desired: TargetAttributes): AttributeChange | null {
  const set: Record<string, TargetValue> = {};
  const remove: string[] = [];
  const lowerBefore = new Map(Object.entries(before).map(([k, v]) => [k.toLowerCase(), v]));
  for (const [key, value] of Object.entries(desired)) {
    const old = key in before ? before[key] : lowerBefore.get(key.toLowerCase());
    if (sameValue(old, value)) continue;
    if (isEmpty(value)) remove.push(key);
    else set[key] = value;
  }
  return Object.keys(set).length === 0 && remove.length === 0 ? null : { set, remove };
}

/** Entra's modifiedProperties for the log. */
export function modifiedProperties(
  before: TargetAttributes,
  change: AttributeChange,
  redacted: ReadonlySet<string>,
): Array<{ displayName: string; oldValue: string | null; newValue: string | null }> {
  const show = (key: string, v: TargetValue | undefined) =>
    v === undefined || v === null ? null : redacted.has(key) ? '[Redacted]' : JSON.stringify(v);
  return [
    ...Object.entries(change.set).map(([k, v]) => ({
      displayName: k,
      oldValue: show(k, before[k]),
      newValue: show(k, v),
    })),
    ...change.remove.map((k) => ({ displayName: k, oldValue: show(k, before[k]), newValue: null })),
  ];
}
