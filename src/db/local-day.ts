import { type RawBuilder, sql } from 'kysely';
import type { Db } from './connect.ts';
import type { Tx } from './transaction.ts';

type Sql = RawBuilder<unknown>;

/**
 * The rules of `core/local-day.ts` in SQL, so a pass over a million people runs in the database:
 * a date-only value (midnight UTC) names its UTC calendar day, an instant its day in the person's zone.
 */

let knownZones: Promise<string[]> | undefined;

/** The IANA zones PostgreSQL knows, read once per process (the list only changes with a server upgrade). */
export function postgresZones(db: Db | Tx): Promise<string[]> {
  knownZones ??= sql<{ name: string }>`select name from pg_timezone_names`
    .execute(db)
    .then((r) => r.rows.map((row) => row.name))
    .catch((error: unknown) => {
      knownZones = undefined;
      throw error;
    });
  return knownZones;
}

/** The person's zone: `column` when PostgreSQL knows it, else the fallback (an unknown zone must not fail a whole pass). */
export function zoneSql(column: Sql, zones: readonly string[], fallback: string): Sql {
  return sql`(case when ${column} = any(${[...zones]}::text[]) then ${column} else ${fallback}::text end)`;
}

export function isDateOnlySql(value: Sql): Sql {
  return sql`((${value} at time zone 'UTC')::time = time '00:00')`;
}

/** The calendar day (`date`) a hire or leave value names for a person in `zone`. */
export function calendarDaySql(value: Sql, zone: Sql): Sql {
  return sql`(case when ${isDateOnlySql(value)} then (${value} at time zone 'UTC')::date else (${value} at time zone ${zone})::date end)`;
}

/** The instant `timeOfDay` (`HH:MM`, `24:00` = end of day) is reached on `day + offsetDays` in `zone`. */
export function zonedInstantSql(day: Sql, offsetDays: number, timeOfDay: string, zone: Sql): Sql {
  return sql`(((${day} + ${offsetDays}::integer)::timestamp + ${timeOfDay}::interval) at time zone ${zone})`;
}

/** When a leave value takes effect: a date-only one at the end of that day in the person's zone. */
export function leaveEffectiveSql(value: Sql, zone: Sql): Sql {
  return sql`(case when ${isDateOnlySql(value)} then ((((${value} at time zone 'UTC')::date + 1)::timestamp) at time zone ${zone}) else ${value} end)`;
}
