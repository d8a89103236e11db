import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/database.ts';
import { calendarDay, leaveEffectiveAt, zonedInstant } from '../core/index.ts';
import type { Database } from './index.ts';
import { calendarDaySql, leaveEffectiveSql, postgresZones, zonedInstantSql, zoneSql } from './local-day.ts';

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
});

const values = [
  '2026-03-07T00:00:00Z',
  '2026-03-08T20:15:00Z',
  '2026-04-04T00:00:00Z',
  '2026-10-31T23:30:00Z',
];
const zones = ['America/Los_Angeles', 'Pacific/Auckland', 'Europe/Paris', 'UTC'];

describe('the person’s own day in SQL agrees with core/local-day', () => {
  it('calendar days, wall-clock instants across daylight saving, and leave dates', async () => {
    const known = await postgresZones(database.db);
    for (const value of values)
      for (const zone of zones) {
        const v = sql`${value}::timestamptz`;
        const z = zoneSql(sql`${zone}::text`, known, 'UTC');
        const day = calendarDaySql(v, z);
        const { rows } = await sql<{ day: string; at: Date; leave: Date }>`
          select to_char(${day}, 'YYYY-MM-DD') as day,
                 ${zonedInstantSql(day, -7, '09:00', z)} as at,
                 ${leaveEffectiveSql(v, z)} as leave`.execute(database.db);
        const row = rows[0];
        const jsDay = calendarDay(new Date(value), zone);
        const [y, m, d] = jsDay.split('-').map(Number) as [number, number, number];
        const minus7 = new Date(Date.UTC(y, m - 1, d - 7)).toISOString().slice(0, 10);
        expect({ value, zone, day: row?.day }).toEqual({ value, zone, day: jsDay });
        expect({ value, zone, at: new Date(row?.at ?? 0).toISOString() }).toEqual({
          value,
          zone,
          at: zonedInstant(minus7, '09:00', zone).toISOString(),
        });
        expect({ value, zone, leave: new Date(row?.leave ?? 0).toISOString() }).toEqual({
          value,
          zone,
          leave: leaveEffectiveAt(new Date(value), zone).toISOString(),
        });
      }
  });

  it('uses the fallback zone for one PostgreSQL does not know', async () => {
    const known = await postgresZones(database.db);
    const { rows } = await sql<{
      zone: string;
    }>`select ${zoneSql(sql`'Mars/Olympus'::text`, known, 'Europe/Paris')} as zone`.execute(database.db);
    expect(rows[0]?.zone).toBe('Europe/Paris');
  });
});
