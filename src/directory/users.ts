import { sql } from 'kysely';
import { recordAudit } from '../audit/index.ts';
import {
  type Clock,
  DAY_MS,
  err,
  type Failure,
  failure,
  isUuid,
  newId,
  ok,
  type RequestContext,
  type Result,
} from '../core/index.ts';
import type { Db, Tx } from '../db/index.ts';
import { emitEvents } from '../events/index.ts';
import { managerCycles } from './managers.ts';
import { decodeCursor, encodeCursor } from './paging.ts';
import { transact } from './transact.ts';
import { rowToUser, type User, type UserRow } from './user-attributes.ts';
import { mergeUser, sameAttributes, withMeta } from './user-merge.ts';
import type { UserCreateInput, UserPatchInput } from './user-schemas.ts';
import { findUniquenessConflicts, type UserChange, writeUsers } from './user-writes.ts';
import { versionConflict } from './versioning.ts';

export interface DirectoryDeps {
  db: Db;
  clock: Clock;
  /** Days a deleted object can be restored; the purge job removes it afterwards. */
  retentionDays: number;
}

export type MatchKey = 'externalId' | 'employeeId' | 'userName';

export type UpsertOutcome =
  | { kind: 'created'; user: User }
  | { kind: 'updated'; user: User; changed: string[] }
  | { kind: 'unchanged'; user: User }
  | { kind: 'failed'; error: Failure };

const notFound = (id: string) => failure('directory.user_not_found', `user ${id} does not exist`, { id });

async function lockUser(tx: Tx, id: string): Promise<User | null> {
  // A malformed id names no user; without this guard PostgreSQL would raise "invalid input syntax for type uuid".
  if (!isUuid(id)) return null;
  // FOR NO KEY UPDATE: attribute changes must not block (or deadlock with) other transactions whose
  // foreign keys point at this user (a new report's manager_id, a new membership).
  const row = await tx
    .selectFrom('users')
    .selectAll()
    .where('id', '=', id)
    .forNoKeyUpdate()
    .executeTakeFirst();
  return row ? rowToUser(row as unknown as UserRow) : null;
}

// Any constant works; it only has to be the same in every Joinery process sharing a database.
const MANAGER_LOCK = 7_340_117_003;

/**
 * Two transactions each changing one manager (A reports to B, B reports to A) lock different rows and
 * would each see no loop. Writes that set a manager on an existing user take this lock first, before any
 * row lock (so lock order is always the same and cannot deadlock); under READ COMMITTED the second cycle
 * check then sees the first one's committed change. A new user cannot close a loop: nobody reports to it.
 */
async function serialiseManagerChanges(tx: Tx): Promise<void> {
  await sql`select pg_advisory_xact_lock(${MANAGER_LOCK})`.execute(tx);
}

/** Of `ids`, those that are live users in the store. */
async function liveUserIds(tx: Tx, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await tx
    .selectFrom('users')
    .select('id')
    .where('id', '=', (eb) => eb.fn.any(eb.val(ids)))
    .where('deleted_at', 'is', null)
    .execute();
  return new Set(rows.map((r) => r.id));
}

function managerFailure(managerId: string): Failure {
  return failure('directory.invalid_value', `managerId ${managerId} is not an existing user`, {
    attribute: 'managerId',
    value: managerId,
  });
}

/**
 * Validates and writes a set of user transitions in the caller's transaction. Items that fail
 * validation are left out and reported; the rest are written together.
 */
