import { MS_PER_DAY, MS_PER_MINUTE } from './datetime.ts';

/**
 * Time zones for FormatDateTime's optional inputTimeZone/outputTimeZone (a Joinery extension). Accepts IANA
 * names ("Europe/Paris"), "UTC"/"GMT", fixed offsets ("+05:30", "UTC-08:00") and the common Windows names
 * ("Pacific Standard Time"), which are mapped to their IANA equivalents. Offsets come from the runtime's
 * ICU data through Intl, so daylight saving time follows the tz database.
 */
export interface Zone {
  readonly name: string;
  /** Offset from UTC, in minutes, at the given instant. */
  offsetAt(utcMs: number): number;
}

const windows: Readonly<Record<string, string>> = {
  'dateline standard time': 'Etc/GMT+12',
  'hawaiian standard time': 'Pacific/Honolulu',
  'alaskan standard time': 'America/Anchorage',
  'pacific standard time': 'America/Los_Angeles',
  'us mountain standard time': 'America/Phoenix',
  'mountain standard time': 'America/Denver',
  'central standard time': 'America/Chicago',
  'eastern standard time': 'America/New_York',
  'atlantic standard time': 'America/Halifax',
  'e. south america standard time': 'America/Sao_Paulo',
  'greenwich standard time': 'Atlantic/Reykjavik',
  'gmt standard time': 'Europe/London',
  'w. europe standard time': 'Europe/Berlin',
  'romance standard time': 'Europe/Paris',
  'central europe standard time': 'Europe/Budapest',
  'central european standard time': 'Europe/Warsaw',
  'e. europe standard time': 'Europe/Chisinau',
  'fle standard time': 'Europe/Kiev',
  'gtb standard time': 'Europe/Bucharest',
  'russian standard time': 'Europe/Moscow',
  'south africa standard time': 'Africa/Johannesburg',
  'arabian standard time': 'Asia/Dubai',
  'india standard time': 'Asia/Kolkata',
  'china standard time': 'Asia/Shanghai',
  'singapore standard time': 'Asia/Singapore',
  'tokyo standard time': 'Asia/Tokyo',
  'korea standard time': 'Asia/Seoul',
  'aus eastern standard time': 'Australia/Sydney',
  'e. australia standard time': 'Australia/Brisbane',
  'cen. australia standard time': 'Australia/Adelaide',
  'w. australia standard time': 'Australia/Perth',
  'new zealand standard time': 'Pacific/Auckland',
  utc: 'UTC',
  'coordinated universal time': 'UTC',
};

function fixed(name: string, minutes: number): Zone {
  return { name, offsetAt: () => minutes };
}

const cache = new Map<string, Zone | undefined>();

export function resolveZone(name: string): Zone | undefined {
  const key = name.trim();
  if (cache.has(key)) return cache.get(key);
  const zone = lookup(key);
  if (cache.size >= 256) cache.clear();
  cache.set(key, zone);
  return zone;
}

function lookup(key: string): Zone | undefined {
  if (/^(utc|gmt|z)$/i.test(key)) return fixed('UTC', 0);
  const offset = /^(?:utc|gmt)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i.exec(key);
  if (offset !== null) {
    const minutes = Number(offset[2]) * 60 + Number(offset[3] ?? 0);
    if (minutes > 14 * 60) return undefined;
    return fixed(key, offset[1] === '-' ? -minutes : minutes);
  }
  const iana = windows[key.toLowerCase()] ?? key;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: iana,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  } catch {
    return undefined;
  }
  return {
    name: iana,
    offsetAt(utcMs: number): number {
      const parts: Record<string, string> = {};
      for (const p of format.formatToParts(new Date(utcMs))) parts[p.type] = p.value;
      const year = Number(parts.year) * (parts.era === 'BC' || parts.era === 'B' ? -1 : 1);
      const d = new Date(0);
      d.setUTCFullYear(year, Number(parts.month) - 1, Number(parts.day));
      d.setUTCHours(Number(parts.hour), Number(parts.minute), Number(parts.second), 0);
      const wholeSeconds = Math.floor(utcMs / 1000) * 1000;
      return Math.round((d.getTime() - wholeSeconds) / MS_PER_MINUTE);
    },
  };
}

/**
 * The UTC instant at which the zone's wall clock shows `wallMs`. A time that occurs twice (clocks going back)
 * takes the first occurrence; a time that never occurs (clocks going forward) moves forward by the gap, so
 * 02:30 on a spring-forward night reads as 03:30.
 */
export function wallToUtc(wallMs: number, zone: Zone): number {
  const before = wallMs - zone.offsetAt(wallMs - MS_PER_DAY) * MS_PER_MINUTE;
  const after = wallMs - zone.offsetAt(wallMs + MS_PER_DAY) * MS_PER_MINUTE;
  const shows = (utc: number) => utc + zone.offsetAt(utc) * MS_PER_MINUTE === wallMs;
  const valid = [before, after].filter(shows);
  return valid.length > 0 ? Math.min(...valid) : before;
}
