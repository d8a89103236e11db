import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failed } from '../../test/results.ts';
import { type FakeClock, newId, unwrap } from '../core/index.ts';
import type { Database } from '../db/index.ts';
import { type Directory, userCreateSchema } from './index.ts';
import {
  auditRows,
  counts,
  ctx,
  eventRows,
  openUserFixture,
  type UserFixture,
  uniqueName,
} from './test-support.ts';

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

  describe('create and get', () => {
    it('stores every attribute and reads it back', async () => {
      const manager = await create();
      const input = userCreateSchema.parse({
        userName: uniqueName('full'),
        externalId: `ext-${newId()}`,
        employeeId: `emp-${newId()}`,
        givenName: 'Grace',
        familyName: 'Hopper',
        middleName: 'Brewster',
        honorificPrefix: 'Dr.',
        honorificSuffix: 'PhD',
        displayName: 'Grace Hopper',
        emails: [
          { value: 'grace@work.example', type: 'work', primary: true },
          { value: 'grace@home.example', type: 'home' },
        ],
        phoneNumbers: [{ value: '+33 1 23 45 67 89', type: 'mobile', primary: true }],
        title: 'Rear Admiral',
        department: 'Navy',
        division: 'Computing',
        costCenter: 'CC-42',
        companyName: 'US Navy',
        employeeType: 'Employee',
        managerId: manager.id,
        employeeHireDate: '2026-04-01',
        employeeLeaveDateTime: '2030-12-31T17:00:00+01:00',
        accountEnabled: false,
        timezone: 'Europe/Paris',
        preferredLanguage: 'fr-FR',
        usageLocation: 'FR',
        personalEmail: 'grace@personal.example',
        extension: { badge: 1234, tags: ['a', 'b'], nested: { x: true } },
      });
      const user = unwrap(await dir.createUser(ctx, input));
      expect(user.version).toBe(1);
      expect(user.createdAt).toBe('2026-03-01T09:00:00.000Z');
      expect(user.updatedAt).toBe('2026-03-01T09:00:00.000Z');
      expect(user.deletedAt).toBeNull();
      const stored = unwrap(await dir.getUser(user.id));
      expect(stored).toEqual(user);
      expect(stored).toMatchObject({
        userName: input.userName,
        givenName: 'Grace',
        emails: [
          { value: 'grace@work.example', type: 'work', primary: true },
          { value: 'grace@home.example', type: 'home' },
        ],
        phoneNumbers: [{ value: '+33 1 23 45 67 89', type: 'mobile', primary: true }],
        managerId: manager.id,
        employeeHireDate: '2026-04-01T00:00:00.000Z',
        employeeLeaveDateTime: '2030-12-31T16:00:00.000Z',
        accountEnabled: false,
        timezone: 'Europe/Paris',
        usageLocation: 'FR',
        extension: { badge: 1234, tags: ['a', 'b'], nested: { x: true } },
      });
    });

    it('audits the creation with every set attribute as before null / after value, and emits user.created', async () => {
      const user = await create({ externalId: `ext-${newId()}`, department: 'Sales' });
      const audit = await auditRows(database, user.id);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        action: 'user.create',
        actor_type: 'user',
        actor_id: 'admin-1',
        actor_name: 'Ada Admin',
        target_type: 'user',
        correlation_id: 'corr-users',
      });
      expect(audit[0]?.occurred_at.toISOString()).toBe(clock.now().toISOString());
      expect(audit[0]?.changes).toEqual([
        { attribute: 'userName', before: null, after: user.userName },
        { attribute: 'externalId', before: null, after: user.externalId },
        { attribute: 'department', before: null, after: 'Sales' },
        { attribute: 'accountEnabled', before: null, after: true },
      ]);
      const events = await eventRows(database, user.id);
      expect(events.map((e) => [e.type, e.aggregate_type, e.payload, e.correlation_id])).toEqual([
        [
          'user.created',
          'user',
          { userName: user.userName, externalId: user.externalId, accountEnabled: true },
          'corr-users',
        ],
      ]);
    });

    it('reports an unknown or malformed id as directory.user_not_found', async () => {
      expect(failed(await dir.getUser(newId())).code).toBe('directory.user_not_found');
      expect(failed(await dir.getUser('not-a-uuid')).code).toBe('directory.user_not_found');
      expect(failed(await dir.updateUser(ctx, 'not-a-uuid', { title: 'x' })).code).toBe(
        'directory.user_not_found',
      );
      expect(failed(await dir.deleteUser(ctx, 'not-a-uuid')).code).toBe('directory.user_not_found');
      expect(failed(await dir.restoreUser(ctx, 'not-a-uuid')).code).toBe('directory.user_not_found');
    });
  });

  describe('update', () => {
    it('increments the version and records before/after of each changed attribute', async () => {
      const user = await create({ title: 'Engineer', department: 'R&D' });
      clock.advance(60_000);
      const v2 = unwrap(
        await dir.updateUser(ctx, user.id, { title: 'Senior Engineer', department: 'Platform' }),
      );
      expect(v2.version).toBe(2);
      expect(v2.updatedAt).toBe(clock.now().toISOString());
      expect(v2.createdAt).toBe(user.createdAt);
      const v3 = unwrap(await dir.updateUser(ctx, user.id, { givenName: 'Linus' }));
      expect(v3.version).toBe(3);
      expect(v3).toMatchObject({ title: 'Senior Engineer', department: 'Platform', givenName: 'Linus' });
      expect(unwrap(await dir.getUser(user.id))).toEqual(v3);

      const audit = await auditRows(database, user.id);
      expect(audit.map((a) => a.action)).toEqual(['user.create', 'user.update', 'user.update']);
      expect(audit[1]?.changes).toEqual([
        { attribute: 'title', before: 'Engineer', after: 'Senior Engineer' },
        { attribute: 'department', before: 'R&D', after: 'Platform' },
      ]);
      expect(audit[2]?.changes).toEqual([{ attribute: 'givenName', before: null, after: 'Linus' }]);

      const events = await eventRows(database, user.id);
      expect(events.map((e) => [e.type, e.payload])).toEqual([
        ['user.created', expect.any(Object)],
        ['user.updated', { changed: ['title', 'department'] }],
        ['user.updated', { changed: ['givenName'] }],
      ]);
    });

    it('null clears an attribute, absent keys stay, extension keys merge and null removes one', async () => {
      const user = await create({ title: 'Analyst', department: 'Finance', extension: { a: 1, b: 2 } });
      const updated = unwrap(
        await dir.updateUser(ctx, user.id, { title: null, extension: { b: null, c: 3 } }),
      );
      expect(updated).toMatchObject({ title: null, department: 'Finance', extension: { a: 1, c: 3 } });
      const audit = await auditRows(database, user.id);
      expect(audit[1]?.changes).toEqual([
        { attribute: 'title', before: 'Analyst', after: null },
        { attribute: 'extension', before: { a: 1, b: 2 }, after: { a: 1, c: 3 } },
      ]);
    });

    it('writes nothing for an update that changes nothing', async () => {
      const user = await create({ title: 'Same', emails: [{ value: 'same@example.com', primary: true }] });
      const before = await counts(database);
      const result = unwrap(
        await dir.updateUser(ctx, user.id, {
          title: 'Same',
          emails: [{ value: 'same@example.com', primary: true }],
        }),
      );
      expect(result.version).toBe(1);
      expect(await counts(database)).toEqual(before);
    });

    it('emits user.disabled and user.enabled when accountEnabled flips, user.updated only for other attributes', async () => {
      const user = await create();
      unwrap(await dir.updateUser(ctx, user.id, { accountEnabled: false }));
      unwrap(await dir.updateUser(ctx, user.id, { accountEnabled: true, title: 'Returned' }));
      const events = await eventRows(database, user.id);
      expect(events.map((e) => [e.type, e.payload])).toEqual([
        ['user.created', expect.any(Object)],
        ['user.disabled', {}],
        ['user.updated', { changed: ['title'] }],
        ['user.enabled', {}],
      ]);
      const audit = await auditRows(database, user.id);
      expect(audit[1]?.changes).toEqual([{ attribute: 'accountEnabled', before: true, after: false }]);
    });

    it('rejects a stale ifVersion as directory.version_mismatch and writes nothing', async () => {
      const user = await create();
      unwrap(await dir.updateUser(ctx, user.id, { title: 'v2' }));
      const before = await counts(database);
      const result = failed(await dir.updateUser(ctx, user.id, { title: 'v3' }, { ifVersion: 1 }));
      expect(result.code).toBe('directory.version_mismatch');
      expect(result.details).toMatchObject({ currentVersion: 2 });
      expect(await counts(database)).toEqual(before);
      expect(unwrap(await dir.getUser(user.id)).title).toBe('v2');
      const ok = unwrap(await dir.updateUser(ctx, user.id, { title: 'v3' }, { ifVersion: 2 }));
      expect(ok.version).toBe(3);
      expect(failed(await dir.deleteUser(ctx, user.id, { ifVersion: 2 })).code).toBe(
        'directory.version_mismatch',
      );
    });
  });
  describe('list', () => {
    it('filters and pages by keyset without duplicates or gaps', async () => {
      const department = `paging-${newId()}`;
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await create({ department, displayName: `Pager ${i}` })).id);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = unwrap(await dir.listUsers({ department, limit: 3, ...(cursor ? { cursor } : {}) }));
        seen.push(...page.items.map((u) => u.id));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([...ids].sort());
      expect(failed(await dir.listUsers({ limit: 3, cursor: 'bogus' })).code).toBe('request.invalid');
      const dashes = Buffer.from(`u:${'-'.repeat(36)}`).toString('base64url');
      expect(failed(await dir.listUsers({ limit: 3, cursor: dashes })).code).toBe('request.invalid');
      const groupCursor = Buffer.from(`g:${ids[0]}`).toString('base64url');
      expect(failed(await dir.listUsers({ limit: 3, cursor: groupCursor })).code).toBe('request.invalid');
    });
  });
});
