import type { CompareOperator } from './ast.ts';
import { parseLooseDate } from './date-parse.ts';
import { DateTime } from './datetime.ts';
import { runtimeError, type Site } from './runtime.ts';
import { asNumber, looseBoolean, one, type Scalar, scalarText, type Val } from './values.ts';

/**
 * The comparison operators Entra documents for IIF conditions (=, <>, <, <=, >, >=). Entra compares loosely
 * typed values, and so does this: numbers and numeric strings compare as numbers ([StatusRehire]=1 matches
 * "1"), booleans with "True"/"False" in any case, dates with dates, and everything else as case-sensitive
 * (ordinal) strings. For = and <>, no value equals the empty string, so [country]="" is true when country is
 * missing. Ordering a missing value is an error rather than a silent false: a condition such as
 * DateDiff(...) > 5 on a missing date must not quietly pick a branch.
 */
export function compare(op: CompareOperator, left: Val, right: Val, site: Site): boolean {
  const a = one(left, site, 'the left operand');
  const b = one(right, site, 'the right operand');
  if (op === '=' || op === '<>') return equal(a, b) === (op === '=');
  if (a === null || b === null) {
    runtimeError(site, `cannot order ${a === null ? 'the left' : 'the right'} operand: it has no value`);
  }
  const order = ordering(a, b);
  switch (op) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    default:
      return order >= 0;
  }
}

function asDateMs(v: Scalar): number | undefined {
  if (v instanceof DateTime) return v.ms;
  if (typeof v === 'string') return parseLooseDate(v)?.ms;
  return undefined;
}

function equal(a: Scalar, b: Scalar): boolean {
  const aEmpty = a === null || a === '';
  const bEmpty = b === null || b === '';
  if (aEmpty || bEmpty) return aEmpty && bEmpty;
  if (a instanceof DateTime || b instanceof DateTime) {
    const x = asDateMs(a);
    const y = asDateMs(b);
    if (x !== undefined && y !== undefined) return x === y;
  }
  if (typeof a === 'boolean' || typeof b === 'boolean') {
    const x = looseBoolean(a);
    const y = looseBoolean(b);
    return x !== undefined && x === y;
  }
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== undefined && y !== undefined) return x === y;
  return scalarText(a) === scalarText(b);
}

function ordering(a: Exclude<Scalar, null>, b: Exclude<Scalar, null>): number {
  if (a instanceof DateTime || b instanceof DateTime) {
    const x = asDateMs(a);
    const y = asDateMs(b);
    if (x !== undefined && y !== undefined) return Math.sign(x - y);
  }
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== undefined && y !== undefined) return Math.sign(x - y);
  const s = scalarText(a);
  const t = scalarText(b);
  return s < t ? -1 : s > t ? 1 : 0;
}
