import { sql } from 'kysely';
import { recordAudit } from '../audit/index.ts';
import { err, failure, ok, type RequestContext, type Result, systemContext } from '../core/index.ts';
import { flatSourceRecord, scimSourceRecord } from '../mapping/index.ts';
import { parseBulkRequest } from './bulk-request.ts';
import { compileSource } from './compiled-source.ts';
import { parseCsv } from './csv.ts';
import { drainSource } from './drain.ts';
import { disableDueLeavers } from './leave-dates.ts';
import { type LogQuery, queryLogs, runOperations } from './logs.ts';
import { testMapping } from './mapping-test.ts';
import { applyPlan } from './plan-apply.ts';
import { duePulls, fetchPull } from './pull-run.ts';
import { pruneRuns } from './retention.ts';
import {
  acceptRun,
  DRAIN_QUEUE,
  getRun,
  type IncomingRecord,
  listRuns,
  type RunSummary,
  runNotFound,
} from './runs.ts';
import {
  createSource,
  createSourceCache,
  deleteSource,
  ensureDefaultSource,
  getSource,
  listSources,
  openSecrets,
  redactSource,
  type Source,
  updateSource,
} from './sources.ts';
import type { InboundDeps, RunKind, RunMode } from './types.ts';

export { defaultHrSource } from './default-source.ts';
export { LEAVERS_QUEUE } from './leave-dates.ts';
export type { LogQuery, ProvisioningSummary } from './logs.ts';
export { PRUNE_QUEUE } from './retention.ts';
export { DRAIN_QUEUE, type RunSummary } from './runs.ts';
export {
  type SourceConfig,
  type SourceConfigInput,
  sourceConfigSchema,
  sourceTypes,
} from './source-schema.ts';
export type { Source } from './sources.ts';
export type { InboundDeps, RunKind, RunMode, RunStatus } from './types.ts';

export const PULL_TICK_QUEUE = 'inbound.pull-tick';

