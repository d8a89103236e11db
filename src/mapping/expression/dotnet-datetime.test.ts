import { describe, expect, it } from 'vitest';
import { parseLooseDate } from './date-parse.ts';
import { type CompiledFormat, compileFormat, formatDate } from './dotnet-format.ts';
import { defaultStyles, parseExact, parseStyles } from './dotnet-parse.ts';
import { resolveZone, wallToUtc } from './timezones.ts';

const fmt = (f: string): CompiledFormat => {
  const c = compileFormat(f);
  if (typeof c === 'string') throw new Error(c);
  return c;
};
const at = Date.parse('2009-06-15T13:45:30.6175425Z'); // milliseconds: .617
const show = (f: string, kind: 'utc' | 'local' | 'unspecified' = 'unspecified', offsetMinutes?: number) =>
  formatDate(at, fmt(f), { kind, offsetMinutes });
const now = Date.parse('2021-07-02T15:33:38Z');
const parse = (input: string, f: string, styles = defaultStyles) =>
  parseExact(input, fmt(f), { styles, nowMs: now });

describe('.NET custom format specifiers (en-US)', () => {
  it('prints each field', () => {
    expect(show('d dd ddd dddd')).toBe('15 15 Mon Monday');
    expect(show('M MM MMM MMMM')).toBe('6 06 Jun June');
    expect(show('y yy yyy yyyy yyyyy')).toBe('9 09 2009 2009 02009');
    expect(show('h hh H HH m mm s ss')).toBe('1 01 13 13 45 45 30 30');
    expect(show('f ff fff ffff fffffff')).toBe('6 61 617 6170 6170000');
    expect(show('F FF FFF FFFF')).toBe('6 61 617 617');
    expect(show('t tt g')).toBe('P PM A.D.');
  });
  it('drops a decimal point before an empty F', () => {
    expect(formatDate(Date.parse('2009-06-15T13:45:30Z'), fmt('HH:mm:ss.FFF'), { kind: 'utc' })).toBe(
      '13:45:30',
    );
  });
  it('prints zones and kinds', () => {
    expect(show('z zz zzz')).toBe('+0 +00 +00:00');
    expect(show('z zz zzz', 'utc', -480)).toBe('-8 -08 -08:00');
    expect(show('HH:mm zzz', 'utc', 330)).toBe('19:15 +05:30');
    expect(show('%K', 'utc')).toBe('Z');
    expect(show('%K', 'local')).toBe('+00:00');
    expect(show('%K', 'unspecified')).toBe('');
    expect(show('%K', 'utc', 60)).toBe('+01:00');
    expect(compileFormat('K')).toBe('"K" is not a standard format; write "%K" for the custom specifier');
  });
  it('handles literals, escapes and %', () => {
    expect(show("yyyy'-'MM'-'dd'T'HH")).toBe('2009-06-15T13');
    expect(show('"Year" yyyy')).toBe('Year 2009');
    expect(show('\\y\\e\\a\\r yyyy')).toBe('year 2009');
    expect(show('%d')).toBe('15');
    expect(show('yyyy/MM/dd HH:mm')).toBe('2009/06/15 13:45');
  });
  it('knows the standard formats', () => {
    expect(show('d')).toBe('6/15/2009');
    expect(show('D')).toBe('Monday, June 15, 2009');
    expect(show('f')).toBe('Monday, June 15, 2009 1:45 PM');
    expect(show('F')).toBe('Monday, June 15, 2009 1:45:30 PM');
    expect(show('g')).toBe('6/15/2009 1:45 PM');
    expect(show('G')).toBe('6/15/2009 1:45:30 PM');
    expect(show('m')).toBe('June 15');
    expect(show('o', 'utc')).toBe('2009-06-15T13:45:30.6170000Z');
    expect(show('r', 'utc', 120)).toBe('Mon, 15 Jun 2009 13:45:30 GMT');
    expect(show('s')).toBe('2009-06-15T13:45:30');
    expect(show('t')).toBe('1:45 PM');
    expect(show('T')).toBe('1:45:30 PM');
    expect(show('u', 'utc', 120)).toBe('2009-06-15 13:45:30Z');
    expect(show('y')).toBe('June 2009');
  });
  it('rejects malformed formats', () => {
    expect(compileFormat('')).toBe('the format string is empty');
    expect(compileFormat('Q')).toBe('"Q" is not a standard format; write "%Q" for the custom specifier');
    expect(compileFormat('ffffffff')).toBe('"ffffffff": at most 7 f specifiers');
    expect(compileFormat("yyyy 'open")).toBe('unterminated quoted text in the format string "yyyy \'open"');
    expect(compileFormat('yyyy\\')).toBe('the format string "yyyy\\" ends with a lone backslash');
  });
});

