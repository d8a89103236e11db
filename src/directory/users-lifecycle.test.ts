import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failed } from '../../test/results.ts';
import { DAY_MS, type FakeClock, newId, unwrap } from '../core/index.ts';
import type { Database } from '../db/index.ts';
import type { Directory } from './index.ts';
import { auditRows, counts, ctx, eventRows, openUserFixture, type UserFixture } from './test-support.ts';

describe('users', () => {
  let database: Database;
  let clock: FakeClock;
  let dir: Directory;
  let create: UserFixture['create'];

  beforeAll(async () => {
    ({ database, clock, dir, create } = await openUserFixture('2026-03-01T09:00:00Z'));
  });
  afterAll(async () => {
    await database.close();
  });

  describe('delete and restore', () => {
    it('soft-deletes: hidden from get and list, audited with the restore deadline, user.deleted emitted', async () => {
      const user = await create({ department: `dept-${newId()}` });
      const deleted = unwrap(await dir.deleteUser(ctx, user.id));
      expect(deleted.deletedAt).toBe(clock.now().toISOString());
      expect(deleted.version).toBe(2);
      expect(failed(await dir.getUser(user.id)).code).toBe('directory.user_not_found');
      expect(unwrap(await dir.getUser(user.id, { includeDeleted: true })).deletedAt).toBe(deleted.deletedAt);
      expect(unwrap(await dir.listUsers({ department: user.department!, limit: 10 })).items).toEqual([]);
      expect(
        unwrap(await dir.listUsers({ department: user.department!, deleted: true, limit: 10 })).items.map(
          (u) => u.id,
        ),
      ).toEqual([user.id]);
      const restorableUntil = new Date(clock.now().getTime() + 30 * DAY_MS).toISOString();
      const audit = await auditRows(database, user.id);
      expect(audit[1]).toMatchObject({
        action: 'user.delete',
        changes: [{ attribute: 'deletedAt', before: null, after: deleted.deletedAt }],
        details: { userName: user.userName, restorableUntil },
      });
      const events = await eventRows(database, user.id);
      expect(events[1]).toMatchObject({
        type: 'user.deleted',
        payload: { userName: user.userName, restorableUntil },
      });
      expect(failed(await dir.deleteUser(ctx, user.id)).code).toBe('directory.user_not_found');
      expect(failed(await dir.updateUser(ctx, user.id, { title: 'x' })).code).toBe(
        'directory.user_not_found',
      );
    });

    it('restores within the retention period', async () => {
      const user = await create();
      unwrap(await dir.deleteUser(ctx, user.id));
      const deletedAt = clock.now().toISOString();
      clock.advance(29 * DAY_MS);
      const restored = unwrap(await dir.restoreUser(ctx, user.id));
      expect(restored).toMatchObject({ deletedAt: null, version: 3, updatedAt: clock.now().toISOString() });
      expect(unwrap(await dir.getUser(user.id)).id).toBe(user.id);
      const audit = await auditRows(database, user.id);
      expect(audit[2]).toMatchObject({
        action: 'user.restore',
        changes: [{ attribute: 'deletedAt', before: deletedAt, after: null }],
      });
      expect((await eventRows(database, user.id)).map((e) => e.type)).toEqual([
        'user.created',
        'user.deleted',
        'user.restored',
      ]);
      expect(failed(await dir.restoreUser(ctx, user.id)).code).toBe('directory.not_deleted');
    });

    it('refuses to restore once the retention period has passed, writing nothing', async () => {
      const user = await create();
      unwrap(await dir.deleteUser(ctx, user.id));
      clock.advance(30 * DAY_MS + 1);
      const before = await counts(database);
      const result = failed(await dir.restoreUser(ctx, user.id));
      expect(result.code).toBe('directory.restore_window_passed');
      expect(await counts(database)).toEqual(before);
      expect(unwrap(await dir.getUser(user.id, { includeDeleted: true })).deletedAt).not.toBeNull();
    });
  });
});