async function applyChanges(
  tx: Tx,
  deps: DirectoryDeps,
  ctx: RequestContext,
  changes: UserChange[],
): Promise<{ written: UserChange[]; failures: Map<string, Failure> }> {
  const failures = await findUniquenessConflicts(
    tx,
    changes.map((c) => c.after),
  );
  // A manager is a live stored user or a user created in this batch, unless that user's own write
  // fails; a failure can cascade down a chain of new users, so repeat until nothing more fails.
  const live = await liveUserIds(tx, [
    ...new Set(changes.flatMap((c) => (c.after.managerId ? [c.after.managerId] : []))),
  ]);
  for (let more = true; more; ) {
    more = false;
    const created = new Set(
      changes.filter((c) => c.before === null && !failures.has(c.after.id)).map((c) => c.after.id),
    );
    for (const { before, after } of changes) {
      const managerId = after.managerId;
      // An unchanged manager is not re-validated: a departed manager must not block unrelated updates.
      if (failures.has(after.id) || !managerId || managerId === before?.managerId) continue;
      if (live.has(managerId) || created.has(managerId)) continue;
      failures.set(after.id, managerFailure(managerId));
      more = true;
    }
  }
  const written = changes.filter((c) => !failures.has(c.after.id));
  await writeUsers(tx, deps.clock, ctx, written);
  const managerChanged = written.filter(
    (c) => c.after.managerId && c.after.managerId !== c.before?.managerId,
  );
  const cycles = await managerCycles(
    tx,
    managerChanged.map((c) => c.after.id),
  );
  if (cycles.length > 0) {
    // The write already happened in this transaction; the caller's transaction must roll back.
    throw new ManagerCycleError(cycles);
  }
  return { written, failures };
}

export class ManagerCycleError extends Error {
  constructor(readonly userIds: string[]) {
    super(`manager assignment would make users their own managers: ${userIds.join(', ')}`);
  }
}

const cycleFailure = (ids: string[]) =>
  failure('directory.manager_cycle', `the new manager would make a user their own (indirect) manager`, {
    userIds: ids,
  });

async function guardCycles<T>(fn: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ManagerCycleError) return err(cycleFailure(error.userIds));
    throw error;
  }
}

export async function createUser(
  deps: DirectoryDeps,
  ctx: RequestContext,
  input: UserCreateInput,
): Promise<Result<User>> {
  return guardCycles(() =>
    transact(deps.db, async (tx) => {
      const now = deps.clock.now().toISOString();
      const after = withMeta(mergeUser(null, input), {
        id: newId(),
        createdAt: now,
        updatedAt: now,
        version: 1,
        deletedAt: null,
      });
      const { failures } = await applyChanges(tx, deps, ctx, [{ before: null, after }]);
      const failed = failures.get(after.id);
      return failed ? err(failed) : ok(after);
    }),
  );
}

export async function updateUser(
  deps: DirectoryDeps,
  ctx: RequestContext,
  id: string,
  patch: UserPatchInput,
  options: { ifVersion?: number } = {},
): Promise<Result<User>> {
  return guardCycles(() =>
    transact(deps.db, async (tx) => {
      if (patch.managerId) await serialiseManagerChanges(tx);
      const before = await lockUser(tx, id);
      if (!before || before.deletedAt) return err(notFound(id));
      const stale = versionConflict('user', id, before.version, options.ifVersion);
      if (stale) return err(stale);
      const attributes = mergeUser(before, patch);
      if (attributes.managerId === id) {
        return err(cycleFailure([id]));
      }
      if (sameAttributes(attributes, before)) return ok(before);
      const after = withMeta(attributes, {
        id,
        createdAt: before.createdAt,
        updatedAt: deps.clock.now().toISOString(),
        version: before.version + 1,
        deletedAt: null,
      });
      const { failures } = await applyChanges(tx, deps, ctx, [{ before, after }]);
      const failed = failures.get(id);
      return failed ? err(failed) : ok(after);
    }),
  );
}

const matchColumn = { externalId: 'external_id', employeeId: 'employee_id', userName: 'user_name' } as const;

/**
 * Creates or updates many users in one transaction, matched on `matchOn`. Per-item outcomes: an item
 * that conflicts or names an unknown manager fails alone; the rest are written. Attributes absent from
 * an item keep their stored value (HR sources send what they own).
 */
