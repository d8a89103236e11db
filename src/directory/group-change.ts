import { err, ok, type RequestContext, type Result } from '../core/index.ts';
import type { DirectoryDeps } from './deps.ts';
import type { GroupCreateInput, GroupPatchInput, MemberRef } from './group-schemas.ts';
import {
  type Group,
  getGroup,
  groupNotFound,
  insertGroup,
  lockGroup,
  writeGroupAttributes,
} from './groups.ts';
import { deleteMembers, insertMembers, lockNesting, touchGroup } from './memberships.ts';
import { transact } from './transact.ts';
import { versionConflict } from './versioning.ts';

/** Attribute and membership changes of one group, applied together or not at all. */
export interface GroupChange {
  attributes?: GroupPatchInput;
  /**
   * Member ids to remove (non-members are skipped), or `all`: every member not listed in `add` (a
   * replacement, which leaves members that stay untouched). Applied before `add`.
   */
  remove?: readonly string[] | 'all';
  add?: MemberRef[];
  ifVersion?: number;
}

/**
 * One transaction for a SCIM PUT or PATCH of a group: its attributes and members change together, so
 * a failure (a missing member, a nesting loop) leaves the group exactly as it was.
 */
export async function changeGroup(
  deps: DirectoryDeps,
  ctx: RequestContext,
  id: string,
  change: GroupChange,
): Promise<Result<Group>> {
  const changed = await transact(deps.db, async (tx) => {
    if (change.add?.some((r) => r.type === 'group')) await lockNesting(tx);
    const before = await lockGroup(tx, id);
    if (!before || before.deletedAt) return err(groupNotFound(id));
    const stale = versionConflict('group', id, before.version, change.ifVersion);
    if (stale) return err(stale);
    let after = before;
    if (change.attributes) {
      const written = await writeGroupAttributes(tx, deps, ctx, before, change.attributes);
      if (!written.ok) return written;
      after = written.value;
    }
    let membership = 0;
    if (change.remove) {
      const which =
        change.remove === 'all' ? { allExcept: (change.add ?? []).map((r) => r.id) } : change.remove;
      membership += (await deleteMembers(tx, deps, ctx, id, which)).length;
    }
    if (change.add?.length) {
      const added = await insertMembers(tx, deps, ctx, id, change.add);
      if (!added.ok) return added;
      membership += added.value.added.length;
    }
    // One request moves the version once, whether attributes, members or both changed.
    if (membership > 0 && after.version === before.version) await touchGroup(tx, deps, id);
    return ok(null);
  });
  return changed.ok ? getGroup(deps, id) : changed;
}

/** Creates a group with its first members in one transaction (SCIM POST /Groups with members). */
export async function createGroupWithMembers(
  deps: DirectoryDeps,
  ctx: RequestContext,
  input: GroupCreateInput,
  members: MemberRef[],
): Promise<Result<Group>> {
  return transact(deps.db, async (tx) => {
    if (members.some((r) => r.type === 'group')) await lockNesting(tx);
    const created = await insertGroup(tx, deps, ctx, input);
    if (!created.ok || members.length === 0) return created;
    const added = await insertMembers(tx, deps, ctx, created.value.id, members);
    return added.ok ? created : err(added.error);
  });
}
