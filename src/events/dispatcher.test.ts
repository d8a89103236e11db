import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase, testEngine } from '../../test/database.ts';
import { type FakeClock, fakeClock, type RequestContext, silentLogger } from '../core/index.ts';
import { type Database, openDatabase } from '../db/index.ts';
import {
  createDispatcher,
  type Dispatcher,
  emitEvents,
  type NewEvent,
  type StoredEvent,
  type Subscriber,
} from './index.ts';

const ctx: RequestContext = {
  actor: { type: 'system', id: null, name: 'test' },
  correlationId: 'corr-events',
};

/** A subscriber that records what it receives; `fail` makes the next calls throw. */
function recorder(name: string, received: StoredEvent[][] = []) {
  const state = { failNext: 0, calls: 0 };
  const subscriber: Subscriber = {
    name,
    async handle(events) {
      state.calls++;
      if (state.failNext > 0) {
        state.failNext--;
        throw new Error(`${name} is down`);
      }
      received.push(events);
    },
  };
  return { subscriber, received, state, ids: () => received.flat().map((e) => e.id) };
}

/** A promise the test resolves or rejects by hand, to hold a subscriber in the middle of a batch. */
function gate() {
  let open: () => void = () => {};
  let fail: (e: Error) => void = () => {};
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

describe('event dispatcher', () => {
  let database: Database;
  let clock: FakeClock;

  beforeEach(async () => {
    database = await openTestDatabase();
    clock = fakeClock('2026-09-01T00:00:00Z');
  });
  afterEach(async () => {
    await database.close();
  });

  const dispatcher = (
    subscribers: Subscriber[],
    options: { batchSize?: number; leaseMs?: number; db?: Database } = {},
  ) =>
    createDispatcher({
      db: (options.db ?? database).db,
      clock,
      logger: silentLogger,
      subscribers,
      pollMs: 10,
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
      ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    });

  const emit = (events: NewEvent[]) =>
    database.db.transaction().execute((tx) => emitEvents(tx, clock, ctx, events));
  const userEvent = (id: string, n: number): NewEvent => ({
    type: 'user.updated',
    aggregateType: 'user',
    aggregateId: id,
    payload: { n },
  });
  const cursor = (name: string) =>
    database.db.selectFrom('event_cursors').selectAll().where('subscriber', '=', name).executeTakeFirst();
  const drain = async (d: Dispatcher) => {
    let total = 0;
    for (let i = 0; i < 100; i++) {
      const n = await d.runOnce();
      total += n;
      if (n === 0) return total;
    }
    throw new Error('dispatcher never drained');
  };

  it('delivers committed events with their stored fields, in position order', async () => {
    await emit([
      userEvent('u1', 1),
      { type: 'group.created', aggregateType: 'group', aggregateId: 'g1', payload: { displayName: 'G' } },
    ]);
    const rec = recorder('mirror');
    const d = dispatcher([rec.subscriber]);
    expect(await d.backlog()).toEqual({ mirror: 2 });
    expect(await d.runOnce()).toBe(2);
    expect(rec.received).toHaveLength(1);
    expect(rec.received[0]?.map((e) => ({ ...e, id: undefined }))).toEqual([
      {
        id: undefined,
        position: 1,
        type: 'user.updated',
        aggregateType: 'user',
        aggregateId: 'u1',
        payload: { n: 1 },
        correlationId: 'corr-events',
        occurredAt: new Date('2026-09-01T00:00:00Z'),
      },
      {
        id: undefined,
        position: 2,
        type: 'group.created',
        aggregateType: 'group',
        aggregateId: 'g1',
        payload: { displayName: 'G' },
        correlationId: 'corr-events',
        occurredAt: new Date('2026-09-01T00:00:00Z'),
      },
    ]);
    expect(await cursor('mirror')).toMatchObject({ position: 2, failures: 0, lease_owner: null });
    expect(await d.backlog()).toEqual({ mirror: 0 });
    expect(await d.runOnce()).toBe(0);
    expect(rec.received).toHaveLength(1);
  });

  it('never delivers events written in a rolled-back transaction', async () => {
    await emit([userEvent('kept-1', 1)]);
    await expect(
      database.db.transaction().execute(async (tx) => {
        await emitEvents(tx, clock, ctx, [userEvent('ghost', 1), userEvent('ghost', 2)]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    await emit([userEvent('kept-2', 1)]);
    const rec = recorder('mirror');
    const d = dispatcher([rec.subscriber]);
    await drain(d);
    expect(rec.received.flat().map((e) => e.aggregateId)).toEqual(['kept-1', 'kept-2']);
    expect(rec.received.flat().map((e) => e.position)).toEqual([1, 2]);
  });

  it('keeps each object in order across small batches and delivers every event once', async () => {
    const events: NewEvent[] = [];
    for (let n = 0; n < 20; n++) {
      for (const id of ['x', 'y', 'z']) {
        if ((n + id.charCodeAt(0)) % 3 !== 0) events.push(userEvent(id, n));
      }
    }
    // Several transactions, each with a slice, so ids and positions come from separate commits.
    for (let i = 0; i < events.length; i += 7) await emit(events.slice(i, i + 7));
    const rec = recorder('mirror');
    const d = dispatcher([rec.subscriber], { batchSize: 4 });
    expect(await drain(d)).toBe(events.length);
    expect(rec.received.every((batch) => batch.length <= 4)).toBe(true);
    const flat = rec.received.flat();
    expect(flat).toHaveLength(events.length);
    expect(new Set(flat.map((e) => e.id)).size).toBe(events.length);
    expect(flat.map((e) => e.position)).toEqual(flat.map((_, i) => i + 1));
    for (const id of ['x', 'y', 'z']) {
      const sent = events.filter((e) => e.aggregateId === id).map((e) => e.payload?.n);
      const got = flat.filter((e) => e.aggregateId === id).map((e) => e.payload.n);
      expect(got).toEqual(sent);
    }
  });

  it('redelivers the same batch to a failing subscriber after its back-off, advancing the cursor only on success', async () => {
    await emit([userEvent('a', 1), userEvent('a', 2), userEvent('b', 1)]);
    const flaky = recorder('flaky');
    const steady = recorder('steady');
    flaky.state.failNext = 2;
    const d = dispatcher([flaky.subscriber, steady.subscriber], { batchSize: 2 });

    expect(await d.runOnce()).toBe(2); // steady's first batch; flaky failed
    expect(await cursor('flaky')).toMatchObject({
      position: 0,
      failures: 1,
      last_error: 'flaky is down',
      lease_owner: null,
    });
    expect(await cursor('steady')).toMatchObject({ position: 2, failures: 0 });

    // Still backing off: flaky is not called at all until the clock passes the retry time.
    expect(await d.runOnce()).toBe(1);
    expect(flaky.state.calls).toBe(1);
    clock.advance(60_000);
    expect(await d.runOnce()).toBe(0);
    expect(flaky.state.calls).toBe(2);
    expect(await cursor('flaky')).toMatchObject({ position: 0, failures: 2 });
    clock.advance(60_000);
    expect(await d.runOnce()).toBe(2);
    expect(flaky.state.calls).toBe(3);
    expect(await cursor('flaky')).toMatchObject({ position: 2, failures: 0, last_error: null });
    expect(await d.runOnce()).toBe(1);
    expect(flaky.received.map((b) => b.map((e) => e.position))).toEqual([[1, 2], [3]]);
    expect(steady.received.map((b) => b.map((e) => e.position))).toEqual([[1, 2], [3]]);
  });

  it('delivers each event exactly once per subscriber when two dispatchers share the database', async () => {
    // A second "process": its own connection pool on PostgreSQL; PGlite has one handle, so share it.
    const other =
      database.engine === 'postgres'
        ? await openDatabase({ engine: 'postgres', url: database.url!, poolSize: 3 })
        : database;
    try {
      const seen: Record<string, number[]> = { alpha: [], beta: [] };
      const make = () =>
        ['alpha', 'beta'].map(
          (name): Subscriber => ({
            name,
            async handle(events) {
              await new Promise((r) => setTimeout(r, 2));
              seen[name]!.push(...events.map((e) => e.id));
            },
          }),
        );
      const d1 = dispatcher(make(), { batchSize: 5 });
      const d2 = dispatcher(make(), { batchSize: 5, db: other });
      let emitted = 0;
      for (let round = 0; round < 10; round++) {
        await emit(Array.from({ length: 7 }, (_, i) => userEvent(`obj-${i % 3}`, round * 7 + i)));
        emitted += 7;
        await Promise.all([d1.runOnce(), d2.runOnce(), d1.runOnce(), d2.runOnce()]);
      }
      for (let i = 0; i < 30; i++) {
        const [a, b] = await Promise.all([d1.runOnce(), d2.runOnce()]);
        if (a + b === 0 && Object.values(await d1.backlog()).every((n) => n === 0)) break;
      }
      const ids = (await database.db.selectFrom('events').select('id').orderBy('position').execute()).map(
        (r) => r.id,
      );
      expect(ids).toHaveLength(emitted);
      expect(seen.alpha).toEqual(ids);
      expect(seen.beta).toEqual(ids);
    } finally {
      if (other !== database) await other.close();
    }
  });

  it('does not deliver a batch twice when one dispatcher runs overlapping passes', async () => {
    await emit([userEvent('o', 1), userEvent('o', 2), userEvent('o', 3)]);
    const rec = recorder('overlap');
    const slow: Subscriber = {
      name: 'overlap',
      async handle(events) {
        await new Promise((r) => setTimeout(r, 5));
        await rec.subscriber.handle(events);
      },
    };
    const d = dispatcher([slow], { batchSize: 2 });
    await Promise.all([d.runOnce(), d.runOnce(), d.runOnce()]);
    await drain(d);
    expect(rec.received.flat().map((e) => e.position)).toEqual([1, 2, 3]);
  });

  it('lets a second dispatcher take over a subscriber only after the first one’s lease expires', async () => {
    await emit([userEvent('l', 1), userEvent('l', 2)]);
    const held = gate();
    const firstCalls: number[][] = [];
    const slow: Subscriber = {
      name: 'leased',
      async handle(events) {
        firstCalls.push(events.map((e) => e.position));
        await held.promise;
      },
    };
    const rescue = recorder('leased');
    const second = gate();
    const rescuer: Subscriber = {
      name: 'leased',
      async handle(events) {
        await second.promise;
        await rescue.subscriber.handle(events);
      },
    };
    const d1 = dispatcher([slow], { leaseMs: 30_000 });
    const d2 = dispatcher([rescuer], { leaseMs: 30_000 });

    const firstRun = d1.runOnce();
    await waitFor(() => firstCalls.length === 1);
    expect(await d2.runOnce()).toBe(0); // lease still held by d1

    clock.advance(30_001);
    const secondRun = d2.runOnce();
    await waitFor(
      async () => (await cursor('leased'))?.leased_until?.getTime() === clock.now().getTime() + 30_000,
    );
    // d1 finally fails, after losing its lease: it must neither count a failure nor clear d2's lease.
    held.fail(new Error('too late'));
    expect(await firstRun).toBe(0);
    expect(await cursor('leased')).toMatchObject({ position: 0, failures: 0, last_error: null });
    expect((await cursor('leased'))?.lease_owner).not.toBeNull();

    second.open();
    expect(await secondRun).toBe(2);
    expect(rescue.received.map((b) => b.map((e) => e.position))).toEqual([[1, 2]]);
    expect(await cursor('leased')).toMatchObject({ position: 2, lease_owner: null });
  });

  it('does not move the cursor back when a dispatcher finishes after losing its lease', async () => {
    await emit([userEvent('m', 1)]);
    const held = gate();
    const d1 = dispatcher([{ name: 'late', handle: () => held.promise }], { leaseMs: 1_000 });
    const rec = recorder('late');
    const d2 = dispatcher([rec.subscriber], { leaseMs: 1_000 });
    const firstRun = d1.runOnce();
    await waitFor(async () => Boolean((await cursor('late'))?.lease_owner));
    clock.advance(1_001);
    expect(await d2.runOnce()).toBe(1);
    await emit([userEvent('m', 2)]);
    expect(await d2.runOnce()).toBe(1);
    expect(await cursor('late')).toMatchObject({ position: 2 });
    held.open();
    await firstRun;
    expect(await cursor('late')).toMatchObject({ position: 2 });
    expect(rec.ids()).toHaveLength(2);
  });

  it('runs in the background after start() and stops cleanly', async () => {
    const rec = recorder('background');
    const d = dispatcher([rec.subscriber]);
    d.start();
    try {
      await emit([userEvent('bg', 1)]);
      await waitFor(() => rec.received.length === 1);
      await emit([userEvent('bg', 2)]);
      await waitFor(() => rec.received.flat().length === 2);
    } finally {
      await d.stop();
    }
    expect(rec.received.flat().map((e) => e.payload.n)).toEqual([1, 2]);
  });

  it.skipIf(testEngine() === 'pglite')(
    'still delivers an event whose transaction commits after a later one was delivered',
    async () => {
      const late = new pg.Client({ connectionString: database.url });
      await late.connect();
      try {
        await late.query('begin');
        await late.query(
          `insert into events (type, aggregate_type, aggregate_id, payload, occurred_at)
           values ('user.created', 'user', 'late', '{}', now())`,
        );
        await emit([userEvent('early', 1)]);
        const rec = recorder('mirror');
        const d = dispatcher([rec.subscriber]);
        expect(await d.runOnce()).toBe(1);
        expect(rec.received.flat().map((e) => e.aggregateId)).toEqual(['early']);
        expect(await d.backlog()).toEqual({ mirror: 0 });
        await late.query('commit');
        expect(await d.backlog()).toEqual({ mirror: 1 });
        expect(await d.runOnce()).toBe(1);
        const flat = rec.received.flat();
        expect(flat.map((e) => e.aggregateId)).toEqual(['early', 'late']);
        // The late event has the smaller id but the later position: the cursor did not skip it.
        expect(flat[1]!.id).toBeLessThan(flat[0]!.id);
        expect(flat.map((e) => e.position)).toEqual([1, 2]);
      } finally {
        await late.end();
      }
    },
  );
});

/** Polls until `check` holds: waits for the dispatcher to reach a point, asserts nothing about time. */
async function waitFor(check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('condition never held');
}
