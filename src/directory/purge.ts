import { recordAudit } from '../audit/index.ts';
import { DAY_MS, type RequestContext } from '../core/index.ts';
import { emitEvents } from '../events/index.ts';
import type { DirectoryDeps } from './users.ts';

const BATCH = 500;

/**
 * Hard-deletes users and groups soft-deleted longer ago than the retention period. Memberships and
 * ownerships go with them (foreign keys cascade); managers' reports lose their manager. Runs in batches
 * so a large backlog does not hold one huge transaction; safe to run again after a crash.
 */
export async function purgeDeleted(deps: DirectoryDeps, ctx: RequestContext): Promise<{ users: number; groups: number }> {
  const cutoff = new Date(deps.clock.now().getTime() - deps.retentionDays * DAY_MS);
  let users = 0;
  let groups = 0;
  for (const table of ['users', 'groups'] as const) {
    for (;;) {
      const purged = await deps.db.transaction().execute(async (tx) => {
        const rows = await tx
          .selectFrom(table)
          .select(['id', 'deleted_at'])
          .where('deleted_at', '<', cutoff)
          .orderBy('id')
          .limit(BATCH)
          .forUpdate()
          .skipLocked()
          .execute();
        if (rows.length === 0) return 0;
        const ids = rows.map((r) => r.id);
        await tx.deleteFrom(table).where('id', '=', (eb) => eb.fn.any(eb.val(ids))).execute();
        const kind = table === 'users' ? 'user' : 'group';
        await recordAudit(
          tx,
          deps.clock,
          ctx,
          rows.map((r) => ({
            action: `${kind}.purge`,
            targetType: kind,
            targetId: r.id,
            details: { deletedAt: r.deleted_at ? new Date(r.deleted_at).toISOString() : null, retentionDays: deps.retentionDays },
          })),
        );
        await emitEvents(
          tx,
          deps.clock,
          ctx,
          rows.map((r) => ({ type: `${kind}.purged` as const, aggregateType: kind, aggregateId: r.id })),
        );
        return rows.length;
      });
      if (table === 'users') users += purged;
      else groups += purged;
      if (purged < BATCH) break;
    }
  }
  return { users, groups };
}
