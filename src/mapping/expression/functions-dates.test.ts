import { describe, expect, it } from 'vitest';
import { runtimeError, value } from './test-support.ts';

/** Active Directory's FILETIME for a UTC instant, computed independently of the code under test. */
const filetime = (iso: string) => Number(BigInt(Date.parse(iso)) * 10_000n + 116_444_736_000_000_000n);

describe('CDate', () => {
  it("Microsoft's examples: the UTC equivalent, as M/d/yyyy h:mm:ss tt", () => {
    expect(value('CDate([StatusHireDate])', { StatusHireDate: '2020-03-16-07:00' })).toBe(
      '3/16/2020 7:00:00 AM',
    );
    expect(value('CDate("2021-06-30+08:00")')).toBe('6/29/2021 4:00:00 PM');
    expect(value('CDate("2009-06-15T01:45:30-07:00")')).toBe('6/15/2009 8:45:30 AM');
  });
  it('reads ISO, US and month-name dates', () => {
    expect(value('CDate("2021-08-24")')).toBe('8/24/2021 12:00:00 AM');
    expect(value('CDate("2021-08-24T13:05:09.5Z")')).toBe('8/24/2021 1:05:09 PM');
    expect(value('CDate("2021/08/24 13:05")')).toBe('8/24/2021 1:05:00 PM');
    expect(value('CDate("8/25/2021 5:41:18 PM")')).toBe('8/25/2021 5:41:18 PM');
    expect(value('CDate("12/31/2020 12:00:00 AM")')).toBe('12/31/2020 12:00:00 AM');
    expect(value('CDate("15 June 2009")')).toBe('6/15/2009 12:00:00 AM');
    expect(value('CDate("June 15, 2009 1:45 PM")')).toBe('6/15/2009 1:45:00 PM');
    expect(value('CDate("Mon, 15 Jun 2009 01:45:30 GMT")')).toBe('6/15/2009 1:45:30 AM');
  });
  it('has no value for no value and fails for text that is not a date', () => {
    expect(value('CDate([missing])')).toBeNull();
    expect(value('CDate("")')).toBeNull();
    expect(runtimeError('CDate("next Tuesday")')).toEqual({
      code: 'mapping.runtime',
      message: 'CDate: expression "next Tuesday" is not a date',
      line: 1,
      column: 1,
    });
    expect(runtimeError('CDate("2021-02-30")').message).toBe('CDate: expression "2021-02-30" is not a date');
    expect(runtimeError('CDate(5)').message).toBe('CDate: expression must be a date, not 5');
  });
});

