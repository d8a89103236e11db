import { DateTime } from './datetime.ts';
import { defaultDateText } from './dotnet-format.ts';
import type { Site } from './runtime.ts';
import { runtimeError } from './runtime.ts';
import type { Value } from './types.ts';

/** What evaluators pass between each other: a public Value, or a DateTime (CDate, DateAdd, Now, DateFromNum). */
export type Val = Value | DateTime;
export type Scalar = string | number | boolean | null | DateTime;

/** Converts an internal value to a public one; a DateTime shows as Entra shows it ("M/d/yyyy h:mm:ss tt"). */
export function output(v: Val): Value {
  return v instanceof DateTime ? defaultDateText(v.ms, v.kind) : v;
}

export function isArray(v: Val): v is readonly Value[] {
  return Array.isArray(v);
}

/** Null, an empty string, or a multi-valued attribute with no values. */
export function isEmpty(v: Val): boolean {
  return v === null || v === '' || (isArray(v) && v.length === 0);
}

/**
 * A single value from a possibly multi-valued one. A multi-valued attribute holding one value counts as that
 * value and one holding none as null, so filters such as [emails[type eq "work"].value] work either way.
 */
export function one(v: Val, site: Site, what: string): Scalar {
  if (!isArray(v)) return v;
  if (v.length === 0) return null;
  if (v.length === 1) return one(v[0] ?? null, site, what);
  return runtimeError(
    site,
    `${what} has ${v.length} values but a single value is expected (use Item or Join)`,
  );
}

/** .NET renders integers in full and booleans as True/False; JavaScript agrees on the rest that matters. */
export function numberText(n: number): string {
  return Object.is(n, -0) ? '0' : String(n);
}

export function scalarText(v: Exclude<Scalar, null>): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberText(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return defaultDateText(v.ms, v.kind);
}

/** The argument as a string, or null when it has no value. */
export function text(v: Val, site: Site, what: string): string | null {
  const s = one(v, site, what);
  return s === null ? null : scalarText(s);
}

/** The argument as a string, with no value read as "". */
export function textOrEmpty(v: Val, site: Site, what: string): string {
  return text(v, site, what) ?? '';
}

const numeric = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A number from a number or a numeric string; undefined when the value is not numeric. */
export function asNumber(v: Scalar): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') {
    const t = v.trim();
    return numeric.test(t) ? Number(t) : undefined;
  }
  return undefined;
}

/** A whole number argument (Entra's Integer parameters accept numbers and numeric strings such as "1"). */
export function integer(v: Val, site: Site, what: string): number {
  const s = one(v, site, what);
  if (s === null) return runtimeError(site, `${what} is required but has no value`);
  const n = asNumber(s);
  if (n === undefined || !Number.isInteger(n)) {
    return runtimeError(site, `${what} must be a whole number, not ${describeValue(s)}`);
  }
  return n;
}

/**
 * CBool's conversion: booleans as they are, "True"/"False" in any case, numbers and numeric strings are true
 * when non-zero, and no value is false. Anything else is an error rather than a guess.
 */
export function toBoolean(v: Val, site: Site, what: string): boolean {
  const s = one(v, site, what);
  const b = looseBoolean(s);
  if (b !== undefined) return b;
  return runtimeError(site, `${what} must be True, False or a number, not ${describeValue(s)}`);
}

export function looseBoolean(s: Scalar): boolean | undefined {
  if (s === null || s === '') return false;
  if (typeof s === 'boolean') return s;
  if (typeof s === 'string') {
    const lower = s.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  const n = asNumber(s);
  return n === undefined ? undefined : n !== 0;
}

export function describeValue(v: Val): string {
  if (v === null) return 'no value';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  if (isArray(v)) return `${v.length} values`;
  return scalarText(v);
}

/** The values of a possibly multi-valued argument, as a list (no value is an empty list). */
export function values(v: Val): readonly Scalar[] {
  if (v === null) return [];
  if (isArray(v)) return v.flatMap((x) => values(x));
  return [v];
}
