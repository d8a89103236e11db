import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failed } from '../../test/results.ts';
import { newId, unwrap } from '../core/index.ts';
import type { Database } from '../db/index.ts';
import type { Directory } from './index.ts';
import { counts, ctx, openUserFixture, type UserFixture, uniqueName } from './test-support.ts';

describe('users', () => {
  let database: Database;
  let dir: Directory;
  let create: UserFixture['create'];

  beforeAll(async () => {
    ({ database, dir, create } = await openUserFixture('2026-03-01T09:00:00Z'));
  });
  afterAll(async () => {
    await database.close();
  });

  describe('managers', () => {
    it('rejects an unknown or deleted manager as directory.invalid_value naming managerId', async () => {
      const unknown = newId();
      const result = failed(await dir.createUser(ctx, { userName: uniqueName('m'), managerId: unknown }));
      expect(result.code).toBe('directory.invalid_value');
      expect(result.details).toEqual({ attribute: 'managerId', value: unknown });
      const departed = await create();
      unwrap(await dir.deleteUser(ctx, departed.id));
      const user = await create();
      const update = failed(await dir.updateUser(ctx, user.id, { managerId: departed.id }));
      expect(update.code).toBe('directory.invalid_value');
      expect(unwrap(await dir.getUser(user.id)).managerId).toBeNull();
    });

    it('rejects a two-user cycle (A→B→A) as directory.manager_cycle and writes nothing', async () => {
      const a = await create();
      const b = await create({ managerId: a.id });
      const before = await counts(database);
      const result = failed(await dir.updateUser(ctx, a.id, { managerId: b.id, title: 'Boss' }));
      expect(result.code).toBe('directory.manager_cycle');
      expect(result.details).toEqual({ userIds: [a.id] });
      expect(await counts(database)).toEqual(before);
      const stored = unwrap(await dir.getUser(a.id));
      expect(stored).toMatchObject({ managerId: null, title: null, version: 1 });
    });

    it('rejects longer cycles and a user managing themselves', async () => {
      const a = await create();
      const b = await create({ managerId: a.id });
      const c = await create({ managerId: b.id });
      expect(failed(await dir.updateUser(ctx, a.id, { managerId: c.id })).code).toBe(
        'directory.manager_cycle',
      );
      expect(failed(await dir.updateUser(ctx, a.id, { managerId: a.id })).code).toBe(
        'directory.manager_cycle',
      );
      // Re-pointing inside the tree without a loop is fine.
      expect(unwrap(await dir.updateUser(ctx, c.id, { managerId: a.id })).managerId).toBe(a.id);
    });

    it('lets a user whose manager was deleted be updated without re-validating the unchanged manager', async () => {
      const manager = await create();
      const user = await create({ managerId: manager.id });
      unwrap(await dir.deleteUser(ctx, manager.id));
      const updated = unwrap(await dir.updateUser(ctx, user.id, { title: 'Still here' }));
      expect(updated).toMatchObject({ title: 'Still here', managerId: manager.id, version: 2 });
    });

    it('rejects one of two concurrent updates that together would close a loop', async () => {
      for (let round = 0; round < 5; round++) {
        const a = await create();
        const b = await create();
        const results = await Promise.all([
          dir.updateUser(ctx, a.id, { managerId: b.id }),
          dir.updateUser(ctx, b.id, { managerId: a.id }),
        ]);
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        expect(failed(results.find((r) => !r.ok)!).code).toBe('directory.manager_cycle');
        const managers = [
          unwrap(await dir.getUser(a.id)).managerId,
          unwrap(await dir.getUser(b.id)).managerId,
        ];
        expect(managers.filter((m) => m !== null)).toHaveLength(1);
      }
    });

    it('walks the manager chain nearest first and lists direct reports', async () => {
      const ceo = await create({ displayName: 'CEO' });
      const vp = await create({ displayName: 'VP', managerId: ceo.id });
      const lead = await create({ displayName: 'Lead', managerId: vp.id });
      const dev = await create({ displayName: 'Dev', managerId: lead.id });
      expect((await dir.managerChain(dev.id)).map((u) => u.displayName)).toEqual(['Lead', 'VP', 'CEO']);
      expect((await dir.managerChain(ceo.id)).map((u) => u.id)).toEqual([]);
      expect(await dir.managerChain('not-a-uuid')).toEqual([]);
      expect((await dir.directReports(vp.id)).map((u) => u.id)).toEqual([lead.id]);
      const second = await create({ managerId: vp.id });
      expect((await dir.directReports(vp.id)).map((u) => u.id).sort()).toEqual([lead.id, second.id].sort());
    });
  });
});
