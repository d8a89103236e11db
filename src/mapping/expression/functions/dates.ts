import { parseLooseDate } from '../date-parse.ts';
import {
  addMonths,
  DateTime,
  inRange,
  MS_PER_DAY,
  MS_PER_HOUR,
  MS_PER_MINUTE,
  MS_PER_SECOND,
  partsOf,
} from '../datetime.ts';
import { type Arg, argumentError, eager, type FunctionSpec, runtimeError, type Site } from '../runtime.ts';
import { describeValue, integer, one, text, type Val } from '../values.ts';
import { formatDateTime } from './format-date-time.ts';

/** A date argument: a DateTime from CDate, Now, DateAdd or DateFromNum, or a string CDate would accept. */
function dateArg(v: Val, site: Site, what: string): DateTime | null {
  const s = one(v, site, what);
  if (s === null || s === '') return null;
  if (s instanceof DateTime) return s;
  if (typeof s === 'string') {
    const parsed = parseLooseDate(s);
    if (parsed === undefined) return runtimeError(site, `${what} ${describeValue(s)} is not a date`);
    return new DateTime(parsed.ms, parsed.kind);
  }
  return runtimeError(site, `${what} must be a date, not ${describeValue(s)}`);
}

function checked(ms: number, site: Site): number {
  if (!inRange(ms)) runtimeError(site, 'the result is outside the dates 0001-01-01 to 9999-12-31');
  return ms;
}

const cdate = eager({ name: 'CDate', params: ['expression'], min: 1, max: 1 }, ([v], site) => {
  const d = dateArg(v ?? null, site, 'expression');
  return d === null ? null : new DateTime(d.ms, 'utc');
});

const now = eager({ name: 'Now', params: [], min: 0, max: 0 }, (_values, site, s) => {
  return new DateTime(checked(s.ctx.now().getTime(), site), 'utc');
});

// Visual Basic's interval names, which Entra's DateAdd and DateDiff take (case-insensitive, as in VB).
const intervals = new Set(['yyyy', 'q', 'm', 'y', 'd', 'w', 'ww', 'h', 'n', 's']);

function intervalArg(v: Val, site: Site): string {
  const name = (text(v, site, 'interval') ?? '').trim().toLowerCase();
  if (!intervals.has(name)) runtimeError(site, `interval must be one of ${[...intervals].join(', ')}`);
  return name;
}

/** A literal interval is checked when the mapping is saved. */
function checkInterval(args: readonly Arg[], site: Site): void {
  const a = args[0];
  if (a !== undefined && typeof a.literal === 'string' && !intervals.has(a.literal.trim().toLowerCase())) {
    argumentError(site, a, `"${a.literal}" is not an interval; use one of ${[...intervals].join(', ')}`);
  }
}

function add(interval: string, n: number, ms: number): number {
  switch (interval) {
    case 'yyyy':
      return addMonths(ms, 12 * n);
    case 'q':
      return addMonths(ms, 3 * n);
    case 'm':
      return addMonths(ms, n);
    case 'ww':
      return ms + 7 * n * MS_PER_DAY;
    case 'h':
      return ms + n * MS_PER_HOUR;
    case 'n':
      return ms + n * MS_PER_MINUTE;
    case 's':
      return ms + n * MS_PER_SECOND;
    default: // d, y (day of year) and w (weekday) all add days, as in Visual Basic.
      return ms + n * MS_PER_DAY;
  }
}

const dateAdd: FunctionSpec = {
  name: 'DateAdd',
  params: ['interval', 'value', 'dateTime'],
  min: 3,
  max: 3,
  build: (args, site) => {
    checkInterval(args, site);
    const [interval, value, date] = args as [Arg, Arg, Arg];
    return (s) => {
      const name = intervalArg(interval.run(s), site);
      const n = integer(value.run(s), site, 'value');
      const d = dateArg(date.run(s), site, 'dateTime');
      return d === null ? null : new DateTime(checked(add(name, n, d.ms), site), d.kind);
    };
  },
};

