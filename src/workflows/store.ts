import { sql } from 'kysely';
import { recordAudit } from '../audit/index.ts';
import { err, failure, newId, ok, type RequestContext, type Result } from '../core/index.ts';
import type { Tx } from '../db/index.ts';
import { type DefinitionIssue, parseDefinition, type WorkflowDefinition } from './definition.ts';
import { findTemplate } from './templates.ts';
import type { WorkflowsDeps } from './types.ts';
import { checkReferences, checkRule } from './validate.ts';

export interface Workflow {
  id: string;
  name: string;
  description: string;
  category: WorkflowDefinition['category'];
  enabled: boolean;
  version: number;
  definition: WorkflowDefinition;
  createdAt: string;
  updatedAt: string;
}

interface WorkflowRow {
  id: string;
  name: string;
  category: string;
  enabled: boolean;
  version: number;
  definition: Record<string, unknown>;
  created_at: Date | string;
  updated_at: Date | string;
}

export function rowToWorkflow(row: WorkflowRow): Workflow {
  const definition = { ...(row.definition as unknown as WorkflowDefinition), enabled: row.enabled };
  return {
    id: row.id,
    name: row.name,
    description: definition.description,
    category: definition.category,
    enabled: row.enabled,
    version: row.version,
    definition,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export const workflowNotFound = (id: string) =>
  failure('workflows.workflow_not_found', `workflow ${id} does not exist`, { id });

const invalid = (issues: DefinitionIssue[]) =>
  failure(
    'workflows.invalid_workflow',
    `invalid workflow: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
    { issues },
  );

/** `{ template: id, ...overrides }` becomes the template's definition with the overrides on top. */
function withTemplate(input: unknown): Result<unknown> {
  if (typeof input !== 'object' || input === null || !('template' in input)) return ok(input);
  const { template, ...overrides } = input as Record<string, unknown>;
  const found = typeof template === 'string' ? findTemplate(template) : undefined;
  if (!found)
    return err(
      failure('workflows.template_not_found', `no workflow template "${String(template)}"`, { template }),
    );
  return ok({ ...found.definition, ...overrides });
}

const saysEnabled = (input: unknown) =>
  typeof input === 'object' &&
  input !== null &&
  typeof (input as Record<string, unknown>).enabled === 'boolean';

/**
 * The definition parsed and checked. The scope rule is compiled before any transaction opens: compiling
 * reads the directory's extension schemas on a connection of its own, which the embedded store (one
 * connection) could not give while a transaction holds it. `checked` then runs the checks that must
 * see the transaction (groups and extensions that exist).
 */
async function parseDefinitionInput(
  deps: WorkflowsDeps,
  input: unknown,
): Promise<Result<WorkflowDefinition>> {
  const expanded = withTemplate(input);
  if (!expanded.ok) return expanded;
  const parsed = parseDefinition(expanded.value);
  if (!parsed.ok) return err(invalid(parsed.issues));
  const issues = await checkRule(deps, parsed.value);
  return issues.length > 0 ? err(invalid(issues)) : ok(parsed.value);
}

async function checked(
  deps: WorkflowsDeps,
  tx: Tx,
  definition: WorkflowDefinition,
): Promise<Result<WorkflowDefinition>> {
  const issues = await checkReferences(deps, tx, definition);
  return issues.length > 0 ? err(invalid(issues)) : ok(definition);
}

const nameTaken = (name: string) =>
  failure('workflows.workflow_exists', `a workflow named "${name}" already exists`, { name });

async function nameInUse(tx: Tx, name: string, exceptId?: string): Promise<boolean> {
  let q = tx
    .selectFrom('workflows')
    .select('id')
    .where(sql<boolean>`lower(name) = lower(${name})`)
    .where('deleted_at', 'is', null);
  if (exceptId) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

/** Stores a definition as the workflow's next version (the first for a new workflow). */
async function writeVersion(
  deps: WorkflowsDeps,
  tx: Tx,
  ctx: RequestContext,
  id: string,
  version: number,
  definition: WorkflowDefinition,
) {
  const { enabled: _ignored, ...stored } = definition;
  await tx
    .insertInto('workflow_versions')
    .values({
      workflow_id: id,
      version,
      definition: JSON.stringify(stored),
      created_at: deps.clock.now(),
      actor: JSON.stringify(ctx.actor),
    })
    .execute();
  return stored;
}

export async function createWorkflow(
  deps: WorkflowsDeps,
  ctx: RequestContext,
  input: unknown,
): Promise<Result<Workflow>> {
  const parsed = await parseDefinitionInput(deps, input);
  if (!parsed.ok) return parsed;
  const created = deps.db.transaction().execute(async (tx) => {
    const valid = await checked(deps, tx, parsed.value);
    if (!valid.ok) return valid;
    const def = valid.value;
    if (await nameInUse(tx, def.name)) return err(nameTaken(def.name));
    const id = newId();
    const now = deps.clock.now();
    await tx
      .insertInto('workflows')
      .values({
        id,
        name: def.name,
        category: def.category,
        enabled: def.enabled,
        version: 1,
        definition: '{}',
        created_at: now,
        updated_at: now,
      })
      .execute();
    const stored = await writeVersion(deps, tx, ctx, id, 1, def);
    const row = await tx
      .updateTable('workflows')
      .set({ definition: JSON.stringify(stored) })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, deps.clock, ctx, [
      {
        action: 'workflow.create',
        targetType: 'workflow',
        targetId: id,
        details: { name: def.name, version: 1 },
      },
    ]);
    return ok(rowToWorkflow(row as unknown as WorkflowRow));
  });
  return created.catch((error: unknown) => nameRace(error, parsed.value.name));
}

/**
 * Two creates (or renames) of one name at once both pass the check; the unique index stops the second.
 * It gets the answer the check would have given.
 */
function nameRace<T>(error: unknown, name: string): Result<T> {
  const e = error as { code?: string; constraint?: string } | null;
  if (e?.code === '23505' && e.constraint === 'workflows_name_idx') return err(nameTaken(name));
  throw error;
}

/** Replaces the definition: a new version. Runs already made keep theirs. */
export async function updateWorkflow(
  deps: WorkflowsDeps,
  ctx: RequestContext,
  id: string,
  input: unknown,
  options: { ifVersion?: number } = {},
): Promise<Result<Workflow>> {
  const parsed = await parseDefinitionInput(deps, input);
  const updated = deps.db.transaction().execute(async (tx) => {
    const current = await lockWorkflow(tx, id);
    if (!current) return err(workflowNotFound(id));
    if (options.ifVersion !== undefined && options.ifVersion !== current.version)
      return err(
        failure(
          'workflows.version_mismatch',
          `workflow ${id} is at version ${current.version}, not ${options.ifVersion}`,
          {
            id,
            version: current.version,
          },
        ),
      );
    if (!parsed.ok) return parsed;
    const valid = await checked(deps, tx, parsed.value);
    if (!valid.ok) return valid;
    const def = valid.value;
    if (await nameInUse(tx, def.name, id)) return err(nameTaken(def.name));
    const version = current.version + 1;
    const stored = await writeVersion(deps, tx, ctx, id, version, def);
    // An edit that does not say `enabled` leaves it as it is: editing a disabled workflow's texts
    // must not set it running.
    const enabled = saysEnabled(input) ? def.enabled : current.enabled;
    const row = await tx
      .updateTable('workflows')
      .set({
        name: def.name,
        category: def.category,
        enabled,
        version,
        definition: JSON.stringify(stored),
        updated_at: deps.clock.now(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, deps.clock, ctx, [
      {
        action: 'workflow.update',
        targetType: 'workflow',
        targetId: id,
        changes: [
          { attribute: 'version', before: current.version, after: version },
          ...(enabled === current.enabled
            ? []
            : [{ attribute: 'enabled', before: current.enabled, after: enabled }]),
        ],
        details: { name: def.name },
      },
    ]);
    return ok(rowToWorkflow(row as unknown as WorkflowRow));
  });
  return updated.catch((error: unknown) =>
    parsed.ok ? nameRace(error, parsed.value.name) : Promise.reject(error),
  );
}

/** Enabling or disabling is not an edit: the version stays. */
export async function setEnabled(
  deps: WorkflowsDeps,
  ctx: RequestContext,
  id: string,
  enabled: boolean,
): Promise<Result<Workflow>> {
  return deps.db.transaction().execute(async (tx) => {
    const current = await lockWorkflow(tx, id);
    if (!current) return err(workflowNotFound(id));
    const row = await tx
      .updateTable('workflows')
      .set({ enabled, updated_at: deps.clock.now() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    if (current.enabled !== enabled)
      await recordAudit(tx, deps.clock, ctx, [
        {
          action: enabled ? 'workflow.enable' : 'workflow.disable',
          targetType: 'workflow',
          targetId: id,
          changes: [{ attribute: 'enabled', before: current.enabled, after: enabled }],
        },
      ]);
    return ok(rowToWorkflow(row as unknown as WorkflowRow));
  });
}

/** Soft delete: the workflow stops; its runs and versions stay readable. */
export async function deleteWorkflow(
  deps: WorkflowsDeps,
  ctx: RequestContext,
  id: string,
): Promise<Result<{ deleted: true }>> {
  return deps.db.transaction().execute(async (tx) => {
    const current = await lockWorkflow(tx, id);
    if (!current) return err(workflowNotFound(id));
    const now = deps.clock.now();
    await tx
      .updateTable('workflows')
      .set({ deleted_at: now, enabled: false, updated_at: now })
      .where('id', '=', id)
      .execute();
    // Queued runs of a deleted workflow would act for a definition nobody can see any more.
    await tx
      .updateTable('workflow_runs')
      .set({ status: 'cancelled', finished_at: now })
      .where('workflow_id', '=', id)
      .where('status', 'in', ['queued', 'waiting'])
      .execute();
    await recordAudit(tx, deps.clock, ctx, [
      { action: 'workflow.delete', targetType: 'workflow', targetId: id, details: { name: current.name } },
    ]);
    return ok({ deleted: true as const });
  });
}

async function lockWorkflow(tx: Tx, id: string): Promise<Workflow | null> {
  const row = await tx
    .selectFrom('workflows')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
  return row ? rowToWorkflow(row as unknown as WorkflowRow) : null;
}

export async function getWorkflow(deps: WorkflowsDeps, id: string): Promise<Result<Workflow>> {
  const row = await deps.db
    .selectFrom('workflows')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row ? ok(rowToWorkflow(row as unknown as WorkflowRow)) : err(workflowNotFound(id));
}

export async function listWorkflows(deps: WorkflowsDeps, query: { category?: string }): Promise<Workflow[]> {
  let q = deps.db.selectFrom('workflows').selectAll().where('deleted_at', 'is', null);
  if (query.category) q = q.where('category', '=', query.category);
  const rows = await q.orderBy('name').execute();
  return rows.map((r) => rowToWorkflow(r as unknown as WorkflowRow));
}

export interface WorkflowVersion {
  version: number;
  definition: Omit<WorkflowDefinition, 'enabled'>;
  createdAt: string;
  actor: Record<string, unknown>;
}

/** Whether the workflow was ever made (a deleted one's versions and runs stay readable). */
export async function workflowExists(deps: WorkflowsDeps, id: string): Promise<boolean> {
  return (
    (await deps.db.selectFrom('workflows').select('id').where('id', '=', id).executeTakeFirst()) !== undefined
  );
}

export async function listVersions(deps: WorkflowsDeps, id: string): Promise<Result<WorkflowVersion[]>> {
  if (!(await workflowExists(deps, id))) return err(workflowNotFound(id));
  const rows = await deps.db
    .selectFrom('workflow_versions')
    .selectAll()
    .where('workflow_id', '=', id)
    .orderBy('version', 'desc')
    .execute();
  return ok(
    rows.map((r) => ({
      version: r.version,
      definition: r.definition as unknown as Omit<WorkflowDefinition, 'enabled'>,
      createdAt: new Date(r.created_at).toISOString(),
      actor: r.actor,
    })),
  );
}
