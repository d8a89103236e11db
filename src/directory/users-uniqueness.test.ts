import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failed } from '../../test/results.ts';
import { newId, unwrap } from '../core/index.ts';
import type { Database } from '../db/index.ts';
import type { Directory } from './index.ts';
import { counts, ctx, openUserFixture, type UserFixture, uniqueName } from './test-support.ts';
import { uniqueViolation } from './user-writes.ts';

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
});
