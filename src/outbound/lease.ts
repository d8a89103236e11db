import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

/**
 * One exporter per app across every process. A lease row, not an advisory lock: an export holds no
 * transaction (and so no connection) while it waits on the target's HTTP answers. A process that dies
 * keeps the lease until it runs out, then another takes over; the pending rows it had not settled are
 * still there, and matching on the target makes a replayed create find the object instead of doubling it.
 */
export async function takeLease(
  db: Db,
  appId: string,
  owner: string,
  now: Date,
  seconds: number,
): Promise<boolean> {
  const until = new Date(now.getTime() + seconds * 1000);
  const row = await sql<{ id: string }>`
    update outbound_apps set lease_owner = ${owner}, lease_until = ${until}
     where id = ${appId} and (lease_owner is null or lease_owner = ${owner} or lease_until < ${now})
    returning id`.execute(db);
  return row.rows.length > 0;
}

export async function releaseLease(db: Db, appId: string, owner: string): Promise<void> {
  await sql`update outbound_apps set lease_owner = null, lease_until = null
             where id = ${appId} and lease_owner = ${owner}`.execute(db);
}

/** Seconds until the app's current lease runs out (0 when there is none). */
export async function leaseLeft(db: Db, appId: string, now: Date): Promise<number> {
  const row = await db
    .selectFrom('outbound_apps')
    .select('lease_until')
    .where('id', '=', appId)
    .executeTakeFirst();
  if (!row?.lease_until) return 0;
  return Math.max(0, (new Date(row.lease_until).getTime() - now.getTime()) / 1000);
}