export async function upsertUsers(
  deps: DirectoryDeps,
  ctx: RequestContext,
  items: UserCreateInput[],
  options: { matchOn: MatchKey },
): Promise<Result<UpsertOutcome[]>> {
  const column = matchColumn[options.matchOn];
  return guardCycles(() =>
    transact(deps.db, async (tx) => {
      const keys = items.map((i) => {
        const v = i[options.matchOn];
        return typeof v === 'string' ? (options.matchOn === 'userName' ? v.toLowerCase() : v) : null;
      });
      if (items.some((i) => i.managerId)) await serialiseManagerChanges(tx);
      const present = [...new Set(keys.filter((k): k is string => k !== null))];
      const existing = new Map<string, User>();
      if (present.length > 0) {
        const rows = await tx
          .selectFrom('users')
          .selectAll()
          .where((eb) =>
            options.matchOn === 'userName'
              ? eb(eb.fn('lower', ['user_name']), '=', eb.fn.any(eb.val(present)))
              : eb(column, '=', eb.fn.any(eb.val(present))),
          )
          .orderBy('id')
          .forNoKeyUpdate()
          .execute();
        for (const row of rows) {
          const user = rowToUser(row as unknown as UserRow);
          const k = user[options.matchOn];
          if (k) existing.set(options.matchOn === 'userName' ? k.toLowerCase() : k, user);
        }
      }
      const now = deps.clock.now().toISOString();
      const outcomes: UpsertOutcome[] = [];
      const changes: UserChange[] = [];
      const seen = new Map<string, number>();
      items.forEach((item, index) => {
        const key = keys[index] ?? null;
        if (key === null) {
          outcomes.push({
            kind: 'failed',
            error: failure('directory.invalid_value', `${options.matchOn} is required to match users`, {
              attribute: options.matchOn,
            }),
          });
          return;
        }
        if (seen.has(key)) {
          outcomes.push({
            kind: 'failed',
            error: failure('directory.uniqueness', `${options.matchOn} "${key}" appears twice in the batch`, {
              attribute: options.matchOn,
              value: key,
              firstIndex: seen.get(key),
            }),
          });
          return;
        }
        seen.set(key, index);
        const before = existing.get(key) ?? null;
        const attributes = mergeUser(before, item);
        // Same attributes: nothing to write, whether the stored user is live or in the recycle bin.
        if (before && sameAttributes(attributes, before)) {
          outcomes.push({ kind: 'unchanged', user: before });
          return;
        }
        const after = withMeta(attributes, {
          id: before?.id ?? newId(),
          createdAt: before?.createdAt ?? now,
          updatedAt: now,
          version: before ? before.version + 1 : 1,
          deletedAt: before?.deletedAt ?? null,
        });
        changes.push({ before, after });
        outcomes.push({ kind: before ? 'updated' : 'created', user: after } as UpsertOutcome);
      });
      const { failures } = await applyChanges(tx, deps, ctx, changes);
      const byId = new Map(changes.map((c) => [c.after.id, c]));
      return ok(
        outcomes.map((o) => {
          if (o.kind !== 'created' && o.kind !== 'updated') return o;
          const failed = failures.get(o.user.id);
          if (failed) return { kind: 'failed', error: failed } as const;
          if (o.kind === 'updated') {
            const change = byId.get(o.user.id);
            const changed = Object.keys(o.user).filter(
              (k) =>
                !['updatedAt', 'version'].includes(k) &&
                JSON.stringify((change?.before as unknown as Record<string, unknown>)?.[k]) !==
                  JSON.stringify((o.user as unknown as Record<string, unknown>)[k]),
            );
            return { kind: 'updated', user: o.user, changed } as const;
          }
          return o;
        }),
      );
    }),
  );
}

export async function deleteUser(
  deps: DirectoryDeps,
  ctx: RequestContext,
  id: string,
  options: { ifVersion?: number } = {},
): Promise<Result<User>> {
  return transact(deps.db, async (tx) => {
    const before = await lockUser(tx, id);
    if (!before || before.deletedAt) return err(notFound(id));
    const stale = versionConflict('user', id, before.version, options.ifVersion);
    if (stale) return err(stale);
    const now = deps.clock.now();
    const row = await tx
      .updateTable('users')
      .set({ deleted_at: now, updated_at: now, version: before.version + 1 })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const after = rowToUser(row as unknown as UserRow);
    const restorableUntil = new Date(now.getTime() + deps.retentionDays * DAY_MS).toISOString();
    await recordAudit(tx, deps.clock, ctx, [
      {
        action: 'user.delete',
        targetType: 'user',
        targetId: id,
        changes: [{ attribute: 'deletedAt', before: null, after: after.deletedAt }],
        details: { userName: before.userName, restorableUntil },
      },
    ]);
    await emitEvents(tx, deps.clock, ctx, [
      {
        type: 'user.deleted',
        aggregateType: 'user',
        aggregateId: id,
        payload: { userName: before.userName, restorableUntil },
      },
    ]);
    return ok(after);
  });
}

