import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Tx } from '../db/index.ts';

/**
 * Failed attempts per key in `activation_throttle`: 'user:<id>' for a person, 'client:<address>' for a
 * client, and 'name:<sha256>' for a user name nobody has (so a lockout looks the same whether the
 * name exists or not). Rows live in the database, so every copy of Joinery counts the same failures.
 */
export const personKey = (userId: string) => `user:${userId}`;
export const clientKey = (client: string) => `client:${client}`;
export const unknownNameKey = (userName: string) =>
  `name:${createHash('sha256').update(userName.trim().toLowerCase(), 'utf8').digest('hex')}`;

export interface Lock {
  key: string;
  lockedUntil: Date;
}

/** The longest current lock among `keys`, if any. */
export async function currentLock(db: Db | Tx, keys: readonly string[], now: Date): Promise<Lock | null> {
  const row = await db
    .selectFrom('activation_throttle')
    .select(['key', 'locked_until'])
    .where('key', 'in', [...keys])
    .where('locked_until', '>', now)
    .orderBy('locked_until', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.locked_until ? { key: row.key, lockedUntil: new Date(row.locked_until) } : null;
}

/**
 * Counts one failure against `key` and locks it when the count reaches `max`. Failures older than the
 * lockout window are forgotten: the count restarts when the first failure is that old. Returns the lock
 * this failure started, if it started one.
 */
export async function recordFailure(
  tx: Tx,
  key: string,
  max: number,
  now: Date,
  lockoutMinutes: number,
): Promise<Date | null> {
  const windowStart = new Date(now.getTime() - lockoutMinutes * 60_000);
  const lockUntil = new Date(now.getTime() + lockoutMinutes * 60_000);
  const row = await sql<{ failures: number; locked_until: Date | string | null }>`
    insert into activation_throttle as t (key, failures, first_failure_at, locked_until)
    values (${key}, 1, ${now}, case when 1 >= ${max}::int then ${lockUntil}::timestamptz end)
    on conflict (key) do update set
      failures = case when t.first_failure_at <= ${windowStart} then 1 else t.failures + 1 end,
      first_failure_at = case when t.first_failure_at <= ${windowStart} then ${now} else t.first_failure_at end,
      locked_until = case
        when (case when t.first_failure_at <= ${windowStart} then 1 else t.failures + 1 end) >= ${max}::int
          then ${lockUntil}::timestamptz
        else null end
    returning failures, locked_until`.execute(tx);
  const result = row.rows[0];
  return result?.locked_until ? new Date(result.locked_until) : null;
}

/** Forgets a key's failures (a person who got it right). */
export async function resetFailures(tx: Tx, key: string): Promise<void> {
  await tx.deleteFrom('activation_throttle').where('key', '=', key).execute();
}

/**
 * Drops rows whose failures and lock are both over. Runs on the failure path only, so the table stays
 * small without a schedule, and the cost lands on whoever is failing.
 */
export async function pruneThrottle(tx: Tx, now: Date, lockoutMinutes: number): Promise<void> {
  const windowStart = new Date(now.getTime() - lockoutMinutes * 60_000);
  await tx
    .deleteFrom('activation_throttle')
    .where('first_failure_at', '<=', windowStart)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .execute();
}
