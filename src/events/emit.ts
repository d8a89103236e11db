import { sql } from 'kysely';
import type { Clock, RequestContext } from '../core/index.ts';
import type { Tx } from '../db/index.ts';

export type EventType =
  | 'user.created'
  | 'user.updated'
  | 'user.disabled'
  | 'user.enabled'
  | 'user.deleted'
  | 'user.restored'
  | 'user.purged'
  | 'group.created'
  | 'group.updated'
  | 'group.deleted'
  | 'group.restored'
  | 'group.purged'
  | 'membership.added'
  | 'membership.removed'
  // Joiner–mover–leaver news from inbound HR sources, written with the directory change they caused.
  | 'lifecycle.joiner'
  | 'lifecycle.mover'
  | 'lifecycle.leaver'
  | 'lifecycle.rehire'
  | 'lifecycle.conversion';

export interface NewEvent {
  type: EventType;
  aggregateType: 'user' | 'group';
  aggregateId: string;
  payload?: Record<string, unknown>;
  /** Overrides the context's correlation id for this event (see `RequestContext.correlationIds`). */
  correlationId?: string;
}

/**
 * Writes events in the caller's transaction (transactional outbox): the change and the news of it
 * commit together, so a subscriber never misses a committed change nor sees a rolled-back one.
 * Callers write an object's event while holding that object's row lock, which keeps one object's
 * events in commit order.
 */
export async function emitEvents(
  tx: Tx,
  clock: Clock,
  ctx: RequestContext,
  events: NewEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((e, n) => ({
    n,
    type: e.type,
    aggregate_type: e.aggregateType,
    aggregate_id: e.aggregateId,
    payload: e.payload ?? {},
    correlation_id: e.correlationId ?? ctx.correlationId,
  }));
  // One JSON parameter for the whole batch; ordering by n keeps ids in the callers' order, which
  // is one object's event order when a batch holds several events of one object.
  await sql`
    insert into events (occurred_at, correlation_id, type, aggregate_type, aggregate_id, payload)
    select ${clock.now()}, v.correlation_id, v.type, v.aggregate_type, v.aggregate_id, v.payload
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
           as v(type text, aggregate_type text, aggregate_id text, payload jsonb, correlation_id text, n bigint)
     order by v.n`.execute(tx);
}
