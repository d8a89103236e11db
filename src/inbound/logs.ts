import { sql } from 'kysely';
import type { Actor } from '../core/index.ts';
import type { InboundDeps, Lifecycle, ModifiedProperty, PlanEntry, RecordStatus, Step } from './types.ts';

interface LogRow {
  run_id: string;
  n: number;
  seq: number;
  source_id: string;
  source_name: string;
  person_key: string | null;
  bulk_id: string | null;
  status: RecordStatus;
  lifecycle: Lifecycle | null;
  user_id: string | null;
  display_name: string | null;
  changed: ModifiedProperty[] | null;
  error: { code: string; message: string; details?: Record<string, unknown> } | null;
  steps: Step[] | null;
  plan: PlanEntry | null;
  processed_at: Date | string | null;
  duration_ms: number | null;
  actor: Actor;
  mode: string;
}

const stepNames: Record<Step['name'], string> = {
  import: 'EntryImport',
  scoping: 'EntrySynchronizationScoping',
  matching: 'EntryMatching',
  processing: 'EntrySynchronizationProcessing',
  referenceResolution: 'EntryReferenceResolution',
  export: 'EntryExport',
};

function actionOf(status: RecordStatus, plan: PlanEntry | null): string {
  const s = status === 'planned' ? (plan?.outcome ?? 'other') : status;
  if (s === 'created') return 'create';
  if (s === 'updated' || s === 'enabled') return 'update';
  if (s === 'disabled') return 'disable';
  return 'other';
}

function statusInfo(row: LogRow) {
  if (row.status === 'failed') {
    return {
      status: 'failure',
      errorInformation: {
        errorCode: row.error?.code ?? 'unknown',
        reason: row.error?.message ?? 'unknown',
        additionalDetails: row.error?.details ? JSON.stringify(row.error.details) : null,
      },
    };
  }
  if (row.status === 'skipped' || row.status === 'unchanged' || row.status === 'rejected')
    return { status: 'skipped', errorInformation: null };
  if (row.status === 'pending') return { status: 'pending', errorInformation: null };
  const warned = (row.steps ?? []).some((s) => s.status === 'warning');
  return { status: warned ? 'warning' : 'success', errorInformation: null };
}

/** One record in the shape of Microsoft Graph's provisioningObjectSummary, plus Joinery's own fields. */
export function toProvisioningSummary(row: LogRow) {
  const when = row.processed_at ? new Date(row.processed_at).toISOString() : null;
  return {
    id: `${row.run_id}:${row.n}`,
    activityDateTime: when,
    changeId: row.run_id,
    cycleId: row.run_id,
    jobId: row.source_id,
    durationInMilliseconds: row.duration_ms,
    initiatedBy: {
      id: row.actor?.id ?? null,
      displayName: row.actor?.name ?? null,
      initiatorType:
        row.actor?.type === 'user' ? 'user' : row.actor?.type === 'token' ? 'application' : 'system',
    },
    provisioningAction: actionOf(row.status, row.plan),
    provisioningStatusInfo: statusInfo(row),
    provisioningSteps: (row.steps ?? []).map((s) => ({
      name: stepNames[s.name],
      provisioningStepType: s.name,
      status: s.status,
      description: s.description,
      details: s.details ?? {},
    })),
    modifiedProperties: (row.changed ?? []).map((c) => ({
      displayName: c.displayName,
      oldValue:
        c.oldValue === null || c.oldValue === undefined
          ? null
          : typeof c.oldValue === 'string'
            ? c.oldValue
            : JSON.stringify(c.oldValue),
      newValue:
        c.newValue === null || c.newValue === undefined
          ? null
          : typeof c.newValue === 'string'
            ? c.newValue
            : JSON.stringify(c.newValue),
    })),
    sourceIdentity: { id: row.person_key, displayName: row.display_name, identityType: 'User', details: {} },
    sourceSystem: { id: row.source_id, displayName: row.source_name, details: {} },
    targetIdentity: { id: row.user_id, displayName: row.display_name, identityType: 'User', details: {} },
    targetSystem: { id: 'joinery', displayName: 'Joinery directory', details: {} },
    joinery: {
      runId: row.run_id,
      index: row.n,
      bulkId: row.bulk_id,
      status: row.status,
      lifecycle: row.lifecycle,
      preview: row.mode === 'preview',
      ...(row.plan ? { planned: { outcome: row.plan.outcome ?? null, input: row.plan.input } } : {}),
    },
  };
}

