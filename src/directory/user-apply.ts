import { sql } from 'kysely';
import { err, type Failure, failure, isUuid, type RequestContext, type Result } from '../core/index.ts';
import type { AuditChange, Tx } from '../db/index.ts';
import type { DirectoryDeps } from './deps.ts';
import { managerCycles } from './managers.ts';
import { rowToUser, type User, type UserRow } from './user-attributes.ts';
import { findUniquenessConflicts, type UserChange, writeUsers } from './user-writes.ts';

export const userNotFound = (id: string) =>
  failure('directory.user_not_found', `user ${id} does not exist`, { id });

export async function lockUser(tx: Tx, id: string): Promise<User | null> {
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
export async function serialiseManagerChanges(tx: Tx): Promise<void> {
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

function claimsNewUniqueValue({ before, after }: UserChange): boolean {
  if (!before) return true;
  return (
    before.userName.toLowerCase() !== after.userName.toLowerCase() ||
    (after.externalId !== null && after.externalId !== before.externalId) ||
    (after.employeeId !== null && after.employeeId !== before.employeeId)
  );
}

/**
 * Validates and writes a set of user transitions in the caller's transaction. Items that fail
 * validation are left out and reported; the rest are written together. `changed` holds each written
 * user's attribute changes, as recorded in the audit log.
 */
export async function applyChanges(
  tx: Tx,
  deps: DirectoryDeps,
  ctx: RequestContext,
  changes: UserChange[],
): Promise<{ failures: Map<string, Failure>; changed: Map<string, AuditChange[]> }> {
  // Only values that are new can conflict: an HR update that keeps userName, externalId and employeeId
  // (nearly all of them) needs no look-up at all.
  const failures = await findUniquenessConflicts(
    tx,
    changes.filter((c) => claimsNewUniqueValue(c)).map((c) => c.after),
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
  const changed = await writeUsers(tx, deps.clock, ctx, written);
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
  return { failures, changed };
}

export class ManagerCycleError extends Error {
  constructor(readonly userIds: string[]) {
    super(`manager assignment would make users their own managers: ${userIds.join(', ')}`);
  }
}

export const cycleFailure = (ids: string[]) =>
  failure('directory.manager_cycle', `the new manager would make a user their own (indirect) manager`, {
    userIds: ids,
  });

export async function guardCycles<T>(fn: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ManagerCycleError) return err(cycleFailure(error.userIds));
    throw error;
  }
}