describe('purge', () => {
  let database: Database;
  let clock: FakeClock;
  let dir: Directory;

  beforeAll(async () => {
    ({ database, clock, dir } = await openUserFixture('2026-05-01T00:00:00Z'));
  });
  afterAll(async () => {
    await database.close();
  });

  it('hard-deletes users past retention with their memberships and ownerships, and audits user.purge', async () => {
    const old = unwrap(await dir.createUser(ctx, { userName: 'old@example.com' }));
    const report = unwrap(await dir.createUser(ctx, { userName: 'report@example.com', managerId: old.id }));
    const recent = unwrap(await dir.createUser(ctx, { userName: 'recent@example.com' }));
    const live = unwrap(await dir.createUser(ctx, { userName: 'live@example.com' }));
    const group = unwrap(await dir.createGroup(ctx, { displayName: 'Team', ownerIds: [old.id, live.id] }));
    unwrap(
      await dir.addMembers(ctx, group.id, [
        { type: 'user', id: old.id },
        { type: 'user', id: recent.id },
        { type: 'user', id: live.id },
      ]),
    );
    unwrap(await dir.deleteUser(ctx, old.id));
    const oldDeletedAt = clock.now().toISOString();
    clock.advance(20 * DAY_MS);
    unwrap(await dir.deleteUser(ctx, recent.id));

    clock.advance(10 * DAY_MS); // old: exactly 30 days, still restorable and not purged
    expect(await dir.purgeDeleted(ctx)).toEqual({ users: 0, groups: 0 });

    clock.advance(DAY_MS);
    expect(await dir.purgeDeleted(ctx)).toEqual({ users: 1, groups: 0 });
    expect(failed(await dir.getUser(old.id, { includeDeleted: true })).code).toBe('directory.user_not_found');
    expect(failed(await dir.restoreUser(ctx, old.id)).code).toBe('directory.user_not_found');
    expect(unwrap(await dir.getUser(recent.id, { includeDeleted: true })).deletedAt).not.toBeNull();
    // The report's manager is cleared as an audited change, not silently by the foreign key.
    expect(unwrap(await dir.getUser(report.id))).toMatchObject({ managerId: null, version: 2 });
    const reportAudit = await auditRows(database, report.id);
    expect(reportAudit.map((a) => [a.action, a.changes])).toEqual([
      ['user.create', expect.any(Array)],
      ['user.update', [{ attribute: 'managerId', before: old.id, after: null }]],
    ]);
    expect((await eventRows(database, report.id)).map((e) => [e.type, e.payload])).toEqual([
      ['user.created', expect.any(Object)],
      ['user.updated', { changed: ['managerId'] }],
    ]);

    const memberRows = await database.db
      .selectFrom('group_members')
      .select('member_user_id')
      .where('group_id', '=', group.id)
      .orderBy('member_user_id')
      .execute();
    expect(memberRows.map((r) => r.member_user_id)).toEqual([recent.id, live.id].sort());
    const ownerRows = await database.db
      .selectFrom('group_owners')
      .select('user_id')
      .where('group_id', '=', group.id)
      .execute();
    expect(ownerRows.map((r) => r.user_id)).toEqual([live.id]);

    const audit = await auditRows(database, old.id);
    expect(audit.map((a) => a.action)).toEqual(['user.create', 'user.delete', 'user.purge']);
    expect(audit[2]).toMatchObject({
      actor_id: 'admin-1',
      target_type: 'user',
      details: { deletedAt: oldDeletedAt, retentionDays: 30 },
    });
    expect((await eventRows(database, old.id)).map((e) => e.type)).toEqual([
      'user.created',
      'user.deleted',
      'user.purged',
    ]);

    // Running again finds nothing more to do.
    expect(await dir.purgeDeleted(ctx)).toEqual({ users: 0, groups: 0 });
  });

  it('purges in batches larger than one transaction', async () => {
    const many = unwrap(
      await dir.upsertUsers(
        ctx,
        Array.from({ length: 503 }, (_, i) => ({
          userName: `bulk-${i}@example.com`,
          externalId: `bulk-${i}`,
        })),
        { matchOn: 'externalId' },
      ),
    );
    for (const outcome of many) {
      if (outcome.kind !== 'created') throw new Error(outcome.kind);
      unwrap(await dir.deleteUser(ctx, outcome.user.id));
    }
    clock.advance(31 * DAY_MS);
    expect(await dir.purgeDeleted(ctx)).toEqual({ users: 503 + 1, groups: 0 });
    const left = await database.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_name', 'like', 'bulk-%')
      .executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(0);
  });
});