describe('DateAdd', () => {
  const hire = { StatusHireDate: '2012-03-16-07:00' };
  it("Microsoft's table", () => {
    expect(value('DateAdd("d", 7, CDate([StatusHireDate]))', hire)).toBe('3/23/2012 7:00:00 AM');
    expect(value('DateAdd("d", -10, CDate([StatusHireDate]))', hire)).toBe('3/6/2012 7:00:00 AM');
    expect(value('DateAdd("ww", 2, CDate([StatusHireDate]))', hire)).toBe('3/30/2012 7:00:00 AM');
    expect(value('DateAdd("m", 10, CDate([StatusHireDate]))', hire)).toBe('1/16/2013 7:00:00 AM');
    expect(value('DateAdd("yyyy", 2, CDate([StatusHireDate]))', hire)).toBe('3/16/2014 7:00:00 AM');
  });
  it("supports Visual Basic's other intervals", () => {
    const d = 'CDate("2024-01-31T10:00:00Z")';
    expect(value(`DateAdd("q", 1, ${d})`)).toBe('4/30/2024 10:00:00 AM');
    expect(value(`DateAdd("m", 1, ${d})`)).toBe('2/29/2024 10:00:00 AM');
    expect(value(`DateAdd("y", 1, ${d})`)).toBe('2/1/2024 10:00:00 AM');
    expect(value(`DateAdd("w", 1, ${d})`)).toBe('2/1/2024 10:00:00 AM');
    expect(value(`DateAdd("h", 15, ${d})`)).toBe('2/1/2024 1:00:00 AM');
    expect(value(`DateAdd("n", -61, ${d})`)).toBe('1/31/2024 8:59:00 AM');
    expect(value(`DateAdd("s", 3600, ${d})`)).toBe('1/31/2024 11:00:00 AM');
    expect(value('DateAdd("yyyy", 1, CDate("2024-02-29"))')).toBe('2/28/2025 12:00:00 AM');
    expect(value(`DateAdd("D", "2", ${d})`)).toBe('2/2/2024 10:00:00 AM');
  });
  it('has no value without a date and fails for bad intervals, counts and ranges', () => {
    expect(value('DateAdd("d", 1, CDate([missing]))')).toBeNull();
    expect(runtimeError('DateAdd([i], 1, Now())', { i: 'fortnight' }).message).toBe(
      'DateAdd: interval must be one of yyyy, q, m, y, d, w, ww, h, n, s',
    );
    expect(runtimeError('DateAdd("d", 1.5, Now())').message).toBe(
      'DateAdd: value must be a whole number, not 1.5',
    );
    expect(runtimeError('DateAdd("yyyy", 9000, Now())').message).toBe(
      'DateAdd: the result is outside the dates 0001-01-01 to 9999-12-31',
    );
  });
});

describe('DateDiff', () => {
  it("Microsoft's table", () => {
    const past = '"8/25/2021 5:41:18 PM"';
    const hire = 'CDate("2012-03-16-07:00")';
    expect(value('DateDiff("d", CDate("2021-08-18+08:00"), CDate("2021-08-31+08:00"))')).toBe(13);
    expect(value(`DateDiff("d", ${past}, ${hire})`)).toBe(-3449);
    expect(value(`DateDiff("ww", ${past}, ${hire})`)).toBe(-493);
    expect(value(`DateDiff("m", ${past}, ${hire})`)).toBe(-113);
    expect(value(`DateDiff("yyyy", ${past}, ${hire})`)).toBe(-9);
    expect(value('DateDiff("d", "2021-08-31+08:00", "2021-08-31+08:00")')).toBe(0);
    expect(value('DateDiff("h", "2021-08-24", "2021-08-25")')).toBe(24);
    expect(value('DateDiff("n", "2021-08-24", "2021-08-25")')).toBe(1440);
    expect(value('DateDiff("s", "2021-08-24", "2021-08-25")')).toBe(86400);
  });
  it('truncates elapsed units toward zero and counts calendar boundaries for ww, m, q and yyyy', () => {
    expect(value('DateDiff("d", "2021-01-01T23:00:00Z", "2021-01-02T01:00:00Z")')).toBe(0);
    expect(value('DateDiff("yyyy", "2021-12-31", "2022-01-01")')).toBe(1);
    expect(value('DateDiff("q", "2021-03-31", "2021-04-01")')).toBe(1);
    expect(value('DateDiff("w", "2021-08-01", "2021-08-14")')).toBe(1);
    expect(value('DateDiff("ww", "2021-08-07", "2021-08-08")')).toBe(1);
    expect(value('DateDiff("d", Now(), CDate("2021-07-20"))')).toBe(17);
  });
  it("Microsoft's IIF example decides on the difference", () => {
    const expression =
      'Switch([Active], , "1", IIF(DateDiff("d", Now(), CDate([StatusHireDate])) > 5, "False", "True"), "0", "False")';
    expect(value(expression, { Active: '1', StatusHireDate: '2021-07-20' })).toBe('False');
    expect(value(expression, { Active: '1', StatusHireDate: '2021-07-05' })).toBe('True');
    expect(value(expression, { Active: '0', StatusHireDate: '2021-07-05' })).toBe('False');
    expect(runtimeError(expression, { Active: '1' }).message).toBe(
      'the > comparison: cannot order the left operand: it has no value',
    );
  });
  it('has no value when either date has none', () => {
    expect(value('DateDiff("d", [missing], Now())')).toBeNull();
  });
});