/** Inbound provisioning: HR sources, bulkUpload/CSV/pull intake, the JML pipeline, plans and logs. */
export function createInbound(deps: InboundDeps) {
  const loadSource = createSourceCache(deps);

  const intake = async (
    ctx: RequestContext,
    sourceId: string,
    kind: RunKind,
    mode: RunMode,
    parse: (type: string, source: Source) => Result<IncomingRecord[]>,
  ): Promise<Result<RunSummary>> => {
    const found = await getSource(deps, sourceId);
    if (!found.ok) return found;
    const records = parse(found.value.config.type, found.value);
    if (!records.ok) return records;
    const compiled = await loadSource(sourceId);
    if (!compiled.ok) return compiled;
    return acceptRun(deps, ctx, compiled.value, { kind, mode, records: records.value });
  };

  const wrongType = (id: string, type: string, wanted: string, what: string) =>
    err<IncomingRecord[]>(
      failure(
        'inbound.wrong_source_type',
        `source "${id}" is of type ${type}; ${what} needs a ${wanted} source`,
        {
          id,
          type,
        },
      ),
    );

  const kick = (sourceId: string) => deps.jobs.send(DRAIN_QUEUE, { sourceId }, { singletonKey: sourceId });

  return {
    listSources: async () => (await listSources(deps)).map(redactSource),
    getSource: async (id: string) => {
      const found = await getSource(deps, id);
      return found.ok ? ok(redactSource(found.value)) : found;
    },
    createSource: async (ctx: RequestContext, id: string, config: unknown) => {
      const created = await createSource(deps, ctx, id, config);
      return created.ok ? ok(redactSource(created.value)) : created;
    },
    updateSource: async (ctx: RequestContext, id: string, config: unknown) => {
      const updated = await updateSource(deps, ctx, id, config);
      if (!updated.ok) return updated;
      // Resuming a paused source must pick up the records that waited.
      if (updated.value.config.enabled) await kick(id);
      return ok(redactSource(updated.value));
    },
    deleteSource: (ctx: RequestContext, id: string) => deleteSource(deps, ctx, id),
    ensureDefaultSource: (ctx: RequestContext) => ensureDefaultSource(deps, ctx),
    /** Stores an Entra-style SCIM BulkRequest durably and queues it; resolves once it is safe to answer 202. */
    bulkUpload: (ctx: RequestContext, sourceId: string, body: unknown, options: { dryRun?: boolean } = {}) =>
      intake(ctx, sourceId, 'bulkUpload', options.dryRun ? 'preview' : 'apply', (type) =>
        type === 'bulk-upload'
          ? parseBulkRequest(body, deps.limits.bulkMaxOperations)
          : wrongType(sourceId, type, 'bulk-upload', 'bulkUpload'),
      ),
    importCsv: (ctx: RequestContext, sourceId: string, text: string, options: { dryRun?: boolean } = {}) =>
      intake(ctx, sourceId, 'csv', options.dryRun ? 'preview' : 'apply', (type, source) => {
        if (type !== 'csv') return wrongType(sourceId, type, 'csv', 'a CSV import');
        const cfg = source.config;
        return parseCsv(text, {
          ...(cfg.csvDelimiter ? { delimiter: cfg.csvDelimiter } : {}),
          ...(cfg.csvHeaders ? { headers: cfg.csvHeaders } : {}),
        });
      }),
    /** Pulls every page from a pull source now, then stores the records as one run. */
    pull,

    getRun: async (id: string, options: { offset?: number; limit?: number } = {}) => {
      const run = await getRun(deps, id);
      if (!run.ok) return run;
      const operations = await runOperations(deps, id, options.offset ?? 0, options.limit ?? 1000);
      return ok({ ...run.value, operations });
    },
    listRuns: (query: { sourceId?: string; status?: string; limit: number; before?: number }) =>
      listRuns(deps, query),
    applyPlan: async (ctx: RequestContext, runId: string) => applyPlan(deps, ctx, loadSource, runId),
    /** Lets a run held by the deletion threshold proceed. */
    approveRun: async (ctx: RequestContext, runId: string) => decideHeld(ctx, runId, 'approve'),
    rejectRun: async (ctx: RequestContext, runId: string) => decideHeld(ctx, runId, 'reject'),
    logs: (query: LogQuery) => queryLogs(deps, query),
    /** What the source's mapping makes of a sample record; nothing is written. */
    testMapping: async (input: {
      sourceId?: string;
      config?: unknown;
      record: Record<string, unknown>;
      format?: 'scim' | 'flat';
    }) => {
      let config: unknown = input.config;
      let id = 'preview';
      if (input.sourceId) {
        const found = await getSource(deps, input.sourceId);
        if (!found.ok) return found;
        config = found.value.config;
        id = input.sourceId;
      }
      const compiled = compileSource(id, 0, config);
      if (!compiled.ok) return compiled;
      const format = input.format ?? (compiled.value.config.type === 'bulk-upload' ? 'scim' : 'flat');
      const record = format === 'scim' ? scimSourceRecord(input.record) : flatSourceRecord(input.record);
      return ok(await testMapping(deps, compiled.value, record));
    },

    /** Daily: deletes finished runs and their records older than `days`. */
    pruneRuns: (days: number) => pruneRuns(deps, days),
    /** Minutely: disables people whose leave date has passed. */
    disableDueLeavers: () => disableDueLeavers(deps),
    /** Job handler: drains one source. */
    drain: (sourceId: string) => drainSource(deps, loadSource, sourceId),
    /** At start: sources with records still pending (a crash, a restart) get a drain job. */
    resumePending: async () => {
      const { rows } = await sql<{ source_id: string }>`
        select distinct source_id from inbound_records where status = 'pending'`.execute(deps.db);
      for (const r of rows) await kick(r.source_id);
      return rows.length;
    },
    /** Minutely: pulls every enabled pull source whose schedule fired since its last pull (catches up once after downtime). */
    pullTick: async () => {
      for (const id of await duePulls(deps)) {
        const run = await pull(systemContext(`pull-${id}-${deps.clock.now().toISOString()}`), id, {});
        if (!run.ok) deps.logger.warn({ sourceId: id, error: run.error }, 'scheduled pull failed');
      }
    },
  };

  async function pull(
    ctx: RequestContext,
    sourceId: string,
    options: { dryRun?: boolean } = {},
  ): Promise<Result<RunSummary>> {
    const found = await getSource(deps, sourceId);
    if (!found.ok) return found;
    const compiled = await loadSource(sourceId);
    if (!compiled.ok) return compiled;
    const fetched = await fetchPull({
      ...found.value,
      config: openSecrets(found.value.config, deps.secrets),
    });
    if (!fetched.ok) return fetched;
    const mode: RunMode = options.dryRun ? 'preview' : 'apply';
    return deps.db.transaction().execute(async (tx) => {
      const run = await acceptRun(deps, ctx, compiled.value, {
        kind: found.value.config.type === 'scim-pull' ? 'scimPull' : 'pull',
        mode,
        records: fetched.value.records.map((data) => ({ data })),
        tx,
      });
      // The watermark moves with the accepted run: a crash before this commit re-pulls the same delta.
      if (run.ok && mode === 'apply') {
        await tx
          .updateTable('inbound_sources')
          .set({ watermark: fetched.value.watermark })
          .where('id', '=', sourceId)
          .execute();
      }
      return run;
    });
  }

  async function decideHeld(
    ctx: RequestContext,
    runId: string,
    decision: 'approve' | 'reject',
  ): Promise<Result<RunSummary>> {
    const outcome = await deps.db.transaction().execute(async (tx): Promise<Result<string>> => {
      const run = await tx
        .selectFrom('inbound_runs')
        .selectAll()
        .where('id', '=', runId)
        .forUpdate()
        .executeTakeFirst();
      if (!run) return err(runNotFound(runId));
      if (run.status !== 'held') {
        return err(
          failure(
            'inbound.run_not_held',
            `run ${runId} is ${run.status}, not held by the deletion threshold`,
            { runId },
          ),
        );
      }
      const hold = {
        ...(run.hold ?? {}),
        decision,
        decidedBy: ctx.actor,
        decidedAt: deps.clock.now().toISOString(),
      };
      if (decision === 'approve') {
        await tx
          .updateTable('inbound_runs')
          .set({ status: 'processing', started_at: deps.clock.now(), hold: JSON.stringify(hold) })
          .where('id', '=', runId)
          .execute();
      } else {
        const rejected = await tx
          .updateTable('inbound_records')
          .set({
            status: 'rejected',
            processed_at: deps.clock.now(),
            steps: JSON.stringify([
              {
                name: 'processing',
                status: 'skipped',
                description: 'The run was rejected by an admin (deletion threshold)',
              },
            ]),
          })
          .where('run_id', '=', runId)
          .where('status', '=', 'pending')
          .executeTakeFirst();
        const counts = { ...(run.counts ?? {}), rejected: Number(rejected.numUpdatedRows) };
        await tx
          .updateTable('inbound_runs')
          .set({
            status: 'rejected',
            completed_at: deps.clock.now(),
            counts: JSON.stringify(counts),
            hold: JSON.stringify(hold),
          })
          .where('id', '=', runId)
          .execute();
      }
      await recordAudit(tx, deps.clock, ctx, [
        {
          action: `inbound.run.${decision}`,
          targetType: 'inbound_run',
          targetId: runId,
          changes: [
            {
              attribute: 'status',
              before: 'held',
              after: decision === 'approve' ? 'processing' : 'rejected',
            },
          ],
          details: hold,
        },
      ]);
      return ok(run.source_id);
    });
    if (!outcome.ok) return outcome;
    await kick(outcome.value);
    return getRun(deps, runId);
  }
}

export type Inbound = ReturnType<typeof createInbound>;
