import { DAY_MS } from '../core/index.ts';
import type { User } from '../directory/index.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A formatter for the zone, or null when the zone is not a known IANA name. */
function formatter(zone: string): Intl.DateTimeFormat | null {
  const cached = formatters.get(zone);
  if (cached) return cached;
  try {
    const f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
    return f;
  } catch {
    return null;
  }
}

/** The person's zone: their own when it is a real IANA name, else the default, else UTC. */
export function zoneOf(user: Pick<User, 'timezone'>, defaultZone: string): string {
  if (user.timezone && formatter(user.timezone)) return user.timezone;
  return formatter(defaultZone) ? defaultZone : 'UTC';
}

/** The wall-clock time in `zone` at instant `t`, expressed as if it were UTC (ms). */
function wallClock(t: number, zone: string): number {
  const parts = formatter(zone)!.formatToParts(new Date(t));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const ms = ((t % 1000) + 1000) % 1000;
  return Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) + ms;
}

/** 'YYYY-MM-DD' of instant `t` in `zone`. */
export function localDate(t: Date, zone: string): string {
  return new Date(wallClock(t.getTime(), zone)).toISOString().slice(0, 10);
}

/**
 * The first instant of the calendar day `date` (YYYY-MM-DD) in `zone`. A binary search for the first
 * instant whose wall clock reads that day, rather than offset arithmetic: it stays right when midnight
 * falls in a daylight-saving gap (the day then starts at 01:00) or happens twice (the earlier one).
 */
export function startOfLocalDay(date: string, zone: string): Date {
  const target = Date.parse(`${date}T00:00:00Z`);
  // UTC offsets lie within -12h..+14h, so local midnight lies within this window.
  let lo = target - 15 * 3_600_000;
  let hi = target + 15 * 3_600_000;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallClock(mid, zone) >= target) hi = mid;
    else lo = mid + 1;
  }
  return new Date(lo);
}

/**
 * The calendar day of a hire date. HR systems send dates without a time, which arrive as midnight UTC:
 * those mean that day wherever the person is. A hire date with a time is an instant, read in the
 * person's zone.
 */
export function hireDay(hireDate: string, zone: string): string {
  const t = new Date(hireDate);
  const isDateOnly =
    t.getUTCHours() === 0 &&
    t.getUTCMinutes() === 0 &&
    t.getUTCSeconds() === 0 &&
    t.getUTCMilliseconds() === 0;
  return isDateOnly ? t.toISOString().slice(0, 10) : localDate(t, zone);
}

/**
 * When a code issued `now` may be used: from the start of the hire day in the person's zone (from now
 * without a hire date), for `lifetimeDays` counted from that start, or from now when that is later (a
 * code reissued after the hire date still gets its full lifetime).
 */
export function validityWindow(
  user: Pick<User, 'timezone' | 'employeeHireDate'>,
  now: Date,
  settings: { lifetimeDays: number; defaultTimezone: string },
): { validFrom: Date; expiresAt: Date } {
  const zone = zoneOf(user, settings.defaultTimezone);
  const validFrom = user.employeeHireDate ? startOfLocalDay(hireDay(user.employeeHireDate, zone), zone) : now;
  const base = Math.max(validFrom.getTime(), now.getTime());
  return { validFrom, expiresAt: new Date(base + settings.lifetimeDays * DAY_MS) };
}
