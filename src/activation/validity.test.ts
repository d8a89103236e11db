import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../core/index.ts';
import { hireDay, startOfLocalDay, validityWindow, zoneOf } from './validity.ts';

const settings = { lifetimeDays: 14, defaultTimezone: 'Europe/Paris' };
const now = new Date('2026-03-02T09:00:00Z');

describe('when a code becomes valid', () => {
  it('starts at midnight of the hire date in the person’s own zone', () => {
    const hire = '2026-03-10T00:00:00.000Z';
    const auckland = validityWindow({ timezone: 'Pacific/Auckland', employeeHireDate: hire }, now, settings);
    const losAngeles = validityWindow(
      { timezone: 'America/Los_Angeles', employeeHireDate: hire },
      now,
      settings,
    );
    // NZDT is UTC+13 and PDT UTC-7 (daylight saving began on 8 March in the US).
    expect(auckland.validFrom.toISOString()).toBe('2026-03-09T11:00:00.000Z');
    expect(losAngeles.validFrom.toISOString()).toBe('2026-03-10T07:00:00.000Z');
  });

  it('reads a date-only hire date (midnight UTC) as that calendar day everywhere', () => {
    expect(hireDay('2026-03-10T00:00:00.000Z', 'America/Los_Angeles')).toBe('2026-03-10');
    expect(hireDay('2026-03-10T00:00:00.000Z', 'Pacific/Auckland')).toBe('2026-03-10');
  });

  it('reads a hire date with a time as its day in the person’s zone', () => {
    expect(hireDay('2026-03-09T20:00:00.000Z', 'Pacific/Auckland')).toBe('2026-03-10');
    expect(hireDay('2026-03-09T20:00:00.000Z', 'America/Los_Angeles')).toBe('2026-03-09');
    const w = validityWindow(
      { timezone: 'America/Los_Angeles', employeeHireDate: '2026-03-09T20:00:00.000Z' },
      now,
      settings,
    );
    expect(w.validFrom.toISOString()).toBe('2026-03-09T07:00:00.000Z');
  });

  it('uses the default zone for a person without one, or with one that is not an IANA zone', () => {
    expect(zoneOf({ timezone: null }, 'Europe/Paris')).toBe('Europe/Paris');
    expect(zoneOf({ timezone: 'Mars/Olympus_Mons' }, 'Europe/Paris')).toBe('Europe/Paris');
    expect(zoneOf({ timezone: 'Mars/Olympus_Mons' }, 'Not/A_Zone')).toBe('UTC');
    const w = validityWindow({ timezone: null, employeeHireDate: '2026-03-10T00:00:00.000Z' }, now, settings);
    expect(w.validFrom.toISOString()).toBe('2026-03-09T23:00:00.000Z');
  });

  it('starts a day whose midnight is skipped by daylight saving at the first minute that exists', () => {
    // Chile moved its clocks from 00:00 to 01:00 on 11 September 2022.
    expect(startOfLocalDay('2022-09-11', 'America/Santiago').toISOString()).toBe('2022-09-11T04:00:00.000Z');
    expect(startOfLocalDay('2022-09-10', 'America/Santiago').toISOString()).toBe('2022-09-10T04:00:00.000Z');
  });

  it('follows the offset change of the day itself (the end of daylight saving in Auckland)', () => {
    expect(startOfLocalDay('2026-04-05', 'Pacific/Auckland').toISOString()).toBe('2026-04-04T11:00:00.000Z');
    expect(startOfLocalDay('2026-04-06', 'Pacific/Auckland').toISOString()).toBe('2026-04-05T12:00:00.000Z');
  });

  it('is valid from issue time without a hire date', () => {
    const w = validityWindow({ timezone: 'Asia/Tokyo', employeeHireDate: null }, now, settings);
    expect(w.validFrom).toEqual(now);
    expect(w.expiresAt.getTime() - now.getTime()).toBe(14 * DAY_MS);
  });
});

describe('when a code expires', () => {
  it('expires the lifetime after the start of the hire date', () => {
    const w = validityWindow(
      { timezone: 'UTC', employeeHireDate: '2026-03-10T00:00:00.000Z' },
      now,
      settings,
    );
    expect(w.expiresAt.toISOString()).toBe('2026-03-24T00:00:00.000Z');
  });

  it('expires the lifetime after issue when the hire date has passed (a reissue gets its full lifetime)', () => {
    const w = validityWindow(
      { timezone: 'UTC', employeeHireDate: '2026-01-05T00:00:00.000Z' },
      now,
      settings,
    );
    expect(w.validFrom.toISOString()).toBe('2026-01-05T00:00:00.000Z');
    expect(w.expiresAt.getTime()).toBe(now.getTime() + 14 * DAY_MS);
  });
});