describe('.NET ParseExact', () => {
  it('reads fields, names and 12-hour clocks', () => {
    expect(parse('2015-01-23 10:53:47', 'yyyy-MM-dd HH:mm:ss')).toEqual({
      ms: Date.parse('2015-01-23T10:53:47Z'),
      kind: 'unspecified',
    });
    expect(parse('Friday, 23 January 2015 12:05 AM', 'dddd, d MMMM yyyy hh:mm tt')).toEqual({
      ms: Date.parse('2015-01-23T00:05:00Z'),
      kind: 'unspecified',
    });
    expect(parse('1/2/2015 12:00:00 PM', 'M/d/yyyy h:mm:ss tt')).toEqual({
      ms: Date.parse('2015-01-02T12:00:00Z'),
      kind: 'unspecified',
    });
  });
  it('applies the 2049 two-digit-year window', () => {
    expect(parse('49-01-01', 'yy-MM-dd')).toMatchObject({ ms: Date.parse('2049-01-01T00:00:00Z') });
    expect(parse('50-01-01', 'yy-MM-dd')).toMatchObject({ ms: Date.parse('1950-01-01T00:00:00Z') });
  });
  it('reads zones: offsets convert to UTC, Z marks UTC', () => {
    expect(parse('2020-12-31-08:00', 'yyyy-MM-ddzzz')).toEqual({
      ms: Date.parse('2020-12-31T08:00:00Z'),
      kind: 'local',
    });
    expect(parse('20150123105347.1Z', 'yyyyMMddHHmmss.fZ')).toEqual({
      ms: Date.parse('2015-01-23T10:53:47.1Z'),
      kind: 'utc',
    });
    expect(parse('2015-01-23T10:53:47Z', 'yyyy-MM-ddTHH:mm:ssK')).toMatchObject({ kind: 'utc' });
    expect(parse('2015-01-23T10:53:47', 'yyyy-MM-ddTHH:mm:ssK')).toMatchObject({ kind: 'unspecified' });
    expect(parse('Mon, 15 Jun 2009 13:45:30 GMT', 'r')).toEqual({
      ms: Date.parse('2009-06-15T13:45:30Z'),
      kind: 'utc',
    });
    expect(parse('2009-06-15T13:45:30.6170000Z', 'o')).toEqual({
      ms: Date.parse('2009-06-15T13:45:30.617Z'),
      kind: 'utc',
    });
  });
  it('fills a missing date with today and a missing day with the 1st, as .NET does', () => {
    expect(parse('10:30', 'HH:mm')).toMatchObject({ ms: Date.parse('2021-07-02T10:30:00Z') });
    expect(parse('2015-03', 'yyyy-MM')).toMatchObject({ ms: Date.parse('2015-03-01T00:00:00Z') });
    expect(parse('10:30', 'HH:mm', { ...defaultStyles, noCurrentDateDefault: true })).toMatchObject({
      ms: Date.parse('0001-01-01T10:30:00Z'),
    });
  });
  it('lets .FFF vanish when there is no fraction', () => {
    expect(parse('10:30:05', 'HH:mm:ss.FFF')).toMatchObject({ ms: Date.parse('2021-07-02T10:30:05Z') });
    expect(parse('10:30:05.25', 'HH:mm:ss.FFF')).toMatchObject({
      ms: Date.parse('2021-07-02T10:30:05.250Z'),
    });
  });
  it('rejects mismatches, impossible dates and a wrong day of the week', () => {
    expect(parse('2015-1-23', 'yyyy-MM-dd')).toBe('"2015-1-23" does not match the format at position 6');
    expect(parse('2015-02-29', 'yyyy-MM-dd')).toBe('"2015-02-29" is not a valid date');
    expect(parse('25:00', 'HH:mm')).toBe('"25:00" is not a valid time');
    expect(parse('13:00 PM', 'hh:mm tt')).toBe('hour 13 is not valid with AM/PM in "13:00 PM"');
    expect(parse('Tuesday 2015-01-23', 'dddd yyyy-MM-dd')).toBe(
      'the day of the week in "Tuesday 2015-01-23" does not match its date',
    );
    expect(parse('2015-01-23x', 'yyyy-MM-dd')).toBe('"2015-01-23x" has unexpected text at position 11');
  });
  it('reads DateTimeStyles names', () => {
    expect(parseStyles('DateTimeStyles.AllowWhiteSpaces | AssumeUniversal')).toEqual({
      leadingWhite: true,
      trailingWhite: true,
      innerWhite: true,
      noCurrentDateDefault: false,
      universal: true,
    });
    expect(parseStyles('AllowLeadingWhite,NoCurrentDateDefault')).toMatchObject({
      leadingWhite: true,
      trailingWhite: false,
      noCurrentDateDefault: true,
    });
    expect(parseStyles('Sideways')).toBe('"sideways" is not a DateTimeStyles value');
  });
});

