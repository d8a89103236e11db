import { type Failure, failure, newId, ok, type RequestContext, type Result } from '../core/index.ts';
import type { DirectoryDeps } from './deps.ts';
import { transact } from './transact.ts';
import { applyChanges, guardCycles, serialiseManagerChanges } from './user-apply.ts';
import { rowToUser, type User, type UserRow } from './user-attributes.ts';
import { mergeUser, sameAttributes, withMeta } from './user-merge.ts';
import type { UserCreateInput } from './user-schemas.ts';
import type { UserChange } from './user-writes.ts';

export type MatchKey = 'externalId' | 'employeeId' | 'userName';

export type UpsertOutcome =
  | { kind: 'created'; user: User }
  | { kind: 'updated'; user: User; changed: string[] }
  | { kind: 'unchanged'; user: User }
  | { kind: 'failed'; error: Failure };

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
      const { failures, changed } = await applyChanges(tx, deps, ctx, changes);
      return ok(
        outcomes.map((o) => {
          if (o.kind !== 'created' && o.kind !== 'updated') return o;
          const failed = failures.get(o.user.id);
          if (failed) return { kind: 'failed', error: failed } as const;
          if (o.kind === 'updated') {
            // The names the audit entry already holds: no second diff of every attribute.
            const names = (changed.get(o.user.id) ?? []).map((c) => c.attribute);
            return { kind: 'updated', user: o.user, changed: names } as const;
          }
          return o;
        }),
      );
    }),
  );
}
