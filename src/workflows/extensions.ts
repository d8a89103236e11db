import { z } from 'zod';
import { recordAudit } from '../audit/index.ts';
import { err, failure, newId, ok, REDACTED_SECRET, type RequestContext, type Result } from '../core/index.ts';
import type { Tx } from '../db/index.ts';
import type { WorkflowsDeps } from './types.ts';

/** Headers Joinery sets itself (the signature and the idempotency key would break) or the HTTP client owns. */
const reservedHeaders = new Set([
  'content-type',
  'content-length',
  'host',
  'connection',
  'transfer-encoding',
  'idempotency-key',
  'x-joinery-timestamp',
  'x-joinery-signature',
]);

/** A custom task extension: your endpoint, called with a signed request when a workflow reaches it. */
export const extensionSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).default(''),
  endpoint: z.url({ protocol: /^https?$/, error: 'must be an absolute http or https URL' }),
  /** Key of the HMAC-SHA256 signature on every request (sealed at rest, shown as ********). */
  secret: z.string().min(16, 'must be at least 16 characters').max(500),
  timeoutSeconds: z.int().min(1).max(120).default(30),
  /** launchAndContinue: the task is done once the endpoint accepts. launchAndWait: the run waits for its callback. */
  mode: z.enum(['launchAndContinue', 'launchAndWait']).default('launchAndContinue'),
  /** How long a launchAndWait task waits for its callback before it fails. */
  callbackTimeoutMinutes: z.int().min(1).max(10_080).default(60),
  /** Extra request headers (not secret: they are shown as stored). Joinery's own may not be replaced. */
  headers: z
    .record(z.string(), z.string().max(1000))
    .superRefine((headers, ctx) => {
      for (const name of Object.keys(headers)) {
        if (!/^[A-Za-z0-9-]+$/.test(name))
          ctx.addIssue({ code: 'custom', path: [name], message: 'must be a header name' });
        else if (reservedHeaders.has(name.toLowerCase()))
          ctx.addIssue({ code: 'custom', path: [name], message: 'is set by Joinery on every request' });
      }
    })
    .default({}),
});
export type ExtensionDefinition = z.output<typeof extensionSchema>;

export interface Extension extends Omit<ExtensionDefinition, 'secret'> {
  id: string;
  secret: typeof REDACTED_SECRET;
  createdAt: string;
  updatedAt: string;
}

interface ExtensionRow {
  id: string;
  config: Record<string, unknown>;
  created_at: Date | string;
  updated_at: Date | string;
}

const view = (row: ExtensionRow): Extension => ({
  ...(row.config as unknown as ExtensionDefinition),
  id: row.id,
  secret: REDACTED_SECRET,
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

export const extensionNotFound = (id: string) =>
  failure('workflows.extension_not_found', `custom task extension ${id} does not exist`, { id });

const extensionExists = (name: string) =>
  failure('workflows.extension_exists', `a custom task extension named "${name}" exists`, { name });

async function nameTaken(tx: Tx, name: string, exceptId?: string): Promise<boolean> {
  let q = tx
    .selectFrom('workflow_extensions')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()));
  if (exceptId) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

/** Two writers of one name at once both pass the check; the unique index stops the second. */
function nameRace<T>(error: unknown, name: string): Result<T> {
  const e = error as { code?: string; constraint?: string } | null;
  if (e?.code === '23505' && e.constraint === 'workflow_extensions_name_idx')
    return err(extensionExists(name));
  throw error;
}

function parse(input: unknown): Result<ExtensionDefinition> {
  const parsed = extensionSchema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  const issues = parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'body', message: i.message }));
  return err(
    failure(
      'workflows.invalid_extension',
      `invalid custom task extension: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
      { issues },
    ),
  );
}

export async function createExtension(
  deps: WorkflowsDeps,
  ctx: RequestContext,
  input: unknown,
): Promise<Result<Extension>> {
  const parsed = parse(input);
  if (!parsed.ok) return parsed;
  const def = parsed.value;
  const now = deps.clock.now();
  const created = deps.db.transaction().execute(async (tx) => {
    if (await nameTaken(tx, def.name)) return err(extensionExists(def.name));
    const row = await tx
      .insertInto('workflow_extensions')
      .values({
        id: newId(),
        name: def.name,
        config: JSON.stringify({ ...def, secret: deps.secrets.seal(def.secret) }),
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, deps.clock, ctx, [
      {
        action: 'workflow.extension.create',
        targetType: 'workflow_extension',
        targetId: row.id,
        details: { name: def.name, endpoint: def.endpoint },
      },
    ]);
    return ok(view(row));
  });
  return created.catch((error: unknown) => nameRace(error, def.name));
}

/** Replaces the definition; `secret: "********"` keeps the stored secret. */
export async function updateExtension(
  deps: WorkflowsDeps,
  ctx: RequestContext,
  id: string,
  input: unknown,
): Promise<Result<Extension>> {
  const updated = deps.db.transaction().execute(async (tx) => {
    const current = await tx
      .selectFrom('workflow_extensions')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!current) return err(extensionNotFound(id));
    const stored = current.config as unknown as ExtensionDefinition;
    const raw =
      typeof input === 'object' && input !== null ? { ...(input as Record<string, unknown>) } : input;
    const keep =
      typeof raw === 'object' && raw !== null && (raw as Record<string, unknown>).secret === REDACTED_SECRET;
    if (keep) (raw as Record<string, unknown>).secret = deps.secrets.open(stored.secret);
    const parsed = parse(raw);
    if (!parsed.ok) return parsed;
    if (await nameTaken(tx, parsed.value.name, id)) return err(extensionExists(parsed.value.name));
    const row = await tx
      .updateTable('workflow_extensions')
      .set({
        name: parsed.value.name,
        config: JSON.stringify({ ...parsed.value, secret: deps.secrets.seal(parsed.value.secret) }),
        updated_at: deps.clock.now(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(tx, deps.clock, ctx, [
      {
        action: 'workflow.extension.update',
        targetType: 'workflow_extension',
        targetId: id,
        details: { name: parsed.value.name, endpoint: parsed.value.endpoint, secretChanged: !keep },
      },
    ]);
    return ok(view(row));
  });
  const name = (input as { name?: unknown } | null)?.name;
  return updated.catch((error: unknown) => nameRace(error, typeof name === 'string' ? name.trim() : ''));
}

export async function listExtensions(deps: WorkflowsDeps): Promise<Extension[]> {
  const rows = await deps.db.selectFrom('workflow_extensions').selectAll().orderBy('name').execute();
  return rows.map(view);
}

export async function getExtension(deps: WorkflowsDeps, id: string): Promise<Result<Extension>> {
  const row = await deps.db
    .selectFrom('workflow_extensions')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? ok(view(row)) : err(extensionNotFound(id));
}

/** The definition with its secret opened, for the executor only. */
export async function loadExtension(deps: WorkflowsDeps, id: string): Promise<ExtensionDefinition | null> {
  const row = await deps.db
    .selectFrom('workflow_extensions')
    .select('config')
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return null;
  const def = row.config as unknown as ExtensionDefinition;
  return { ...def, secret: deps.secrets.open(def.secret) };
}
