import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Clock, Logger } from '../core/index.ts';
import type { Db } from '../db/index.ts';

export interface StoredEvent {
  id: number;
  position: number;
  type: string;
  aggregateType: string;
  aggregateId: string;
  payload: Record<string, unknown>;
  correlationId: string | null;
  occurredAt: Date;
}

/** Receives events in position order, a batch at a time. Throwing redelivers the same batch later. */
export interface Subscriber {
  name: string;
  handle(events: StoredEvent[]): Promise<void>;
}

export interface DispatcherOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  subscribers: Subscriber[];
  pollMs: number;
  batchSize?: number;
  leaseMs?: number;
}

export interface Dispatcher {
  start(): void;
  stop(): Promise<void>;
  /** One pass: sequence committed events, then deliver to every subscriber. Returns events delivered. */
  runOnce(): Promise<number>;
  /** Events committed but not yet seen by each subscriber. */
  backlog(): Promise<Record<string, number>>;
}

// Any constant works; it only has to be the same in every Joinery process sharing a database.
const SEQUENCER_LOCK = 7_340_117_001;
const MAX_BACKOFF_MS = 60_000;

/**
 * Delivers outbox events to subscribers at least once and in order per object, across any number of
 * processes. Two steps:
 *  1. Sequencing: under a transaction-level advisory lock (one sequencer at a time), committed events
 *     without a position get the next positions in id order. An event that commits late simply gets a
 *     later position, so a subscriber's cursor never skips it.
 *  2. Delivery: each subscriber has a cursor row; a process leases it (no connection is held while the
 *     subscriber runs), delivers the next batch, then advances the cursor. A failure keeps the cursor
 *     and backs off exponentially for that subscriber only.
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { db, clock, logger, subscribers, pollMs } = options;
  const batchSize = options.batchSize ?? 500;
  const leaseMs = options.leaseMs ?? 60_000;
  const owner = randomUUID();
  const retryAt = new Map<string, number>();
  // Subscribers this dispatcher is delivering to right now. The lease lets its owner re-lease, so without
  // this two overlapping runOnce() calls of one dispatcher would both deliver the same batch.
  const inFlight = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let stopped = true;

  async function sequence(): Promise<void> {
    await db.transaction().execute(async (tx) => {
      const locked = await sql<{
        locked: boolean;
      }>`select pg_try_advisory_xact_lock(${SEQUENCER_LOCK}) as locked`.execute(tx);
      if (!locked.rows[0]?.locked) return;
      await sql`
        update events e set position = base.max_position + pending.rn
        from (select coalesce(max(position), 0) as max_position from events) base,
             (select id, row_number() over (order by id) as rn
                from (select id from events where position is null order by id limit ${batchSize * 10}) p) pending
        where e.id = pending.id`.execute(tx);
    });
  }

  async function lease(name: string): Promise<number | null> {
    const now = clock.now();
    await db
      .insertInto('event_cursors')
      .values({ subscriber: name, position: 0, failures: 0, updated_at: now })
      .onConflict((oc) => oc.column('subscriber').doNothing())
      .execute();
    const row = await db
      .updateTable('event_cursors')
      .set({ lease_owner: owner, leased_until: new Date(now.getTime() + leaseMs) })
      .where('subscriber', '=', name)
      .where((eb) =>
        eb.or([eb('lease_owner', 'is', null), eb('lease_owner', '=', owner), eb('leased_until', '<', now)]),
      )
      .returning('position')
      .executeTakeFirst();
    return row ? row.position : null;
  }

  async function deliver(subscriber: Subscriber): Promise<number> {
    if (inFlight.has(subscriber.name)) return 0;
    inFlight.add(subscriber.name);
    try {
      return await deliverOnce(subscriber);
    } finally {
      inFlight.delete(subscriber.name);
    }
  }

  async function deliverOnce(subscriber: Subscriber): Promise<number> {
    const due = retryAt.get(subscriber.name);
    if (due !== undefined && clock.now().getTime() < due) return 0;
    const cursor = await lease(subscriber.name);
    if (cursor === null) return 0;
    try {
      const rows = await db
        .selectFrom('events')
        .selectAll()
        .where('position', '>', cursor)
        .orderBy('position')
        .limit(batchSize)
        .execute();
      const events: StoredEvent[] = rows.map((r) => ({
        id: r.id,
        position: r.position ?? 0,
        type: r.type,
        aggregateType: r.aggregate_type,
        aggregateId: r.aggregate_id,
        payload: r.payload,
        correlationId: r.correlation_id,
        occurredAt: r.occurred_at,
      }));
      if (events.length > 0) await subscriber.handle(events);
      const last = events[events.length - 1];
      await db
        .updateTable('event_cursors')
        .set({
          position: last ? last.position : cursor,
          failures: 0,
          last_error: null,
          lease_owner: null,
          leased_until: null,
          updated_at: clock.now(),
        })
        .where('subscriber', '=', subscriber.name)
        .where('lease_owner', '=', owner)
        .execute();
      retryAt.delete(subscriber.name);
      return events.length;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const row = await db
        .updateTable('event_cursors')
        .set((eb) => ({
          failures: eb('failures', '+', 1),
          last_error: message.slice(0, 2000),
          lease_owner: null,
          leased_until: null,
          updated_at: clock.now(),
        }))
        .where('subscriber', '=', subscriber.name)
        // Only while we still hold the lease: if it expired and another process took over, this late
        // failure must not clear that process's lease nor count against it.
        .where('lease_owner', '=', owner)
        .returning('failures')
        .executeTakeFirst();
      const failures = row?.failures ?? 1;
      const delay = Math.min(MAX_BACKOFF_MS, 2 ** Math.min(failures, 16) * 100);
      retryAt.set(subscriber.name, clock.now().getTime() + delay);
      logger.error(
        { subscriber: subscriber.name, failures, retryInMs: delay, err: message },
        'event subscriber failed',
      );
      return 0;
    }
  }

  async function runOnce(): Promise<number> {
    await sequence();
    let delivered = 0;
    for (const subscriber of subscribers) delivered += await deliver(subscriber);
    return delivered;
  }

  function schedule(delay: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce().catch((error: unknown) => {
        logger.error(
          { err: error instanceof Error ? error.message : String(error) },
          'event dispatch failed',
        );
        return 0;
      });
      void running.then((delivered) => schedule(delivered > 0 ? 0 : pollMs));
    }, delay);
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    runOnce,
    async backlog() {
      // One statement, one snapshot: read apart, an event sequenced between the reads would count
      // neither as unsequenced nor above the cursor, and the backlog would read 0 while it waits.
      const { rows } = await sql<{
        max: string | number | null;
        unsequenced: string | number;
        cursors: unknown;
      }>`
        select (select max(position) from events) as max,
               (select count(*) from events where position is null) as unsequenced,
               (select coalesce(json_object_agg(subscriber, position), '{}'::json) from event_cursors) as cursors`.execute(
        db,
      );
      const row = rows[0];
      const cursors = (row?.cursors ?? {}) as Record<string, number | string>;
      const out: Record<string, number> = {};
      for (const s of subscribers) {
        const c = Number(cursors[s.name] ?? 0);
        out[s.name] = Math.max(0, Number(row?.max ?? 0) - c) + Number(row?.unsequenced ?? 0);
      }
      return out;
    },
  };
}
