import { type RawBuilder, sql } from 'kysely';
import { err, failure, ok, type Result } from '../core/index.ts';
import type { Scope } from './definition.ts';
import { parseRule } from './rule.ts';
import type { WorkflowsDeps } from './types.ts';

type Sql = RawBuilder<unknown>;

/**
 * A workflow's scope as one predicate over the `users` table (unqualified columns: use it where
 * `users` is the only table in scope). Groups count their nested groups' members.
 */
export async function scopePredicate(deps: WorkflowsDeps, scope: Scope): Promise<Result<Sql>> {
  const parts: Sql[] = [];
  if (scope.rule) {
    const parsed = parseRule(scope.rule);
    if (!parsed.ok) return err(failure('workflows.invalid_workflow', `scope.rule: ${parsed.message}`));
    const compiled = await deps.directory.userFilterPredicate(parsed.filter);
    if (!compiled.ok)
      return err(failure('workflows.invalid_workflow', `scope.rule: ${compiled.error.detail}`));
    parts.push(compiled.value);
  }
  if (scope.groupIds && scope.groupIds.length > 0) parts.push(inGroupsSql(scope.groupIds));
  if (parts.length === 0) return ok(sql`true`);
  return ok(sql`(${sql.join(parts, sql` and `)})`);
}

/** Direct or nested members of any of the groups. */
export function inGroupsSql(groupIds: readonly string[]): Sql {
  return sql`id in (
    select gm.member_user_id from group_members gm
     where gm.member_user_id is not null and gm.group_id in (
       with recursive tree(id) as (
         select unnest(${[...groupIds]}::uuid[])
         union
         select n.member_group_id from group_members n join tree on n.group_id = tree.id
          where n.member_group_id is not null
       ) select tree.id from tree))`;
}
