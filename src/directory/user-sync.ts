import { sql } from 'kysely';
import { recordAudit } from '../audit/index.ts';
import { type Failure, failure, newId, type RequestContext } from '../core/index.ts';
import type { AuditChange, Tx } from '../db/index.ts';
import { emitEvents } from '../events/index.ts';
import { type DirectoryDeps, pastRetention } from './deps.ts';
import { applyChanges, serialiseManagerChanges } from './user-apply.ts';
import { rowToUser, type User, type UserRow } from './user-attributes.ts';
import { mergeUser, sameAttributes, withMeta } from './user-merge.ts';
import {
  type UserCreateInput,
  type UserPatchInput,
  userCreateSchema,
  userPatchSchema,
} from './user-schemas.ts';
import type { UserChange } from './user-writes.ts';

/**
 * The directory side of a synchronisation (inbound HR records today): the caller matched each record
 * to a stored user (or none) under lock and says what it wants; this validates, merges and writes every
 * item in the caller's transaction, so the caller's own bookkeeping (provisioning log, lifecycle
 * events) commits with the change or not at all.
 */
export interface SyncItem {
  /** The matched user as read under lock by `lockUsersBy`, or null to create one. */
  before: User | null;
  /** Attributes the source owns; absent keys keep their stored value. */
  input: Record<string, unknown>;
  /** Bring a soft-deleted `before` back (a rehire). Without it a deleted match is updated in the bin. */
  restore?: boolean;
}

export type SyncOutcome =
  | { kind: 'created'; user: User; changes: AuditChange[] }
  | { kind: 'updated'; user: User; before: User; changes: AuditChange[]; restored: boolean }
  | { kind: 'unchanged'; user: User }
  | { kind: 'failed'; error: Failure };

export type SyncKey = 'externalId' | 'employeeId' | 'userName';

const keyColumn = { externalId: 'external_id', employeeId: 'employee_id', userName: 'user_name' } as const;

const norm = (attribute: SyncKey, value: string) => (attribute === 'userName' ? value.toLowerCase() : value);

/** Users (live or deleted) whose `attribute` is one of `values`, locked for update, keyed by value. */
export async function lockUsersBy(
  tx: Tx,
  attribute: SyncKey,
  values: readonly string[],
): Promise<Map<string, User>> {
  const out = new Map<string, User>();
  const wanted = [...new Set(values.map((v) => norm(attribute, v)))];
  if (wanted.length === 0) return out;
  const column = keyColumn[attribute];
  const rows = await tx
    .selectFrom('users')
    .selectAll()
    .where((eb) =>
      attribute === 'userName'
        ? eb(eb.fn('lower', ['user_name']), '=', eb.fn.any(eb.val(wanted)))
        : eb(column, '=', eb.fn.any(eb.val(wanted))),
    )
    // Id order: two transactions locking overlapping sets always lock in the same order (no deadlock).
    .orderBy('id')
    .forNoKeyUpdate()
    .execute();
  for (const row of rows) {
    const user = rowToUser(row as unknown as UserRow);
    const value = user[attribute];
    if (value) out.set(norm(attribute, value), user);
  }
  return out;
}

/** Users (live or deleted) by id, locked for update. */
export async function lockUsersById(tx: Tx, ids: readonly string[]): Promise<Map<string, User>> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return new Map();
  const rows = await tx
    .selectFrom('users')
    .selectAll()
    .where('id', '=', (eb) => eb.fn.any(eb.val(wanted)))
    .orderBy('id')
    .forNoKeyUpdate()
    .execute();
  return new Map(rows.map((r) => [r.id, rowToUser(r as unknown as UserRow)]));
}

/** Live users whose `attribute` is one of `values` (no lock): manager look-ups. */
export async function findLiveUsersBy(
  tx: Tx,
  attribute: SyncKey,
  values: readonly string[],
): Promise<Map<string, { id: string; version: number }>> {
  const out = new Map<string, { id: string; version: number }>();
  const wanted = [...new Set(values.map((v) => norm(attribute, v)))];
  if (wanted.length === 0) return out;
  const column = keyColumn[attribute];
  const rows = await tx
    .selectFrom('users')
    .select(['id', 'version', column])
    .where((eb) =>
      attribute === 'userName'
        ? eb(eb.fn('lower', ['user_name']), '=', eb.fn.any(eb.val(wanted)))
        : eb(column, '=', eb.fn.any(eb.val(wanted))),
    )
    .where('deleted_at', 'is', null)
    .execute();
  for (const row of rows) {
    const value = (row as Record<string, unknown>)[column];
    if (typeof value === 'string') out.set(norm(attribute, value), { id: row.id, version: row.version });
  }
  return out;
}

/** Attributes a generated value can be checked against (Entra's SelectUniqueValue). */
export type UniqueCheckAttribute = SyncKey | 'displayName' | 'email';

/** True when no user, live or deleted (deleted users keep their values until purged), holds `value`. */
export async function isValueFree(tx: Tx, attribute: UniqueCheckAttribute, value: string): Promise<boolean> {
  const lower = value.toLowerCase();
  const query =
    attribute === 'email'
      ? sql`select 1 from users where joinery_email_list(emails) @> array[${lower}]::text[] limit 1`
      : attribute === 'displayName'
        ? sql`select 1 from users where lower(display_name) = ${lower} limit 1`
        : attribute === 'userName'
          ? sql`select 1 from users where lower(user_name) = ${lower} limit 1`
          : sql`select 1 from users where ${sql.ref(keyColumn[attribute])} = ${value} limit 1`;
  const { rows } = await query.execute(tx);
  return rows.length === 0;
}