export async function restoreUser(
  deps: DirectoryDeps,
  ctx: RequestContext,
  id: string,
): Promise<Result<User>> {
  return transact(deps.db, async (tx) => {
    const before = await lockUser(tx, id);
    if (!before) return err(notFound(id));
    if (!before.deletedAt) {
      return err(failure('directory.not_deleted', `user ${id} is not deleted`, { id }));
    }
    const now = deps.clock.now();
    if (now.getTime() - new Date(before.deletedAt).getTime() > deps.retentionDays * DAY_MS) {
      return err(
        failure(
          'directory.restore_window_passed',
          `user ${id} was deleted more than ${deps.retentionDays} days ago`,
          {
            id,
            deletedAt: before.deletedAt,
          },
        ),
      );
    }
    const row = await tx
      .updateTable('users')
      .set({ deleted_at: null, updated_at: now, version: before.version + 1 })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, deps.clock, ctx, [
      {
        action: 'user.restore',
        targetType: 'user',
        targetId: id,
        changes: [{ attribute: 'deletedAt', before: before.deletedAt, after: null }],
      },
    ]);
    await emitEvents(tx, deps.clock, ctx, [
      { type: 'user.restored', aggregateType: 'user', aggregateId: id },
    ]);
    return ok(rowToUser(row as unknown as UserRow));
  });
}

export async function getUser(
  deps: DirectoryDeps,
  id: string,
  options: { includeDeleted?: boolean } = {},
): Promise<Result<User>> {
  if (!isUuid(id)) return err(notFound(id));
  const row = await deps.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return err(notFound(id));
  const user = rowToUser(row as unknown as UserRow);
  if (user.deletedAt && !options.includeDeleted) return err(notFound(id));
  return ok(user);
}

export interface UserListQuery {
  userName?: string;
  externalId?: string;
  employeeId?: string;
  department?: string;
  managerId?: string;
  accountEnabled?: boolean;
  /** Prefix of userName or displayName, case-insensitive. */
  search?: string;
  /** true: only the recycle bin; false (default): only live users. */
  deleted?: boolean;
  cursor?: string;
  limit: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function listUsers(deps: DirectoryDeps, query: UserListQuery): Promise<Result<Page<User>>> {
  let q = deps.db
    .selectFrom('users')
    .selectAll()
    .orderBy('id')
    .limit(query.limit + 1);
  q = query.deleted ? q.where('deleted_at', 'is not', null) : q.where('deleted_at', 'is', null);
  if (query.userName)
    q = q.where((eb) => eb(eb.fn('lower', ['user_name']), '=', query.userName!.toLowerCase()));
  if (query.externalId) q = q.where('external_id', '=', query.externalId);
  if (query.employeeId) q = q.where('employee_id', '=', query.employeeId);
  if (query.department) q = q.where('department', '=', query.department);
  if (query.managerId) {
    // A malformed id manages nobody (and must not reach the ::uuid comparison).
    if (!isUuid(query.managerId)) return ok({ items: [], nextCursor: null });
    q = q.where('manager_id', '=', query.managerId);
  }
  if (query.accountEnabled !== undefined) q = q.where('account_enabled', '=', query.accountEnabled);
  if (query.search) {
    const pattern = `${escapeLike(query.search.toLowerCase())}%`;
    q = q.where((eb) =>
      eb.or([
        eb(eb.fn('lower', ['user_name']), 'like', pattern),
        eb(eb.fn('lower', ['display_name']), 'like', pattern),
      ]),
    );
  }
  if (query.cursor) {
    const after = decodeCursor('u', query.cursor);
    if (!after)
      return err(failure('request.invalid', 'cursor is not one this server issued', { field: 'cursor' }));
    q = q.where('id', '>', after);
  }
  const rows = await q.execute();
  const items = rows.slice(0, query.limit).map((r) => rowToUser(r as unknown as UserRow));
  const last = items[items.length - 1];
  return ok({ items, nextCursor: rows.length > query.limit && last ? encodeCursor('u', last.id) : null });
}
