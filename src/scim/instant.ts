// ISO 8601 date or date-time with any number of fractional digits; PostgreSQL parses and rounds it.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The instant as text PostgreSQL reads the same whatever its session time zone: a bare date is
 * midnight UTC and a date-time without an offset is UTC. Null when the value is not ISO 8601.
 */
export function normaliseInstant(value: string): string | null {
  if (!ISO_INSTANT.test(value)) return null;
  const text =
    value.length === 10
      ? `${value}T00:00:00Z`
      : /(?:[Zz]|[+-]\d{2}:?\d{2})$/.test(value)
        ? value
        : `${value}Z`;
  return Number.isNaN(Date.parse(text.replace(/(\.\d{3})\d+/, '$1'))) ? null : text;
}
