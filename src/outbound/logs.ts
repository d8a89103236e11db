import { sql } from 'kysely';
import type { OutboundDeps, Step } from './types.ts';

interface LogRow {
  id: number;
  app_id: string;
  app_name: string;
  cycle_id: string | null;
  object_type: 'user' | 'group';
  object_id: string;
  display_name: string | null;
  target_id: string | null;
  action: string;
  status: string;
  steps: Step[];
  modified: Array<{ displayName: string; oldValue: string | null; newValue: string | null }>;
  error: { code: string; message: string; retryable?: boolean } | null;
  occurred_at: Date | string;
}

const stepNames: Record<Step['name'], string> = {
  connect: 'EntryConnect',
  import: 'EntryImport',
  scoping: 'EntrySynchronizationScoping',
  matching: 'EntryMatching',
  processing: 'EntrySynchronizationProcessing',
  referenceResolution: 'EntryReferenceResolution',
  export: 'EntryExport',
};

/** Graph's provisioningAction for our actions (`link` and `unchanged` have no Graph word). */
const graphAction: Record<string, string> = {
  create: 'create',
  update: 'update',
  link: 'update',
  disable: 'disable',
  delete: 'delete',
};

/** One entry in Microsoft Graph's provisioningObjectSummary shape (same model as inbound), plus our fields. */
export function toSummary(row: LogRow) {
  const warned = row.steps.some((s) => s.status === 'warning');
  const identityType = row.object_type === 'user' ? 'User' : 'Group';
  return {
    id: String(row.id),
    activityDateTime: new Date(row.occurred_at).toISOString(),
    cycleId: row.cycle_id,
    jobId: row.app_id,
    provisioningAction: graphAction[row.action] ?? 'other',
    provisioningStatusInfo:
      row.status === 'failure'
        ? {
            status: 'failure',
            errorInformation: {
              errorCode: row.error?.code ?? 'unknown',
              reason: row.error?.message ?? 'unknown',
              additionalDetails: row.error?.retryable
                ? 'retryable: the object is in escrow and will be retried'
                : null,
            },
          }
        : { status: row.status === 'success' && warned ? 'warning' : row.status, errorInformation: null },
    provisioningSteps: row.steps.map((s) => ({
      name: stepNames[s.name],
      provisioningStepType: s.name,
      status: s.status,
      description: s.description,
      details: s.details ?? {},
    })),
    modifiedProperties: row.modified,
    sourceIdentity: { id: row.object_id, displayName: row.display_name, identityType, details: {} },
    sourceSystem: { id: 'joinery', displayName: 'Joinery directory', details: {} },
    targetIdentity: { id: row.target_id, displayName: row.display_name, identityType, details: {} },
    targetSystem: { id: row.app_id, displayName: row.app_name, details: {} },
    joinery: { action: row.action, objectType: row.object_type },
  };
}

export type OutboundLogEntry = ReturnType<typeof toSummary>;

export interface OutboundLogQuery {
  appId?: string;
  cycleId?: string;
  objectId?: string;
  status?: string;
  action?: string;
  since?: string;
  limit: number;
  /** Keyset cursor: the id of the last entry of the previous page. */
  before?: number;
}

/** Per-object provisioning log, newest first, filtered in SQL. */
export async function queryLogs(
  deps: OutboundDeps,
  q: OutboundLogQuery,
): Promise<{ items: OutboundLogEntry[]; nextCursor: string | null }> {
  const where = [sql`true`];
  if (q.appId) where.push(sql`l.app_id = ${q.appId}`);
  if (q.cycleId) where.push(sql`l.cycle_id = ${q.cycleId}`);
  if (q.objectId) where.push(sql`l.object_id = ${q.objectId}`);
  if (q.status) where.push(sql`l.status = ${q.status}`);
  if (q.action) where.push(sql`l.action = ${q.action}`);
  if (q.since) where.push(sql`l.occurred_at >= ${new Date(q.since)}`);
  if (q.before !== undefined) where.push(sql`l.id < ${q.before}`);
  const { rows } = await sql<LogRow>`
    select l.id, l.app_id, a.name as app_name, l.cycle_id, l.object_type, l.object_id, l.display_name, l.target_id,
           l.action, l.status, l.steps, l.modified, l.error, l.occurred_at
      from outbound_log l join outbound_apps a on a.id = l.app_id
     where ${sql.join(where, sql` and `)}
     order by l.id desc
     limit ${q.limit + 1}`.execute(deps.db);
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { items: page.map(toSummary), nextCursor: rows.length > q.limit && last ? String(last.id) : null };
}
