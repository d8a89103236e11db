import { sql } from 'kysely';
import { systemContext } from '../core/index.ts';
import { leaveEffectiveSql, postgresZones, zoneSql } from '../db/index.ts';
import { emitEvents } from '../events/index.ts';
import type { InboundDeps } from './types.ts';

export const LEAVERS_QUEUE = 'inbound.leave-dates';

/**
 * A leave date HR sent in advance takes effect when it passes, without waiting for HR to send the
 * person again (a date-only one at the end of that day in the person's zone): enabled users whose employeeLeaveDateTime has passed (and who were not re-hired
 * after it) are disabled, never deleted, with a lifecycle.leaver event. Runs every minute; each pass
 * is one transaction, so a crash repeats the pass, and a user already disabled is not touched again.
 */
export async function disableDueLeavers(deps: InboundDeps, limit = 1000): Promise<number> {
  const now = deps.clock.now();
  const ctx = systemContext(`leave-dates-${now.toISOString()}`);
  const zones = await postgresZones(deps.db);
  const effective = leaveEffectiveSql(
    sql.ref('employee_leave_date_time'),
    zoneSql(sql.ref('timezone'), zones, deps.defaultTimezone),
  );
  return deps.db.transaction().execute(async (tx) => {
    // The plain bound keeps the index range: a date-only value takes effect at or after itself, never before.
    const { rows } = await sql<{ id: string }>`
      select id from users
       where account_enabled and deleted_at is null
         and employee_leave_date_time is not null and employee_leave_date_time <= ${now}
         and ${effective} <= ${now}
         and (employee_hire_date is null or employee_hire_date <= employee_leave_date_time)
       order by id
       limit ${limit}`.execute(tx);
    if (rows.length === 0) return 0;
    const users = await deps.directory.sync.lockUsersById(
      tx,
      rows.map((r) => r.id),
    );
    const outcomes = await deps.directory.sync.syncUsers(
      tx,
      ctx,
      [...users.values()]
        .filter((u) => u.accountEnabled && !u.deletedAt)
        .map((before) => ({ before, input: { accountEnabled: false } })),
    );
    const disabled = outcomes.flatMap((o) => (o.kind === 'updated' ? [o.user] : []));
    await emitEvents(
      tx,
      deps.clock,
      ctx,
      disabled.map((u) => ({
        type: 'lifecycle.leaver' as const,
        aggregateType: 'user' as const,
        aggregateId: u.id,
        payload: {
          reason: 'leaveDateReached',
          userName: u.userName,
          employeeLeaveDateTime: u.employeeLeaveDateTime,
        },
      })),
    );
    return disabled.length;
  });
}
