import type { Tx } from '../db/index.ts';
import type { DefinitionIssue, WorkflowDefinition } from './definition.ts';
import { parseRule } from './rule.ts';
import type { WorkflowsDeps } from './types.ts';

/** Placeholder names of a template text already checked well-formed. */
const placeholdersIn = (text: string) =>
  [...text.matchAll(/\{\{\s*([^{}\s]+)\s*\}\}/g)].map((m) => m[1] as string);

/** `activation.*` exists only in the activation code e-mail, `changes` only in a mover notice. */
function placeholderAvailable(task: string, name: string): boolean {
  if (name.startsWith('activation.')) return task === 'generateActivationCode';
  if (name === 'changes') return task === 'notifyManagerOfMove';
  return true;
}

/**
 * The scope rule names known attributes. Outside any transaction: the directory compiles it with a
 * read of its own (the declared extension schemas).
 */
export async function checkRule(
  deps: WorkflowsDeps,
  definition: WorkflowDefinition,
): Promise<DefinitionIssue[]> {
  if (!definition.scope.rule) return [];
  const parsed = parseRule(definition.scope.rule);
  if (!parsed.ok) return [{ field: 'scope.rule', message: parsed.message }];
  const compiled = await deps.directory.userFilterPredicate(parsed.filter);
  return compiled.ok ? [] : [{ field: 'scope.rule', message: compiled.error.detail }];
}

/**
 * Checks that need the transaction or the other modules: the groups and extensions exist, custom
 * e-mail texts use known placeholders. The shape and the rule were checked before.
 */
export async function checkReferences(
  deps: WorkflowsDeps,
  tx: Tx,
  definition: WorkflowDefinition,
): Promise<DefinitionIssue[]> {
  const issues: DefinitionIssue[] = [];
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
      const field = `tasks.${n}.arguments.${key}`;
      const checked = deps.mailer.checkTemplate(text);
      if (!checked.ok) {
        issues.push({ field, message: checked.error.message });
        continue;
      }
      // Well-formed and known, but the task may have no value for it: it would come out blank.
      const unavailable = placeholdersIn(text).find((name) => !placeholderAvailable(task.task, name));
      if (unavailable)
        issues.push({ field, message: `{{${unavailable}}} has no value in a ${task.task} e-mail` });
    }
    if (
      task.task === 'generateActivationCode' &&
      typeof args.body === 'string' &&
      !placeholdersIn(args.body).includes('activation.code')
    )
      issues.push({
        field: `tasks.${n}.arguments.body`,
        message: 'a custom activation e-mail must contain {{activation.code}}, or nobody receives the code',
      });
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