function invalid(issues: { path: PropertyKey[]; message: string }[]): Failure {
  const message = issues.map((i) => `${i.path.map(String).join('.') || 'user'}: ${i.message}`).join('; ');
  return failure('directory.invalid_value', message, {
    issues: issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  });
}

/**
 * Validates, merges and writes `items` in `tx`. Per-item outcomes: an item that fails validation,
 * uniqueness or an unknown manager fails alone. Throws ManagerCycleError (the caller's transaction must
 * roll back) when the batch would close a manager loop.
 */
export async function syncUsers(
  tx: Tx,
  deps: DirectoryDeps,
  ctx: RequestContext,
  items: readonly SyncItem[],
): Promise<SyncOutcome[]> {
  const now = deps.clock.now();
  const stamp = now.toISOString();
  const outcomes: (SyncOutcome | null)[] = [];
  const changes: UserChange[] = [];
  const restoring = new Set<string>();
  if (items.some((i) => i.before !== null && 'managerId' in i.input)) await serialiseManagerChanges(tx);
  for (const item of items) {
    // Most HR records change nothing: when the raw input merged onto the stored user gives the stored
    // user, it is valid (the stored values are) and unchanged, so validation can be skipped.
    if (item.before && !(item.before.deletedAt && item.restore)) {
      const quick = mergeUser(item.before, item.input as UserPatchInput);
      if (sameAttributes(quick, item.before)) {
        outcomes.push({ kind: 'unchanged', user: item.before });
        continue;
      }
    }
    const parsed = item.before
      ? userPatchSchema.safeParse(item.input)
      : userCreateSchema.safeParse(item.input);
    if (!parsed.success) {
      outcomes.push({ kind: 'failed', error: invalid(parsed.error.issues) });
      continue;
    }
    const before = item.before;
    const restore = Boolean(before?.deletedAt && item.restore);
    if (before?.deletedAt && restore && pastRetention(deps, before.deletedAt, now)) {
      outcomes.push({
        kind: 'failed',
        error: failure(
          'directory.restore_window_passed',
          `user ${before.id} was deleted more than ${deps.retentionDays} days ago and can no longer be restored`,
          { id: before.id, deletedAt: before.deletedAt },
        ),
      });
      continue;
    }
    const attributes = mergeUser(before, parsed.data as UserCreateInput | UserPatchInput);
    if (before && attributes.managerId === before.id) {
      outcomes.push({
        kind: 'failed',
        error: failure('directory.manager_cycle', 'a user cannot be their own manager', {
          userIds: [before.id],
        }),
      });
      continue;
    }
    if (before && !restore && sameAttributes(attributes, before)) {
      outcomes.push({ kind: 'unchanged', user: before });
      continue;
    }
    const after = withMeta(attributes, {
      id: before?.id ?? newId(),
      createdAt: before?.createdAt ?? stamp,
      updatedAt: stamp,
      version: before ? before.version + 1 : 1,
      deletedAt: restore ? null : (before?.deletedAt ?? null),
    });
    if (restore) restoring.add(after.id);
    changes.push({ before, after });
    outcomes.push(null);
  }
  const { failures, changed } = await applyChanges(tx, deps, ctx, changes);
  const restored = changes.filter((c) => restoring.has(c.after.id) && !failures.has(c.after.id));
  if (restored.length > 0) {
    await recordAudit(
      tx,
      deps.clock,
      ctx,
      restored.map((c) => ({
        action: 'user.restore',
        targetType: 'user',
        targetId: c.after.id,
        changes: [{ attribute: 'deletedAt', before: c.before?.deletedAt ?? null, after: null }],
      })),
    );
    await emitEvents(
      tx,
      deps.clock,
      ctx,
      restored.map((c) => ({
        type: 'user.restored' as const,
        aggregateType: 'user' as const,
        aggregateId: c.after.id,
      })),
    );
  }
  let next = 0;
  return outcomes.map((o) => {
    if (o) return o;
    const change = changes[next++] as UserChange;
    const failed = failures.get(change.after.id);
    if (failed) return { kind: 'failed', error: failed };
    const diff = changed.get(change.after.id) ?? [];
    if (!change.before) return { kind: 'created', user: change.after, changes: diff };
    return {
      kind: 'updated',
      user: change.after,
      before: change.before,
      changes: diff,
      restored: restoring.has(change.after.id),
    };
  });
}

/** Sets managers of existing users (references resolved late), in `tx`. Unknown or deleted users are skipped. */
export async function setManagers(
  tx: Tx,
  deps: DirectoryDeps,
  ctx: RequestContext,
  pairs: readonly { userId: string; managerId: string | null }[],
): Promise<SyncOutcome[]> {
  if (pairs.length === 0) return [];
  const ids = [...new Set(pairs.map((p) => p.userId))];
  const rows = await tx
    .selectFrom('users')
    .selectAll()
    .where('id', '=', (eb) => eb.fn.any(eb.val(ids)))
    .where('deleted_at', 'is', null)
    .orderBy('id')
    .forNoKeyUpdate()
    .execute();
  const users = new Map(rows.map((r) => [r.id, rowToUser(r as unknown as UserRow)]));
  const items: SyncItem[] = [];
  for (const p of pairs) {
    const before = users.get(p.userId);
    if (before) items.push({ before, input: { managerId: p.managerId } });
  }
  return syncUsers(tx, deps, ctx, items);
}