describe('lenient date reading (CDate)', () => {
  it('reads the shapes HR systems send', () => {
    expect(parseLooseDate('2020-03-16-07:00')).toEqual({
      ms: Date.parse('2020-03-16T07:00:00Z'),
      kind: 'utc',
    });
    expect(parseLooseDate('2020-03-16')).toEqual({
      ms: Date.parse('2020-03-16T00:00:00Z'),
      kind: 'unspecified',
    });
    expect(parseLooseDate('3/16/20 7:00 pm')).toEqual({
      ms: Date.parse('2020-03-16T19:00:00Z'),
      kind: 'unspecified',
    });
    expect(parseLooseDate('16-Mar-2020')).toEqual({
      ms: Date.parse('2020-03-16T00:00:00Z'),
      kind: 'unspecified',
    });
    expect(parseLooseDate('March 16, 2020 13:00:00 +0100')).toEqual({
      ms: Date.parse('2020-03-16T12:00:00Z'),
      kind: 'utc',
    });
  });
  it('refuses what is not a date', () => {
    expect(parseLooseDate('2020-13-01')).toBeUndefined();
    expect(parseLooseDate('13:00 PM 1/1/2020')).toBeUndefined();
    expect(parseLooseDate('Smarch 1, 2020')).toBeUndefined();
    expect(parseLooseDate('')).toBeUndefined();
  });
});

describe('time zones', () => {
  it('follow daylight saving time from the tz database', () => {
    const paris = resolveZone('Europe/Paris');
    expect(paris?.offsetAt(Date.parse('2021-07-01T00:00:00Z'))).toBe(120);
    expect(paris?.offsetAt(Date.parse('2021-01-01T00:00:00Z'))).toBe(60);
    expect(resolveZone('India Standard Time')?.offsetAt(0)).toBe(330);
    expect(resolveZone('Eastern Standard Time')?.name).toBe('America/New_York');
  });
  it('accept UTC and fixed offsets and reject unknown names', () => {
    expect(resolveZone('UTC')?.offsetAt(0)).toBe(0);
    expect(resolveZone('UTC-08:00')?.offsetAt(0)).toBe(-480);
    expect(resolveZone('+0530')?.offsetAt(0)).toBe(330);
    expect(resolveZone('+15:00')).toBeUndefined();
    expect(resolveZone('Mars/Olympus')).toBeUndefined();
  });
  it('map a wall-clock time to UTC, moving times in a spring-forward gap ahead', () => {
    const ny = resolveZone('America/New_York');
    if (ny === undefined) throw new Error('no America/New_York');
    expect(wallToUtc(Date.parse('2021-07-01T09:00:00Z'), ny)).toBe(Date.parse('2021-07-01T13:00:00Z'));
    expect(wallToUtc(Date.parse('2021-03-14T02:30:00Z'), ny)).toBe(Date.parse('2021-03-14T07:30:00Z'));
    // 01:30 happens twice on 2021-11-07; the first is EDT.
    expect(wallToUtc(Date.parse('2021-11-07T01:30:00Z'), ny)).toBe(Date.parse('2021-11-07T05:30:00Z'));
  });
});
