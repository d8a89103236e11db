import { daysInMonth, expandTwoDigitYear, inRange, MS_PER_MINUTE, monthNames, utcMs } from './datetime.ts';
import type { Parsed } from './dotnet-parse.ts';

/**
 * The lenient reading behind CDate and the date arguments of DateAdd, DateDiff and NumFromDate, standing in
 * for .NET's DateTime.Parse with en-US culture. It accepts ISO 8601 dates and times (with or without a time,
 * with Z or an offset, also directly after the date as in Workday's "2020-03-16-07:00"), US dates such as
 * Entra's own "3/16/2020 7:00:00 AM", and dates with English month names ("15 June 2009", "June 15, 2009",
 * "Tue, 15 Jun 2009 01:45:30 GMT"). A value with an offset is converted to UTC; one without is taken as UTC.
 */

const time = String.raw`(?:(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,7}))?)?\s*(AM|PM|A|P)?)?`;
const zone = String.raw`\s*(Z|GMT|UTC|[+-]\d{1,2}(?::?\d{2})?)?`;
const weekday = String.raw`(?:(?:Sun|Mon|Tue|Wed|Thu|Fri|Sat)[a-z]*\.?,?\s+)?`;

const iso = new RegExp(String.raw`^(\d{4})([-/])(\d{1,2})\2(\d{1,2})${time}${zone}$`, 'i');
const us = new RegExp(String.raw`^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})${time}${zone}$`, 'i');
const dayFirst = new RegExp(
  String.raw`^${weekday}(\d{1,2})[\s-]+([A-Za-z]{3,9})\.?[\s-]+(\d{4})${time}${zone}$`,
  'i',
);
const monthFirst = new RegExp(
  String.raw`^${weekday}([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})${time}${zone}$`,
  'i',
);

function monthFromName(name: string): number | undefined {
  const lower = name.toLowerCase();
  const index = monthNames.findIndex((m) => m.toLowerCase().startsWith(lower));
  return index < 0 ? undefined : index + 1;
}

function zoneMinutes(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const upper = text.toUpperCase();
  if (upper === 'Z' || upper === 'GMT' || upper === 'UTC') return 0;
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(text);
  if (m === null) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '-' ? -minutes : minutes;
}

function build(
  year: number,
  month: number | undefined,
  day: number,
  rest: readonly (string | undefined)[],
): Parsed | undefined {
  const [h, mi, s, fraction, designator, zoneText] = rest;
  if (month === undefined || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    return undefined;
  let hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (designator !== undefined) {
    if (hour < 1 || hour > 12) return undefined;
    const pm = designator.toUpperCase().startsWith('P');
    if (pm && hour < 12) hour += 12;
    if (!pm && hour === 12) hour = 0;
  }
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000 + 1e-9);
  const offset = zoneMinutes(zoneText);
  const ms = utcMs(year, month, day, hour, minute, second, millis) - (offset ?? 0) * MS_PER_MINUTE;
  if (!inRange(ms)) return undefined;
  return { ms, kind: offset === undefined ? 'unspecified' : 'utc' };
}

export function parseLooseDate(input: string): Parsed | undefined {
  const text = input.trim();
  let m = iso.exec(text);
  if (m !== null) return build(Number(m[1]), Number(m[3]), Number(m[4]), m.slice(5));
  m = us.exec(text);
  if (m !== null) {
    const y = m[3] ?? '';
    return build(
      y.length === 2 ? expandTwoDigitYear(Number(y)) : Number(y),
      Number(m[1]),
      Number(m[2]),
      m.slice(4),
    );
  }
  m = dayFirst.exec(text);
  if (m !== null) return build(Number(m[3]), monthFromName(m[2] ?? ''), Number(m[1]), m.slice(4));
  m = monthFirst.exec(text);
  if (m !== null) return build(Number(m[3]), monthFromName(m[1] ?? ''), Number(m[2]), m.slice(4));
  return undefined;
}
