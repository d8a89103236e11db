import { recordAudit } from '../audit/index.ts';
import {
  err,
  failure,
  keepRedactedSecrets,
  ok,
  openSecretPaths,
  type RequestContext,
  type Result,
  redactSecretPaths,
  type SecretBox,
  sealSecretPaths,
} from '../core/index.ts';
import { type CompiledSource, compileSource } from './compiled-source.ts';
import { defaultHrSource } from './default-source.ts';
import { secretPaths } from './pull/index.ts';
import { type SourceConfig, sourceIdSchema } from './source-schema.ts';
import type { InboundDeps } from './types.ts';

export interface Source {
  id: string;
  version: number;
  watermark: string | null;
  createdAt: string;
  updatedAt: string;
  config: SourceConfig;
}

const pullSecrets = (config: SourceConfig): readonly string[] =>
  'pull' in config ? secretPaths(config.pull as never).map((p) => `pull.${p}`) : [];

/** The config as the API shows it: pull credentials replaced by a marker. */
export function redactSource(source: Source): Source {
  return { ...source, config: redactSecretPaths(source.config, pullSecrets(source.config)) };
}

/** Credentials as stored: sealed with the secrets key (values already sealed stay as they are). */
export const sealSecrets = (config: SourceConfig, box: SecretBox) =>
  sealSecretPaths(config, pullSecrets(config), box);

/** Credentials in clear, for the one moment a pull needs them. */
export const openSecrets = (config: SourceConfig, box: SecretBox) =>
  openSecretPaths(config, pullSecrets(config), box);

/** An update that sends the redaction marker back keeps the stored secret. */
function keepSecrets(next: Record<string, unknown>, previous: SourceConfig): void {
  keepRedactedSecrets(next, previous as unknown as Record<string, unknown>, pullSecrets(previous));
}

interface SourceRow {
  id: string;
  version: number;
  watermark: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  config: Record<string, unknown>;
}

function rowToSource(row: SourceRow): Source {
  return {
    id: row.id,
    version: row.version,
    watermark: row.watermark,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    config: row.config as unknown as SourceConfig,
  };
}

const notFound = (id: string) =>
  failure('inbound.source_not_found', `inbound source "${id}" does not exist`, { id });

export async function getSource(deps: InboundDeps, id: string): Promise<Result<Source>> {
  const row = await deps.db.selectFrom('inbound_sources').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? ok(rowToSource(row as unknown as SourceRow)) : err(notFound(id));
}

export async function listSources(deps: InboundDeps): Promise<Source[]> {
  const rows = await deps.db.selectFrom('inbound_sources').selectAll().orderBy('id').execute();
  return rows.map((r) => rowToSource(r as unknown as SourceRow));
}

/** Compiled sources by id and version: compiling expressions once per definition, not per batch. */
export function createSourceCache(deps: InboundDeps) {
  const cache = new Map<string, CompiledSource>();
  return async (id: string): Promise<Result<CompiledSource & { enabled: boolean }>> => {
    const found = await getSource(deps, id);
    if (!found.ok) return found;
    const { version, config } = found.value;
    let compiled = cache.get(id);
    if (!compiled || compiled.version !== version) {
      const fresh = compileSource(id, version, config);
      if (!fresh.ok) return fresh;
      compiled = fresh.value;
      cache.set(id, compiled);
    }
    return ok({ ...compiled, enabled: config.enabled });
  };
}

export async function createSource(
  deps: InboundDeps,
  ctx: RequestContext,
  id: string,
  raw: unknown,
): Promise<Result<Source>> {
  const idOk = sourceIdSchema.safeParse(id);
  if (!idOk.success) {
    return err(
      failure('inbound.invalid_source', `id: ${idOk.error.issues[0]?.message ?? 'invalid'}`, { id }),
    );
  }
  const compiled = compileSource(id, 1, raw);
  if (!compiled.ok) return compiled;
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (tx) => {
    const inserted = await tx
      .insertInto('inbound_sources')
      .values({
        id,
        name: compiled.value.config.name,
        type: compiled.value.config.type,
        enabled: compiled.value.config.enabled,
        config: JSON.stringify(sealSecrets(compiled.value.config, deps.secrets)),
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!inserted)
      return err(failure('inbound.source_exists', `inbound source "${id}" already exists`, { id }));
    const source = rowToSource(inserted as unknown as SourceRow);
    await recordAudit(tx, deps.clock, ctx, [
      {
        action: 'inbound.source.create',
        targetType: 'inbound_source',
        targetId: id,
        changes: [{ attribute: 'config', before: null, after: redactSource(source).config }],
      },
    ]);
    return ok(source);
  });
}

export async function updateSource(
  deps: InboundDeps,
  ctx: RequestContext,
  id: string,
  raw: unknown,
): Promise<Result<Source>> {
  return deps.db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom('inbound_sources')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) return err(notFound(id));
    const before = rowToSource(row as unknown as SourceRow);
    if (raw && typeof raw === 'object') keepSecrets(raw as Record<string, unknown>, before.config);
    const compiled = compileSource(id, before.version + 1, raw);
    if (!compiled.ok) return compiled;
    if (compiled.value.config.type !== before.config.type) {
      return err(
        failure(
          'inbound.wrong_source_type',
          `a source's type cannot change (${before.config.type}); create a new source`,
          { id },
        ),
      );
    }
    const updated = await tx
      .updateTable('inbound_sources')
      .set({
        name: compiled.value.config.name,
        enabled: compiled.value.config.enabled,
        config: JSON.stringify(sealSecrets(compiled.value.config, deps.secrets)),
        updated_at: deps.clock.now(),
        version: before.version + 1,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const after = rowToSource(updated as unknown as SourceRow);
    await recordAudit(tx, deps.clock, ctx, [
      {
        action: 'inbound.source.update',
        targetType: 'inbound_source',
        targetId: id,
        changes: [
          { attribute: 'config', before: redactSource(before).config, after: redactSource(after).config },
        ],
      },
    ]);
    return ok(after);
  });
}

export async function deleteSource(
  deps: InboundDeps,
  ctx: RequestContext,
  id: string,
): Promise<Result<null>> {
  return deps.db.transaction().execute(async (tx) => {
    const row = await tx.deleteFrom('inbound_sources').where('id', '=', id).returningAll().executeTakeFirst();
    if (!row) return err(notFound(id));
    await recordAudit(tx, deps.clock, ctx, [
      { action: 'inbound.source.delete', targetType: 'inbound_source', targetId: id, changes: [] },
    ]);
    return ok(null);
  });
}

/**
 * A fresh install gets the `hr` bulk-upload source with Entra's default mapping. "Fresh" is read from
 * the append-only audit log: once any source was ever created, an admin's deletion stays deleted.
 */
export async function ensureDefaultSource(deps: InboundDeps, ctx: RequestContext): Promise<void> {
  const any = await deps.db
    .selectFrom('audit_log')
    .select('id')
    .where('action', '=', 'inbound.source.create')
    .limit(1)
    .executeTakeFirst();
  if (any) return;
  const { id, ...config } = defaultHrSource;
  const created = await createSource(deps, ctx, id, config);
  if (!created.ok && created.error.code !== 'inbound.source_exists') {
    throw new Error(`the default HR source does not validate: ${created.error.message}`);
  }
}