/**
 * Visual Basic's DateDiff: whole units of elapsed time, truncated toward zero, for d/y/h/n/s and w; calendar
 * boundaries crossed for ww (weeks starting on Sunday), m, q and yyyy. Microsoft's examples pin this down:
 * from 8/25/2021 5:41:18 PM to 2012-03-16T07:00Z is -3449 days, -493 calendar weeks and -113 months.
 */
function diff(interval: string, a: number, b: number): number {
  const trunc = (x: number) => Math.trunc(x) + 0;
  const pa = partsOf(a);
  const pb = partsOf(b);
  switch (interval) {
    case 'yyyy':
      return pb.year - pa.year;
    case 'q':
      return (pb.year - pa.year) * 4 + Math.floor((pb.month - 1) / 3) - Math.floor((pa.month - 1) / 3);
    case 'm':
      return (pb.year - pa.year) * 12 + pb.month - pa.month;
    case 'w':
      return trunc(trunc((b - a) / MS_PER_DAY) / 7);
    case 'ww': {
      const sundayA = a - pa.dayOfWeek * MS_PER_DAY;
      const sundayB = b - pb.dayOfWeek * MS_PER_DAY;
      return trunc(trunc((sundayB - sundayA) / MS_PER_DAY) / 7);
    }
    case 'h':
      return trunc((b - a) / MS_PER_HOUR);
    case 'n':
      return trunc((b - a) / MS_PER_MINUTE);
    case 's':
      return trunc((b - a) / MS_PER_SECOND);
    default:
      return trunc((b - a) / MS_PER_DAY);
  }
}

const dateDiff: FunctionSpec = {
  name: 'DateDiff',
  params: ['interval', 'date1', 'date2'],
  min: 3,
  max: 3,
  build: (args, site) => {
    checkInterval(args, site);
    const [interval, first, second] = args as [Arg, Arg, Arg];
    return (s) => {
      const name = intervalArg(interval.run(s), site);
      const a = dateArg(first.run(s), site, 'date1');
      const b = dateArg(second.run(s), site, 'date2');
      return a === null || b === null ? null : diff(name, a.ms, b.ms);
    };
  },
};

/** Windows FILETIME (Active Directory's date format): 100-nanosecond ticks since 1601-01-01 UTC. */
const FILETIME_UNIX_EPOCH = 116_444_736_000_000_000n;
const TICKS_PER_MS = 10_000n;

const dateFromNum = eager({ name: 'DateFromNum', params: ['value'], min: 1, max: 1 }, ([v], site) => {
  const s = one(v ?? null, site, 'value');
  if (s === null || s === '') return null;
  // BigInt, because AD values (around 1.3e17) are past the integers a double holds exactly.
  let ticks: bigint;
  if (typeof s === 'number' && Number.isInteger(s)) ticks = BigInt(s);
  else if (typeof s === 'string' && /^\s*-?\d+\s*$/.test(s)) ticks = BigInt(s.trim());
  else
    return runtimeError(
      site,
      `value must be a whole number of 100-nanosecond ticks, not ${describeValue(s)}`,
    );
  const offset = ticks - FILETIME_UNIX_EPOCH;
  const floor = offset / TICKS_PER_MS - (offset % TICKS_PER_MS < 0n ? 1n : 0n);
  const ms = Number(floor);
  if (ticks < 0n || !inRange(ms)) {
    return runtimeError(
      site,
      `${ticks} is outside the representable dates (AD uses 0 and 9223372036854775807 for "never")`,
    );
  }
  return new DateTime(ms, 'utc');
});

const numFromDate = eager({ name: 'NumFromDate', params: ['value'], min: 1, max: 1 }, ([v], site) => {
  const d = dateArg(v ?? null, site, 'value');
  if (d === null) return null;
  const ticks = BigInt(d.ms) * TICKS_PER_MS + FILETIME_UNIX_EPOCH;
  if (ticks < 0n) runtimeError(site, 'dates before 1601-01-01 have no Active Directory representation');
  return Number(ticks);
});

export const dateFunctions: readonly FunctionSpec[] = [
  cdate,
  dateAdd,
  dateDiff,
  dateFromNum,
  formatDateTime,
  now,
  numFromDate,
];
