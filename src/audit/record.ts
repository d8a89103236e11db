import type { Clock, RequestContext } from '../core/index.ts';
import type { AuditChange, Tx } from '../db/index.ts';

export interface AuditEntry {
  action: string;
  targetType?: string;
  targetId?: string;
  changes?: AuditChange[];
  details?: Record<string, unknown>;
}

/** Writes audit rows in the caller's transaction, so a change and its record commit together. */
export async function recordAudit(
  tx: Tx,
  clock: Clock,
  ctx: RequestContext,
  entries: AuditEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  const occurredAt = clock.now();
  // Chunked: one INSERT per 1000 rows keeps parameter counts far below PostgreSQL's 65535 limit.
  for (let i = 0; i < entries.length; i += 1000) {
    await tx
      .insertInto('audit_log')
      .values(
        entries.slice(i, i + 1000).map((e) => ({
          occurred_at: occurredAt,
          actor_type: ctx.actor.type,
          actor_id: ctx.actor.id,
          actor_name: ctx.actor.name ?? null,
          action: e.action,
          target_type: e.targetType ?? null,
          target_id: e.targetId ?? null,
          changes: JSON.stringify(e.changes ?? []),
          correlation_id: ctx.correlationId,
          details: e.details ? JSON.stringify(e.details) : null,
        })),
      )
      .execute();
  }
}

/** Before/after of each attribute that differs; values compared as JSON so arrays and objects work. */
export function diffAttributes(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  keys: readonly string[],
): AuditChange[] {
  const changes: AuditChange[] = [];
  for (const key of keys) {
    const b = before ? (before[key] ?? null) : null;
    const a = after ? (after[key] ?? null) : null;
    if (JSON.stringify(normalise(b)) !== JSON.stringify(normalise(a))) {
      changes.push({ attribute: key, before: normalise(b), after: normalise(a) });
    }
  }
  return changes;
}

function normalise(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}
