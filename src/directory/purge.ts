import { recordAudit } from '../audit/index.ts';
import type { RequestContext } from '../core/index.ts';
import type { Tx } from '../db/index.ts';
import { emitEvents } from '../events/index.ts';
import { type DirectoryDeps, retentionMs } from './deps.ts';

const BATCH = 500;

/**
 * Reports of purged managers lose their manager. The foreign key would null it silently; done here it
 * is a change like any other: version bump, audit row with before/after and a user.updated event.
 */
async function clearPurgedManagers(
  deps: DirectoryDeps,
  ctx: RequestContext,
  tx: Tx,
  purgedIds: string[],
): Promise<void> {
  const reports = await tx
    .selectFrom('users')
    .select(['id', 'manager_id'])
    .where('manager_id', '=', (eb) => eb.fn.any(eb.val(purgedIds)))
    .where((eb) => eb.not(eb('id', '=', eb.fn.any(eb.val(purgedIds)))))
    .orderBy('id')
    .forNoKeyUpdate()
    .execute();
  if (reports.length === 0) return;
  const now = deps.clock.now();
  await tx
    .updateTable('users')
    .set((eb) => ({ manager_id: null, updated_at: now, version: eb('version', '+', 1) }))
    .where('id', '=', (eb) => eb.fn.any(eb.val(reports.map((r) => r.id))))
    .execute();
  await recordAudit(
    tx,
    deps.clock,
    ctx,
    reports.map((r) => ({
      action: 'user.update',
      targetType: 'user',
      targetId: r.id,
      changes: [{ attribute: 'managerId', before: r.manager_id, after: null }],
      details: { reason: 'manager purged' },
    })),
  );
  await emitEvents(
    tx,
    deps.clock,
    ctx,
    reports.map((r) => ({
      type: 'user.updated' as const,
      aggregateType: 'user' as const,
      aggregateId: r.id,
      payload: { changed: ['managerId'] },
    })),
  );
}

/**
 * Hard-deletes users and groups soft-deleted longer ago than the retention period. Memberships and
 * ownerships go with them (foreign keys cascade); managers' reports lose their manager. Runs in batches
 * so a large backlog does not hold one huge transaction; safe to run again after a crash.
 */
export async function purgeDeleted(
  deps: DirectoryDeps,
  ctx: RequestContext,
): Promise<{ users: number; groups: number }> {
  const cutoff = new Date(deps.clock.now().getTime() - retentionMs(deps));
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
        if (table === 'users') await clearPurgedManagers(deps, ctx, tx, ids);
        await tx
          .deleteFrom(table)
          .where('id', '=', (eb) => eb.fn.any(eb.val(ids)))
          .execute();
        const kind = table === 'users' ? 'user' : 'group';
        await recordAudit(
          tx,
          deps.clock,
          ctx,
          rows.map((r) => ({
            action: `${kind}.purge`,
            targetType: kind,
            targetId: r.id,
            details: {
              deletedAt: r.deleted_at ? new Date(r.deleted_at).toISOString() : null,
              retentionDays: deps.retentionDays,
            },
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
