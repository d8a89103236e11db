import { z } from 'zod';
import { err, type Failure, failure, ok, type Result } from '../core/index.ts';
import type { AuditChange, Db } from '../db/index.ts';

export const auditQuerySchema = z.object({
  targetId: z.string().min(1).optional(),
  targetType: z.string().min(1).optional(),
  actorId: z.string().min(1).optional(),
  action: z.string().min(1).optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('Inclusive lower bound on the time (ISO 8601).'),
  to: z.iso.datetime({ offset: true }).optional().describe('Exclusive upper bound on the time (ISO 8601).'),
  cursor: z.string().optional().describe('The nextCursor of the previous page.'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export interface AuditRecord {
  id: number;
  occurredAt: string;
  actor: { type: string; id: string | null; name: string | null };
  action: string;
  targetType: string | null;
  targetId: string | null;
  changes: AuditChange[];
  correlationId: string | null;
  details: Record<string, unknown> | null;
}

export interface AuditPage {
  records: AuditRecord[];
  nextCursor: string | null;
}

const invalidCursor: Failure = failure('audit.invalid_cursor', 'cursor is not one this server issued');

function decodeCursor(cursor: string): number | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^a:(\d{1,16})$/.exec(text);
  const id = match ? Number(match[1]) : Number.NaN;
  // Beyond 2^53 the number would not survive the round trip (and PostgreSQL would reject 1e+23 as bigint).
  return Number.isSafeInteger(id) ? id : null;
}

function encodeCursor(id: number): string {
  return Buffer.from(`a:${id}`, 'utf8').toString('base64url');
}

/** Newest first; keyset paging on the id so deep pages cost the same as the first. */
export async function searchAudit(db: Db, query: AuditQuery): Promise<Result<AuditPage>> {
  let q = db
    .selectFrom('audit_log')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(query.limit + 1);
  if (query.targetId) q = q.where('target_id', '=', query.targetId);
  if (query.targetType) q = q.where('target_type', '=', query.targetType);
  if (query.actorId) q = q.where('actor_id', '=', query.actorId);
  if (query.action) q = q.where('action', '=', query.action);
  if (query.from) q = q.where('occurred_at', '>=', new Date(query.from));
  if (query.to) q = q.where('occurred_at', '<', new Date(query.to));
  if (query.cursor) {
    const before = decodeCursor(query.cursor);
    if (before === null) return err(invalidCursor);
    q = q.where('id', '<', before);
  }
  const rows = await q.execute();
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return ok({
    records: page.map((r) => ({
      id: r.id,
      occurredAt: r.occurred_at.toISOString(),
      actor: { type: r.actor_type, id: r.actor_id, name: r.actor_name },
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      changes: r.changes,
      correlationId: r.correlation_id,
      details: r.details,
    })),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null,
  });
}
