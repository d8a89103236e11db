/**
 * Entra's DateTime values, kept as UTC milliseconds. Entra's provisioning service runs with UTC as its
 * local time, so .NET's Local and Unspecified kinds show the same wall clock as UTC; the kind survives
 * only because the `K` format specifier prints it ("Z", "+00:00" or nothing).
 */
export type DateKind = 'utc' | 'local' | 'unspecified';

export class DateTime {
  constructor(
    readonly ms: number,
    readonly kind: DateKind,
  ) {}
}

export const MS_PER_SECOND = 1000;
export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/** UTC milliseconds for a calendar date. Avoids Date.UTC, which maps years 0–99 to 1900–1999. */
export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0) {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime();
}

/** .NET DateTime covers 0001-01-01 through 9999-12-31; so do these functions. */
export const MIN_MS = utcMs(1, 1, 1);
export const MAX_MS = utcMs(10000, 1, 1) - 1;

export function inRange(ms: number): boolean {
  return Number.isFinite(ms) && ms >= MIN_MS && ms <= MAX_MS;
}

export interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** 0 = Sunday. */
  dayOfWeek: number;
}

export function partsOf(ms: number): Parts {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    dayOfWeek: d.getUTCDay(),
  };
}

export function daysInMonth(year: number, month: number): number {
  return new Date(utcMs(year, month + 1, 1) - MS_PER_DAY).getUTCDate();
}

/** .NET AddMonths: the day is clamped to the end of the target month (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(ms: number, months: number): number {
  const p = partsOf(ms);
  const total = p.year * 12 + (p.month - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  const day = Math.min(p.day, daysInMonth(year, month));
  return utcMs(year, month, day, p.hour, p.minute, p.second, p.millisecond);
}

export const monthNames = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;
export const dayNames = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
] as const;

/** .NET 8's default TwoDigitYearMax: 00–49 are 2000–2049, 50–99 are 1950–1999. */
export function expandTwoDigitYear(yy: number): number {
  return yy <= 49 ? 2000 + yy : 1900 + yy;
}
