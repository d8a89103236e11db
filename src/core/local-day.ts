/**
 * The person's own day. HR systems (and Entra's bulkUpload) send hire and leave dates as dates, which
 * arrive as midnight UTC; a value with any other time of day is an exact instant. So:
 * - a date-only value names a calendar day, read as is (not shifted into the person's zone);
 * - an instant's calendar day is its date in the person's zone.
 * The same rules are written in SQL in `db/local-day.ts` for the scheduler and the leave-date job.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

export function isDateOnly(value: Date): boolean {
  return value.getTime() % DAY_MS === 0;
}

const zoneCache = new Map<string, boolean>();

/** True when this Node.js knows the IANA zone. */
export function isKnownZone(zone: string): boolean {
  let known = zoneCache.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    zoneCache.set(zone, known);
  }
  return known;
}

/** The person's zone: theirs when valid, else the fallback. */
export function zoneOf(zone: string | null | undefined, fallback: string): string {
  return zone && isKnownZone(zone) ? zone : fallback;
}

function parts(instant: Date, zone: string): Record<string, number> {
  const formatted = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const out: Record<string, number> = {};
  for (const p of formatted) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** `YYYY-MM-DD` of an instant in a zone. */
export function dateIn(instant: Date, zone: string): string {
  const p = parts(instant, zone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** The calendar day a hire or leave value names (see the module comment). */
export function calendarDay(value: Date, zone: string): string {
  return isDateOnly(value) ? value.toISOString().slice(0, 10) : dateIn(value, zone);
}

/** Adds whole days to a `YYYY-MM-DD` day. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The instant a wall-clock time (`HH:MM`, `24:00` = the end of the day) on a day is reached in a zone.
 * A time skipped by a daylight-saving change is reached when the clocks jump past it.
 */
export function zonedInstant(day: string, timeOfDay: string, zone: string): Date {
  const [h, m] = timeOfDay.split(':').map(Number) as [number, number];
  const wall = Date.parse(`${day}T00:00:00Z`) + (h * 60 + m) * 60_000;
  // Guess with the zone's offset at the wall time read as UTC, then correct once with the offset at
  // the guess (offsets change at most once within a few hours).
  const offsetAt = (t: number) => {
    const p = parts(new Date(t), zone);
    const asUtc = Date.UTC(
      p.year ?? 0,
      (p.month ?? 1) - 1,
      p.day ?? 1,
      p.hour ?? 0,
      p.minute ?? 0,
      p.second ?? 0,
    );
    return asUtc - Math.floor(t / 1000) * 1000;
  };
  const first = wall - offsetAt(wall);
  const second = wall - offsetAt(first);
  const reads = (t: number) => t + offsetAt(t) === wall;
  if (reads(second)) return new Date(second);
  if (reads(first)) return new Date(first);
  // Neither reads back: the wall time falls in a gap, so take the later candidate (after the jump).
  return new Date(Math.max(first, second));
}

/**
 * When a leave date takes effect: a date-only value at the end of that day in the person's zone (their
 * last day is a whole working day); an instant at that instant.
 */
export function leaveEffectiveAt(leave: Date, zone: string): Date {
  return isDateOnly(leave) ? zonedInstant(calendarDay(leave, zone), '24:00', zone) : leave;
}
