import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/database.ts';
import { fakeClock, type RequestContext } from '../core/index.ts';
import type { Database } from '../db/index.ts';
import { recordAudit } from './index.ts';

const ctx: RequestContext = {
  actor: { type: 'user', id: 'mallory', name: 'Mallory' },
  correlationId: 'corr-append',
};

describe('audit log is append-only', () => {
  let database: Database;

  beforeAll(async () => {
    database = await openTestDatabase();
    await database.db.transaction().execute((tx) =>
      recordAudit(tx, fakeClock(), ctx, [
        {
          action: 'user.create',
          targetType: 'user',
          targetId: 'u-1',
          changes: [{ attribute: 'title', before: null, after: 'A' }],
        },
        { action: 'user.update', targetType: 'user', targetId: 'u-1', details: { note: 'kept' } },
      ]),
    );
  });
  afterAll(async () => {
    await database.close();
  });

  const rows = () => database.db.selectFrom('audit_log').selectAll().orderBy('id').execute();

  async function rejection(run: () => Promise<unknown>): Promise<{ message: string; code?: string }> {
    try {
      await run();
    } catch (error) {
      return error as { message: string; code?: string };
    }
    throw new Error('expected the statement to be refused');
  }

  it('refuses UPDATE, DELETE and TRUNCATE through Kysely', async () => {
    const before = await rows();
    expect(before).toHaveLength(2);
    const update = await rejection(() =>
      database.db.updateTable('audit_log').set({ action: 'forged' }).execute(),
    );
    expect(update.message).toBe('audit_log is append-only: UPDATE is not allowed');
    expect(update.code).toBe('42501');
    const del = await rejection(() =>
      database.db.deleteFrom('audit_log').where('target_id', '=', 'u-1').execute(),
    );
    expect(del.message).toBe('audit_log is append-only: DELETE is not allowed');
    expect(del.code).toBe('42501');
    const truncate = await rejection(() => sql`truncate audit_log`.execute(database.db));
    expect(truncate.message).toBe('audit_log is append-only: TRUNCATE is not allowed');
    expect(await rows()).toEqual(before);
  });

  it('refuses UPDATE, DELETE and TRUNCATE as raw SQL, inside or outside a transaction', async () => {
    const before = await rows();
    for (const [statement, op] of [
      ["update audit_log set changes = '[]', actor_id = 'someone-else'", 'UPDATE'],
      ['delete from audit_log', 'DELETE'],
      ['truncate table audit_log', 'TRUNCATE'],
      ['truncate audit_log restart identity cascade', 'TRUNCATE'],
    ] as const) {
      const error = await rejection(() => database.executor.executeSql(statement));
      expect(error.message).toBe(`audit_log is append-only: ${op} is not allowed`);
      const inTx = await rejection(() =>
        database.db.transaction().execute(async (tx) => {
          await sql.raw(statement).execute(tx);
        }),
      );
      expect(inTx.message).toBe(`audit_log is append-only: ${op} is not allowed`);
    }
    const parameterised = await rejection(() =>
      database.executor.executeSql('update audit_log set action = $1 where target_id = $2', [
        'forged',
        'u-1',
      ]),
    );
    expect(parameterised.message).toBe('audit_log is append-only: UPDATE is not allowed');
    expect(await rows()).toEqual(before);
  });

  it('rolls back the whole transaction that tried to rewrite history', async () => {
    const before = await rows();
    await rejection(() =>
      database.db.transaction().execute(async (tx) => {
        await recordAudit(tx, fakeClock(), ctx, [{ action: 'cover.up', targetId: 'u-1' }]);
        await tx.deleteFrom('audit_log').where('action', '=', 'user.create').execute();
      }),
    );
    expect(await rows()).toEqual(before);
  });

  it('still accepts appends', async () => {
    const before = (await rows()).length;
    await database.db
      .transaction()
      .execute((tx) => recordAudit(tx, fakeClock(), ctx, [{ action: 'user.delete', targetId: 'u-1' }]));
    const after = await rows();
    expect(after).toHaveLength(before + 1);
    expect(after[after.length - 1]).toMatchObject({
      action: 'user.delete',
      actor_id: 'mallory',
      correlation_id: 'corr-append',
    });
  });
});