describe('DateFromNum and NumFromDate', () => {
  it("Microsoft's DateFromNum example: January 1, 2012 at 11:00 PM", () => {
    expect(value('DateFromNum(129699324000000000)')).toBe('1/1/2012 11:00:00 PM');
    expect(value('DateFromNum([lastLogonTimestamp])', { lastLogonTimestamp: '129699324000000000' })).toBe(
      '1/1/2012 11:00:00 PM',
    );
  });
  it('reads FILETIME exactly, including values past 2^53', () => {
    expect(value('DateFromNum("133835135990000001")')).toBe('2/8/2025 6:39:59 PM');
    expect(value('DateFromNum(0)')).toBe('1/1/1601 12:00:00 AM');
    expect(value('DateFromNum([missing])')).toBeNull();
  });
  it("rejects AD's 'never' and anything that is not a tick count", () => {
    expect(runtimeError('DateFromNum("9223372036854775807")').message).toBe(
      'DateFromNum: 9223372036854775807 is outside the representable dates (AD uses 0 and 9223372036854775807 for "never")',
    );
    expect(runtimeError('DateFromNum("soon")').message).toBe(
      'DateFromNum: value must be a whole number of 100-nanosecond ticks, not "soon"',
    );
  });
  it("Microsoft's Workday accountExpires example", () => {
    expect(
      value(
        'NumFromDate(Join("", FormatDateTime([ContractEndDate], ,"yyyy-MM-ddzzz", "yyyy-MM-dd"), " 23:59:59-08:00"))',
        { ContractEndDate: '2020-12-31-08:00' },
      ),
    ).toBe(filetime('2021-01-01T07:59:59Z'));
  });
  it("Microsoft's SuccessFactors accountExpires example", () => {
    expect(
      value(
        'NumFromDate(Join("",FormatDateTime([endDate], ,"M/d/yyyy hh:mm:ss tt","yyyy-MM-dd")," 23:59:59-08:00"))',
        {
          endDate: '12/31/2020 12:00:00 AM',
        },
      ),
    ).toBe(filetime('2021-01-01T07:59:59Z'));
  });
  it('round-trips with DateFromNum and accepts DateTime values', () => {
    expect(value('NumFromDate("2012-01-01T23:00:00Z")')).toBe(129699324000000000);
    expect(value('DateFromNum(NumFromDate(CDate("2030-01-15T04:59:59Z")))')).toBe('1/15/2030 4:59:59 AM');
    expect(value('NumFromDate(Now())')).toBe(filetime('2021-07-02T15:33:38Z'));
    expect(value('NumFromDate([missing])')).toBeNull();
    expect(runtimeError('NumFromDate("someday")').message).toBe('NumFromDate: value "someday" is not a date');
  });
});

