import { sql } from 'kysely';
import { err, failure, newId, ok, type RequestContext, type Result } from '../core/index.ts';
import type { Tx } from '../db/index.ts';
import { flatSourceRecord, scimSourceRecord } from '../mapping/index.ts';
import type { CompiledSource } from './compiled-source.ts';
import type { InboundDeps, RecordFormat, RunKind, RunMode, RunStatus } from './types.ts';
import { asText } from './user-input.ts';

export const DRAIN_QUEUE = 'inbound.drain';

export interface IncomingRecord {
  bulkId?: string | null;
  data: Record<string, unknown>;
}

export interface RunSummary {
  id: string;
  sourceId: string;
  kind: RunKind;
  mode: RunMode;
  status: RunStatus;
  receivedAt: string;
  startedAt: string | null;
  completedAt: string | null;
  total: number;
  counts: Record<string, number>;
  hold: Record<string, unknown> | null;
  error: string | null;
}

export const formatOf = (kind: RunKind): RecordFormat =>
  kind === 'bulkUpload' || kind === 'scimPull' ? 'scim' : 'flat';

function personKey(
  source: CompiledSource,
  format: RecordFormat,
  data: Record<string, unknown>,
): string | null {
  const rec = format === 'scim' ? scimSourceRecord(data) : flatSourceRecord(data);
  for (const pair of source.config.matching) {
    const key = asText(rec.get(pair.source));
    if (key !== null) return key;
  }
  return null;
}

const CHUNK = 5000;

/**
 * Stores a run and all its records, and enqueues the drain job, in one transaction: once this
 * resolves (and the caller answers 202) the records survive any crash and will each be applied once.
 */
export async function acceptRun(
  deps: InboundDeps,
  ctx: RequestContext,
  source: CompiledSource,
  run: { kind: RunKind; mode: RunMode; records: IncomingRecord[]; tx?: Tx },
): Promise<Result<RunSummary>> {
  const id = newId();
  const format = formatOf(run.kind);
  const now = deps.clock.now();
  const rows = run.records.map((r, n) => ({
    n,
    person_key: personKey(source, format, r.data),
    bulk_id: r.bulkId ?? null,
    data: r.data,
  }));
  const work = async (tx: Tx) => {
    await tx
      .insertInto('inbound_runs')
      .values({
        id,
        source_id: source.id,
        kind: run.kind,
        mode: run.mode,
        status: rows.length === 0 ? (run.mode === 'preview' ? 'planned' : 'completed') : 'accepted',
        received_at: now,
        completed_at: rows.length === 0 ? now : null,
        total: rows.length,
        counts: JSON.stringify({}),
        actor: JSON.stringify(ctx.actor),
        correlation_id: ctx.correlationId,
      })
      .execute();
    for (let i = 0; i < rows.length; i += CHUNK) {
      await sql`
        insert into inbound_records (run_id, n, source_id, person_key, bulk_id, data)
        select ${id}, v.n, ${source.id}, v.person_key, v.bulk_id, v.data
          from jsonb_to_recordset(${JSON.stringify(rows.slice(i, i + CHUNK))}::jsonb)
               as v(n integer, person_key text, bulk_id text, data jsonb)
         order by v.n`.execute(tx);
    }
    if (rows.length > 0)
      await deps.jobs.send(DRAIN_QUEUE, { sourceId: source.id }, { tx, singletonKey: source.id });
  };
  if (run.tx) await work(run.tx);
  else await deps.db.transaction().execute(work);
  const stored = await getRun(deps, id, run.tx);
  return stored;
}

interface RunRow {
  id: string;
  source_id: string;
  kind: string;
  mode: string;
  status: string;
  received_at: Date | string;
  started_at: Date | string | null;
  completed_at: Date | string | null;
  total: number;
  counts: Record<string, number>;
  hold: Record<string, unknown> | null;
  error: string | null;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function rowToRun(row: RunRow): RunSummary {
  return {
    id: row.id,
    sourceId: row.source_id,
    kind: row.kind as RunKind,
    mode: row.mode as RunMode,
    status: row.status as RunStatus,
    receivedAt: new Date(row.received_at).toISOString(),
    startedAt: iso(row.started_at),
    completedAt: iso(row.completed_at),
    total: row.total,
    counts: row.counts ?? {},
    hold: row.hold,
    error: row.error,
  };
}

export const runNotFound = (id: string) =>
  failure('inbound.run_not_found', `inbound run ${id} does not exist`, { id });

export async function getRun(deps: InboundDeps, id: string, tx?: Tx): Promise<Result<RunSummary>> {
  const row = await (tx ?? deps.db)
    .selectFrom('inbound_runs')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? ok(rowToRun(row as unknown as RunRow)) : err(runNotFound(id));
}

export async function listRuns(
  deps: InboundDeps,
  query: { sourceId?: string; status?: string; limit: number; before?: number },
): Promise<RunSummary[]> {
  let q = deps.db.selectFrom('inbound_runs').selectAll().orderBy('seq', 'desc').limit(query.limit);
  if (query.sourceId) q = q.where('source_id', '=', query.sourceId);
  if (query.status) q = q.where('status', '=', query.status);
  if (query.before !== undefined) q = q.where('seq', '<', query.before);
  const rows = await q.execute();
  return rows.map((r) => rowToRun(r as unknown as RunRow));
}
