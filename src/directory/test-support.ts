// Helpers for this module's user tests only.
import { openTestDatabase } from '../../test/database.ts';
import { type FakeClock, fakeClock, type RequestContext, unwrap } from '../core/index.ts';
import type { Database, Tables } from '../db/index.ts';
import { createDirectory, type Directory, type User, type UserCreateInput } from './index.ts';

export const ctx: RequestContext = {
  actor: { type: 'user', id: 'admin-1', name: 'Ada Admin' },
  correlationId: 'corr-users',
};

let seq = 0;
/** A unique userName per call so tests sharing one database never collide by accident. */
export const uniqueName = (prefix: string) => `${prefix}.${++seq}.${Date.now().toString(36)}@example.com`;

export async function auditRows(database: Database, targetId: string) {
  return database.db
    .selectFrom('audit_log')
    .selectAll()
    .where('target_id', '=', targetId)
    .orderBy('id')
    .execute();
}

export async function eventRows(database: Database, aggregateId: string) {
  return database.db
    .selectFrom('events')
    .selectAll()
    .where('aggregate_id', '=', aggregateId)
    .orderBy('id')
    .execute();
}

/** Rows in one table: tests compare counts before and after to prove nothing was half-written. */
export async function rowCount(database: Database, table: keyof Tables): Promise<number> {
  const row = await database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function counts(database: Database) {
  return {
    users: await rowCount(database, 'users'),
    audit: await rowCount(database, 'audit_log'),
    events: await rowCount(database, 'events'),
  };
}

export interface UserFixture {
  database: Database;
  clock: FakeClock;
  dir: Directory;
  /** Creates a user with a unique userName plus `input`. */
  create: (input?: Partial<UserCreateInput>) => Promise<User>;
}

/** A private migrated database, a fake clock at `start` and a directory with 30 days' retention. */
export async function openUserFixture(start: string): Promise<UserFixture> {
  const database = await openTestDatabase();
  const clock = fakeClock(start);
  const dir = createDirectory({ db: database.db, clock, retentionDays: 30 });
  const create = async (input: Partial<UserCreateInput> = {}) =>
    unwrap(await dir.createUser(ctx, { userName: uniqueName('user'), ...input }));
  return { database, clock, dir, create };
}
