import { personDateFields } from './placeholders.ts';
import type { EmailChange, EmailPerson, EmailVars } from './types.ts';

export interface FormatOptions {
  /** Language tag for Intl (the requested one when Intl knows it, e.g. 'fr-CA'). */
  locale: string;
  defaultTimezone: string;
  /** Shown for an empty value in a change list. */
  empty: string;
}

function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The person's own zone when Intl knows it, else the configured default, else UTC. */
export function zoneOf(person: EmailPerson | null, defaultTimezone: string): string {
  if (person?.timezone && isZone(person.timezone)) return person.timezone;
  return isZone(defaultTimezone) ? defaultTimezone : 'UTC';
}

/**
 * Hire and leave dates arrive as instants. HR sends most of them as plain days, stored as midnight UTC:
 * shown in the person's zone, Europe's day would be right but America's would fall on the day before.
 * So exactly midnight UTC is read as a calendar date; any other instant is a moment, shown in the zone.
 */
export function formatDate(value: string | null | undefined, locale: string, timeZone: string): string {
  if (!value) return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  const calendarDay = date.getTime() % 86_400_000 === 0;
  const format = calendarDay
    ? new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' })
    : new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short', timeZone });
  return format.format(date);
}

function personValue(person: EmailPerson | null, field: string, options: FormatOptions): string {
  if (!person) return '';
  const value: unknown = (person as unknown as Record<string, unknown>)[field];
  if (typeof value !== 'string') return '';
  if (personDateFields.has(field))
    return formatDate(value, options.locale, zoneOf(person, options.defaultTimezone));
  return value;
}

const isoTimestamp = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

function changeValue(attribute: string, value: unknown, zone: string, options: FormatOptions): string {
  if (value === null || value === undefined || value === '') return options.empty;
  if (Array.isArray(value))
    return value.length === 0
      ? options.empty
      : value.map((v) => changeValue(attribute, v, zone, options)).join(', ');
  if (typeof value === 'string') {
    if (/date/i.test(attribute) && isoTimestamp.test(value)) return formatDate(value, options.locale, zone);
    return value;
  }
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** One line per change: "- department: Sales → Marketing". */
export function formatChanges(
  changes: readonly EmailChange[] | undefined,
  zone: string,
  options: FormatOptions,
) {
  return (changes ?? [])
    .map(
      (c) =>
        `- ${c.attribute}: ${changeValue(c.attribute, c.before, zone, options)} → ${changeValue(c.attribute, c.after, zone, options)}`,
    )
    .join('\n');
}

/** The text a placeholder stands for; anything missing is an empty string. */
export function placeholderValue(name: string, vars: EmailVars, options: FormatOptions): string {
  const [scope, field] = name.split('.');
  if (scope === 'user' && field) return personValue(vars.user, field, options);
  if (scope === 'manager' && field) return personValue(vars.manager, field, options);
  const userZone = zoneOf(vars.user, options.defaultTimezone);
  if (scope === 'changes') return formatChanges(vars.changes, userZone, options);
  const activation = vars.activation;
  if (scope !== 'activation' || !activation) return '';
  if (field === 'code') return activation.code ?? '';
  if (field === 'url') return activation.url ?? '';
  if (field === 'validFrom') return formatDate(activation.validFrom, options.locale, userZone);
  if (field === 'expiresAt') return formatDate(activation.expiresAt, options.locale, userZone);
  return '';
}
