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
  | 'membership.removed';

export interface NewEvent {
  type: EventType;
  aggregateType: 'user' | 'group';
  aggregateId: string;
  payload?: Record<string, unknown>;
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
  const occurredAt = clock.now();
  for (let i = 0; i < events.length; i += 1000) {
    await tx
      .insertInto('events')
      .values(
        events.slice(i, i + 1000).map((e) => ({
          type: e.type,
          aggregate_type: e.aggregateType,
          aggregate_id: e.aggregateId,
          payload: JSON.stringify(e.payload ?? {}),
          correlation_id: ctx.correlationId,
          occurred_at: occurredAt,
        })),
      )
      .execute();
  }
}
