import type { Tx } from '../db/index.ts';
import type { DefinitionIssue, WorkflowDefinition } from './definition.ts';
import { parseRule } from './rule.ts';
import type { WorkflowsDeps } from './types.ts';

/**
 * Checks that need the database or the other modules: the scope rule names known attributes, the
 * groups and extensions exist, custom e-mail texts use known placeholders. The shape was parsed before.
 */
export async function checkReferences(
  deps: WorkflowsDeps,
  tx: Tx,
  definition: WorkflowDefinition,
): Promise<DefinitionIssue[]> {
  const issues: DefinitionIssue[] = [];
  if (definition.scope.rule) {
    const parsed = parseRule(definition.scope.rule);
    if (!parsed.ok) issues.push({ field: 'scope.rule', message: parsed.message });
    else {
      const compiled = await deps.directory.userFilterPredicate(parsed.filter);
      if (!compiled.ok) issues.push({ field: 'scope.rule', message: compiled.error.detail });
    }
  }
  const groupFields: { field: string; id: string }[] = [];
  for (const id of definition.scope.groupIds ?? []) groupFields.push({ field: 'scope.groupIds', id });
  const extensionFields: { field: string; id: string }[] = [];
  definition.tasks.forEach((task, n) => {
    const args = task.arguments;
    if (Array.isArray(args.groupIds))
      for (const id of args.groupIds as string[])
        groupFields.push({ field: `tasks.${n}.arguments.groupIds`, id });
    if (typeof args.extensionId === 'string')
      extensionFields.push({ field: `tasks.${n}.arguments.extensionId`, id: args.extensionId });
    for (const key of ['subject', 'body'] as const) {
      const text = args[key];
      if (typeof text !== 'string') continue;
      const checked = deps.mailer.checkTemplate(text);
      if (!checked.ok) issues.push({ field: `tasks.${n}.arguments.${key}`, message: checked.error.message });
    }
  });
  const missing = new Set(
    await deps.directory.sync.missingGroups(
      tx,
      groupFields.map((g) => g.id),
    ),
  );
  for (const g of groupFields)
    if (missing.has(g.id)) issues.push({ field: g.field, message: `group ${g.id} does not exist` });
  if (extensionFields.length > 0) {
    const found = await tx
      .selectFrom('workflow_extensions')
      .select('id')
      .where(
        'id',
        'in',
        extensionFields.map((e) => e.id),
      )
      .execute();
    const known = new Set(found.map((r) => r.id));
    for (const e of extensionFields)
      if (!known.has(e.id))
        issues.push({ field: e.field, message: `custom task extension ${e.id} does not exist` });
  }
  return issues;
}
