import { recordAudit } from '../audit/index.ts';
import {
  err,
  failure,
  keepRedactedSecrets,
  newId,
  ok,
  openSecretPaths,
  type RequestContext,
  type Result,
  redactSecretPaths,
  sealSecretPaths,
} from '../core/index.ts';
import type { AppDefinition } from './app-schema.ts';
import { type CompiledApp, compileApp } from './compiled-app.ts';
import type { OutboundDeps } from './types.ts';

export interface Quarantine {
  reason: string;
  message: string;
  since: string;
  /** When the engine tries again. */
  retryAt: string;
  /** How many times in a row it went into quarantine (the retry interval doubles). */
  count: number;
}

export interface DeletionHold {
  since: string;
  pending: number;
  threshold: number;
  /** Set when an admin released the held deprovisions. */
  approvedAt?: string;
}

export interface OutboundApp {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  definition: AppDefinition;
  quarantine: Quarantine | null;
  hold: DeletionHold | null;
}

interface AppRow {
  id: string;
  version: number;
  config: Record<string, unknown>;
  quarantine: Record<string, unknown> | null;
  hold: Record<string, unknown> | null;
  created_at: Date | string;
  updated_at: Date | string;
}

export const rowToApp = (row: AppRow): OutboundApp => ({
  id: row.id,
  version: row.version,
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
  definition: row.config as unknown as AppDefinition,
  quarantine: (row.quarantine as unknown as Quarantine | null) ?? null,
  hold: (row.hold as unknown as DeletionHold | null) ?? null,
});

export const appNotFound = (id: string) =>
  failure('outbound.app_not_found', `application "${id}" does not exist`, { id });

function secretPathsOf(deps: OutboundDeps, definition: { connector?: { type?: unknown } }): string[] {
  const type = definition.connector?.type;
  const connector = typeof type === 'string' ? deps.connectors[type] : undefined;
  return (connector?.secretPaths ?? []).map((p) => `connector.config.${p}`);
}

/** The app as the API shows it: connector credentials replaced by a marker. */
export function redactApp(deps: OutboundDeps, app: OutboundApp): OutboundApp {
  return { ...app, definition: redactSecretPaths(app.definition, secretPathsOf(deps, app.definition)) };
}

/** The connector config with credentials in clear, for the moment a connector is built. */
export function openConnectorConfig(deps: OutboundDeps, app: CompiledApp): unknown {
  const paths = app.connector.secretPaths;
  return openSecretPaths(app.connectorConfig as Record<string, unknown>, paths, deps.secrets);
}

const seal = (deps: OutboundDeps, definition: AppDefinition): AppDefinition =>
  sealSecretPaths(definition, secretPathsOf(deps, definition), deps.secrets);

async function nameTaken(deps: OutboundDeps, name: string, exceptId?: string): Promise<boolean> {
  let q = deps.db
    .selectFrom('outbound_apps')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()));
  if (exceptId) q = q.where('id', '!=', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

const nameExists = (name: string) =>
  failure('outbound.app_exists', `an application named "${name}" already exists`, { name });

export async function getApp(deps: OutboundDeps, id: string): Promise<Result<OutboundApp>> {
  const row = await deps.db.selectFrom('outbound_apps').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? ok(rowToApp(row as unknown as AppRow)) : err(appNotFound(id));
}

export async function listApps(deps: OutboundDeps): Promise<OutboundApp[]> {
  const rows = await deps.db.selectFrom('outbound_apps').selectAll().orderBy('created_at').execute();
  return rows.map((r) => rowToApp(r as unknown as AppRow));
}

export async function createApp(
  deps: OutboundDeps,
  ctx: RequestContext,
  raw: unknown,
): Promise<Result<OutboundApp>> {
  const id = newId();
  const compiled = compileApp(id, 1, raw, deps.connectors);
  if (!compiled.ok) return compiled;
  const definition = seal(deps, compiled.value.definition);
  if (await nameTaken(deps, definition.name)) return err(nameExists(definition.name));
  return deps.db.transaction().execute(async (tx) => {
    const now = deps.clock.now();
    const row = await tx
      .insertInto('outbound_apps')
      .values({
        id,
        name: definition.name,
        config: JSON.stringify(definition),
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const app = rowToApp(row as unknown as AppRow);
    await recordAudit(tx, deps.clock, ctx, [
      {
        action: 'outbound.app.create',
        targetType: 'outbound_app',
        targetId: id,
        changes: [{ attribute: 'definition', before: null, after: redactApp(deps, app).definition }],
      },
    ]);
    return ok(app);
  });
}

export async function updateApp(
  deps: OutboundDeps,
  ctx: RequestContext,
  id: string,
  raw: unknown,
): Promise<Result<OutboundApp>> {
  const current = await getApp(deps, id);
  if (!current.ok) return current;
  const before = current.value;
  if (raw && typeof raw === 'object')
    keepRedactedSecrets(
      raw as Record<string, unknown>,
      before.definition as unknown as Record<string, unknown>,
      secretPathsOf(deps, before.definition),
    );
  const compiled = compileApp(id, before.version + 1, raw, deps.connectors);
  if (!compiled.ok) return compiled;
  const definition = seal(deps, compiled.value.definition);
  if (await nameTaken(deps, definition.name, id)) return err(nameExists(definition.name));
  return deps.db.transaction().execute(async (tx) => {
    const row = await tx
      .updateTable('outbound_apps')
      .set({
        name: definition.name,
        config: JSON.stringify(definition),
        version: before.version + 1,
        updated_at: deps.clock.now(),
      })
      .where('id', '=', id)
      .where('version', '=', before.version)
      .returningAll()
      .executeTakeFirst();
    if (!row)
      return err(
        failure('directory.version_mismatch', `application "${id}" changed meanwhile; retry`, { id }),
      );
    const after = rowToApp(row as unknown as AppRow);
    await recordAudit(tx, deps.clock, ctx, [
      {
        action: 'outbound.app.update',
        targetType: 'outbound_app',
        targetId: id,
        changes: [
          {
            attribute: 'definition',
            before: redactApp(deps, before).definition,
            after: redactApp(deps, after).definition,
          },
        ],
      },
    ]);
    return ok(after);
  });
}

export async function deleteApp(deps: OutboundDeps, ctx: RequestContext, id: string): Promise<Result<null>> {
  return deps.db.transaction().execute(async (tx) => {
    const row = await tx.deleteFrom('outbound_apps').where('id', '=', id).returning('id').executeTakeFirst();
    if (!row) return err(appNotFound(id));
    await recordAudit(tx, deps.clock, ctx, [
      { action: 'outbound.app.delete', targetType: 'outbound_app', targetId: id, changes: [] },
    ]);
    return ok(null);
  });
}

/** Compiled apps by id and version: expressions compile once per definition, not per batch. */
export function createAppCache(deps: OutboundDeps) {
  const cache = new Map<string, CompiledApp>();
  return async (id: string): Promise<Result<CompiledApp & { app: OutboundApp }>> => {
    const found = await getApp(deps, id);
    if (!found.ok) return found;
    const app = found.value;
    let compiled = cache.get(id);
    if (!compiled || compiled.version !== app.version) {
      const fresh = compileApp(id, app.version, app.definition, deps.connectors);
      if (!fresh.ok) return fresh;
      compiled = fresh.value;
      cache.set(id, compiled);
    }
    return ok({ ...compiled, app });
  };
}
