import { describe, expect, it } from 'vitest';
import { addDays, calendarDay, isKnownZone, leaveEffectiveAt, zonedInstant, zoneOf } from './local-day.ts';

describe('the person’s own day', () => {
  it('reads a date-only value (midnight UTC) as that calendar day in every zone', () => {
    const hire = new Date('2026-03-02T00:00:00Z');
    expect(calendarDay(hire, 'America/Los_Angeles')).toBe('2026-03-02');
    expect(calendarDay(hire, 'Pacific/Auckland')).toBe('2026-03-02');
  });

  it('reads an instant with a time of day in the person’s zone', () => {
    const at = new Date('2026-03-02T20:00:00Z');
    expect(calendarDay(at, 'America/Los_Angeles')).toBe('2026-03-02');
    expect(calendarDay(at, 'Pacific/Auckland')).toBe('2026-03-03');
  });

  it('finds local wall-clock times across daylight-saving changes', () => {
    // Los Angeles springs forward on 2026-03-08 (PST -8 -> PDT -7).
    expect(zonedInstant('2026-03-07', '09:00', 'America/Los_Angeles').toISOString()).toBe(
      '2026-03-07T17:00:00.000Z',
    );
    expect(zonedInstant('2026-03-09', '09:00', 'America/Los_Angeles').toISOString()).toBe(
      '2026-03-09T16:00:00.000Z',
    );
    // Auckland falls back on 2026-04-05 (NZDT +13 -> NZST +12).
    expect(zonedInstant('2026-04-04', '00:00', 'Pacific/Auckland').toISOString()).toBe(
      '2026-04-03T11:00:00.000Z',
    );
    expect(zonedInstant('2026-04-06', '00:00', 'Pacific/Auckland').toISOString()).toBe(
      '2026-04-05T12:00:00.000Z',
    );
    // 02:30 does not exist in Los Angeles on 2026-03-08: it is reached when the clocks jump.
    expect(zonedInstant('2026-03-08', '02:30', 'America/Los_Angeles').getTime()).toBeGreaterThanOrEqual(
      Date.parse('2026-03-08T10:00:00Z'),
    );
  });

  it('takes a date-only leave date at the end of that day in the person’s zone, an instant as is', () => {
    const last = new Date('2026-03-31T00:00:00Z');
    expect(leaveEffectiveAt(last, 'Pacific/Auckland').toISOString()).toBe('2026-03-31T11:00:00.000Z');
    expect(leaveEffectiveAt(last, 'America/Los_Angeles').toISOString()).toBe('2026-04-01T07:00:00.000Z');
    const instant = new Date('2026-03-31T17:30:00Z');
    expect(leaveEffectiveAt(instant, 'Pacific/Auckland')).toEqual(instant);
  });

  it('falls back for unknown zones and adds days across months', () => {
    expect(isKnownZone('Mars/Olympus')).toBe(false);
    expect(zoneOf('Mars/Olympus', 'UTC')).toBe('UTC');
    expect(zoneOf('Europe/Paris', 'UTC')).toBe('Europe/Paris');
    expect(addDays('2026-02-27', 3)).toBe('2026-03-02');
    expect(addDays('2026-01-05', -7)).toBe('2025-12-29');
  });
});