export type ProvisioningSummary = ReturnType<typeof toProvisioningSummary>;

export interface LogQuery {
  sourceId?: string;
  runId?: string;
  /** The person's source key (e.g. employee number), or the directory user id. */
  person?: string;
  status?: string;
  lifecycle?: string;
  since?: string;
  until?: string;
  limit: number;
  /** Keyset cursor: the `seq` of the last entry of the previous page. */
  before?: number;
}

const uuidLike = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Provisioning log entries, newest first, filtered in SQL. */
export async function queryLogs(
  deps: InboundDeps,
  q: LogQuery,
): Promise<{ items: ProvisioningSummary[]; nextCursor: string | null }> {
  const where = [sql`r.processed_at is not null`];
  if (q.sourceId) where.push(sql`r.source_id = ${q.sourceId}`);
  if (q.runId) where.push(sql`r.run_id = ${q.runId}`);
  if (q.person) {
    where.push(
      uuidLike.test(q.person)
        ? sql`(r.person_key = ${q.person} or r.user_id = ${q.person}::uuid)`
        : sql`r.person_key = ${q.person}`,
    );
  }
  if (q.status) where.push(sql`r.status = ${q.status}`);
  if (q.lifecycle) where.push(sql`r.lifecycle = ${q.lifecycle}`);
  if (q.since) where.push(sql`r.processed_at >= ${new Date(q.since)}`);
  if (q.until) where.push(sql`r.processed_at < ${new Date(q.until)}`);
  if (q.before !== undefined) where.push(sql`r.seq < ${q.before}`);
  const { rows } = await sql<LogRow>`
    select r.run_id, r.n, r.seq, r.source_id, s.name as source_name, r.person_key, r.bulk_id, r.status, r.lifecycle,
           r.user_id, r.display_name, r.changed, r.error, r.steps, r.plan, r.processed_at, r.duration_ms,
           u.actor, u.mode
      from inbound_records r
      join inbound_runs u on u.id = r.run_id
      join inbound_sources s on s.id = r.source_id
     where ${sql.join(where, sql` and `)}
     order by r.seq desc
     limit ${q.limit + 1}`.execute(deps.db);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toProvisioningSummary),
    nextCursor: rows.length > q.limit && last ? String(last.seq) : null,
  };
}

/** A run's operations in request order, as the bulkUpload status answers them. */
export async function runOperations(deps: InboundDeps, runId: string, offset: number, limit: number) {
  const rows = await deps.db
    .selectFrom('inbound_records')
    .select([
      'n',
      'bulk_id',
      'person_key',
      'status',
      'lifecycle',
      'user_id',
      'display_name',
      'changed',
      'error',
      'plan',
      'processed_at',
    ])
    .where('run_id', '=', runId)
    .orderBy('n')
    .offset(offset)
    .limit(limit)
    .execute();
  return rows.map((r) => {
    const plan = r.plan as PlanEntry | null;
    return {
      index: r.n,
      bulkId: r.bulk_id,
      personKey: r.person_key,
      status: r.status,
      ...(plan?.outcome ? { plannedStatus: plan.outcome } : {}),
      lifecycle: r.lifecycle,
      userId: r.user_id,
      displayName: r.display_name,
      changed: ((r.changed ?? []) as ModifiedProperty[]).map((c) => ({
        attribute: c.displayName,
        oldValue: c.oldValue,
        newValue: c.newValue,
      })),
      error: r.error,
      processedAt: r.processed_at ? new Date(r.processed_at).toISOString() : null,
    };
  });
}
