import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/database.ts';
import { failed } from '../../test/results.ts';
import { DAY_MS, type FakeClock, fakeClock, newId, type RequestContext, unwrap } from '../core/index.ts';
import type { Database } from '../db/index.ts';
import { createDirectory, type Directory, type UserCreateInput, userCreateSchema } from './index.ts';
import { uniqueViolation } from './user-writes.ts';

const ctx: RequestContext = {
  actor: { type: 'user', id: 'admin-1', name: 'Ada Admin' },
  correlationId: 'corr-users',
};

let seq = 0;
/** A unique userName per call so tests sharing one database never collide by accident. */
const uniqueName = (prefix: string) => `${prefix}.${++seq}.${Date.now().toString(36)}@example.com`;

async function auditRows(database: Database, targetId: string) {
  return database.db
    .selectFrom('audit_log')
    .selectAll()
    .where('target_id', '=', targetId)
    .orderBy('id')
    .execute();
}

async function eventRows(database: Database, aggregateId: string) {
  return database.db
    .selectFrom('events')
    .selectAll()
    .where('aggregate_id', '=', aggregateId)
    .orderBy('id')
    .execute();
}

async function counts(database: Database) {
  const one = async (table: 'users' | 'audit_log' | 'events') =>
    Number(
      (
        await database.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { users: await one('users'), audit: await one('audit_log'), events: await one('events') };
}

describe('users', () => {
  let database: Database;
  let clock: FakeClock;
  let dir: Directory;

  beforeAll(async () => {
    database = await openTestDatabase();
    clock = fakeClock('2026-03-01T09:00:00Z');
    dir = createDirectory({ db: database.db, clock, retentionDays: 30 });
  });
  afterAll(async () => {
    await database.close();
  });

  const create = async (input: Partial<UserCreateInput> = {}) =>
    unwrap(await dir.createUser(ctx, { userName: uniqueName('user'), ...input }));

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

  describe('uniqueness', () => {
    it('treats userName case-insensitively on create and update', async () => {
      const name = uniqueName('Case.Sensitive');
      const first = await create({ userName: name });
      const clash = failed(await dir.createUser(ctx, { userName: name.toUpperCase() }));
      expect(clash.code).toBe('directory.uniqueness');
      expect(clash.details).toMatchObject({ attribute: 'userName', conflictingId: first.id });

      const other = await create();
      const renamed = failed(await dir.updateUser(ctx, other.id, { userName: name.toLowerCase() }));
      expect(renamed.code).toBe('directory.uniqueness');
      expect(renamed.details).toMatchObject({ attribute: 'userName' });

      // Changing the case of one's own userName is not a conflict.
      const self = unwrap(await dir.updateUser(ctx, first.id, { userName: name.toLowerCase() }));
      expect(self.userName).toBe(name.toLowerCase());
    });

    it('keeps externalId and employeeId unique and names the attribute', async () => {
      const externalId = `ext-${newId()}`;
      const employeeId = `emp-${newId()}`;
      const holder = await create({ externalId, employeeId });
      const byExternal = failed(await dir.createUser(ctx, { userName: uniqueName('x'), externalId }));
      expect(byExternal.code).toBe('directory.uniqueness');
      expect(byExternal.details).toMatchObject({
        attribute: 'externalId',
        value: externalId,
        conflictingId: holder.id,
      });
      const byEmployee = failed(await dir.createUser(ctx, { userName: uniqueName('y'), employeeId }));
      expect(byEmployee.details).toMatchObject({
        attribute: 'employeeId',
        value: employeeId,
        conflictingId: holder.id,
      });
      const other = await create();
      const update = failed(await dir.updateUser(ctx, other.id, { employeeId }));
      expect(update.code).toBe('directory.uniqueness');
      expect(update.details).toMatchObject({ attribute: 'employeeId' });
    });

    it('still reserves the values of a deleted (restorable) user', async () => {
      const externalId = `ext-${newId()}`;
      const gone = await create({ externalId });
      unwrap(await dir.deleteUser(ctx, gone.id));
      const clash = failed(await dir.createUser(ctx, { userName: uniqueName('z'), externalId }));
      expect(clash.code).toBe('directory.uniqueness');
      expect(clash.details).toMatchObject({ attribute: 'externalId', conflictingId: gone.id });
    });

    it('writes nothing when a create conflicts', async () => {
      const holder = await create();
      const before = await counts(database);
      expect(failed(await dir.createUser(ctx, { userName: holder.userName, title: 'x' })).code).toBe(
        'directory.uniqueness',
      );
      expect(await counts(database)).toEqual(before);
    });

    it('gives concurrent creates of one userName exactly one winner and a uniqueness failure for the rest', async () => {
      const name = uniqueName('race');
      const results = await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          dir.createUser(ctx, { userName: i % 2 ? name : name.toUpperCase() }),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      for (const r of results.filter((x) => !x.ok)) {
        expect(failed(r).code).toBe('directory.uniqueness');
        expect(failed(r).details).toMatchObject({ attribute: 'userName' });
      }
    });

    it('maps a unique-index violation raised by the database to the attribute it guards', async () => {
      const user = await create({ employeeId: `emp-${newId()}` });
      const error = await database.db
        .insertInto('users')
        .values({
          id: newId(),
          user_name: `other-${newId()}`,
          employee_id: user.employeeId,
          emails: '[]',
          phone_numbers: '[]',
          extension: '{}',
          created_at: new Date(),
          updated_at: new Date(),
        })
        .execute()
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(uniqueViolation(error)).toMatchObject({
        code: 'directory.uniqueness',
        details: { attribute: 'employeeId' },
      });
    });
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

describe('purge', () => {
  let database: Database;
  let clock: FakeClock;
  let dir: Directory;

  beforeAll(async () => {
    database = await openTestDatabase();
    clock = fakeClock('2026-05-01T00:00:00Z');
    dir = createDirectory({ db: database.db, clock, retentionDays: 30 });
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