describe('FormatDateTime', () => {
  it("Microsoft's example: yyyyMMddHHmmss.fZ to yyyy-MM-dd", () => {
    expect(
      value('FormatDateTime([extensionAttribute1], , "yyyyMMddHHmmss.fZ", "yyyy-MM-dd")', {
        extensionAttribute1: '20150123105347.1Z',
      }),
    ).toBe('2015-01-23');
  });
  it('formats a DateTime without parsing it (Workday guide: five years after hire)', () => {
    expect(
      value('FormatDateTime(DateAdd("yyyy", 5, CDate([StatusHireDate])), , "yyyy-MM-dd", "yyyy-MM-dd")', {
        StatusHireDate: '2025-01-15',
      }),
    ).toBe('2030-01-15');
    expect(value('FormatDateTime(Now(), , "yyyy", "o")')).toBe('2021-07-02T15:33:38.0000000Z');
  });
  it('converts between .NET formats, keeping the kind for K', () => {
    const f = (input: string, from: string, to: string) =>
      value(`FormatDateTime("${input}", , "${from}", "${to}")`);
    expect(f('20150123105347.1Z', 'yyyyMMddHHmmss.fZ', 'o')).toBe('2015-01-23T10:53:47.1000000Z');
    expect(f('2015-01-23 10:53', 'yyyy-MM-dd HH:mm', 'o')).toBe('2015-01-23T10:53:00.0000000');
    expect(f('2015-01-23T10:53:00+02:00', 'yyyy-MM-ddTHH:mm:sszzz', 'HH:mm K')).toBe('08:53 +00:00');
    expect(f('23.01.15', 'dd.MM.yy', 'dddd, MMMM d, yyyy')).toBe('Friday, January 23, 2015');
    expect(f('Jan 5 1999 3:07 PM', 'MMM d yyyy h:mm tt', 'M/d/yy H:mm')).toBe('1/5/99 15:07');
    expect(f('2015-01-23', 'yyyy-MM-dd', 'd')).toBe('1/23/2015');
  });
  it('accepts the three-argument form and DateTimeStyles', () => {
    expect(value('FormatDateTime(" 2015-01-23 ", "yyyy-MM-dd", "yyyyMMdd")')).toBe('20150123');
    expect(value('FormatDateTime("2015 - 01 - 23", "AllowWhiteSpaces", "yyyy-MM-dd", "yyyyMMdd")')).toBe(
      '20150123',
    );
    expect(runtimeError('FormatDateTime(" 2015-01-23", "None", "yyyy-MM-dd", "yyyyMMdd")').message).toBe(
      'FormatDateTime: " 2015-01-23" does not match the format at position 1',
    );
  });
  it('converts time zones (a Joinery extension)', () => {
    const f = (args: string) => value(`FormatDateTime(${args})`);
    expect(f('"2021-07-01 09:00", , "yyyy-MM-dd HH:mm", "o", "Europe/Paris"')).toBe(
      '2021-07-01T07:00:00.0000000+00:00',
    );
    expect(
      f('"2021-07-01T09:00Z", , "yyyy-MM-ddTHH:mmK", "yyyy-MM-dd HH:mm zzz", , "America/New_York"'),
    ).toBe('2021-07-01 05:00 -04:00');
    expect(f('"2021-01-01T09:00Z", , "yyyy-MM-ddTHH:mmK", "HH:mm zzz", , "Pacific Standard Time"')).toBe(
      '01:00 -08:00',
    );
    expect(f('"2021-01-01 09:00", , "yyyy-MM-dd HH:mm", "HH:mm K", "UTC", "+05:30"')).toBe('14:30 +05:30');
    expect(
      runtimeError('FormatDateTime("2021", , "yyyy", "yyyy", [zone])', { zone: 'Mars/Olympus' }).message,
    ).toBe(
      'FormatDateTime: inputTimeZone: "Mars/Olympus" is not a known time zone (use an IANA name such as Europe/Paris, or UTC)',
    );
  });
  it('has no value for no value and fails when the input does not match', () => {
    expect(value('FormatDateTime([missing], , "yyyy", "yyyy")')).toBeNull();
    expect(runtimeError('FormatDateTime("2015-13-01", , "yyyy-MM-dd", "yyyy")').message).toBe(
      'FormatDateTime: "2015-13-01" is not a valid date',
    );
    expect(runtimeError('FormatDateTime("2015/01/01", , "yyyy-MM-dd", "yyyy")').message).toBe(
      'FormatDateTime: "2015/01/01" does not match the format at position 5',
    );
  });
});

describe('Now', () => {
  it("returns the context clock as Entra shows it (Microsoft's example value)", () => {
    expect(value('Now()')).toBe('7/2/2021 3:33:38 PM');
    expect(value('FormatDateTime(Now(), , "yyyy", "yyyy-MM-ddTHH:mm:ssK")')).toBe('2021-07-02T15:33:38Z');
  });
});
