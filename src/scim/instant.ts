import { instantOf } from './patch/datetime.ts';

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const FRACTION = /\.(\d+)/;

/** A filter's date-time as PostgreSQL should read it; `inexact` when digits below a microsecond were cut. */
export interface Instant {
  text: string;
  inexact: boolean;
}

/**
 * A SCIM dateTime (or a bare date, read as midnight UTC) checked against the calendar and made
 * unambiguous for PostgreSQL: an explicit offset (UTC when none was given) and at most six fractional
 * digits, cut rather than rounded (Entra sends seven). Null when the value is not a real instant:
 * `2026-02-30` must be a 400, not a database error.
 */
export function normaliseInstant(value: string): Instant | null {
  // ISO 8601's basic offset (+0130) is common in the wild; xsd:dateTime wants +01:30.
  const extended = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const text = DATE_ONLY.test(extended) ? `${extended}T00:00:00Z` : extended;
  if (instantOf(text) === null || Number(text.slice(0, 4)) < 1) return null;
  const zoned = /(?:[Zz]|[+-]\d{2}:\d{2})$/.test(text) ? text : `${text}Z`;
  const fraction = FRACTION.exec(zoned)?.[1] ?? '';
  if (fraction.length <= 6) return { text: zoned, inexact: false };
  return {
    text: zoned.replace(FRACTION, `.${fraction.slice(0, 6)}`),
    inexact: /[1-9]/.test(fraction.slice(6)),
  };
}
