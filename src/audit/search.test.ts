import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../test/database.ts';
import { failed } from '../../test/results.ts';
import { fakeClock, type RequestContext, unwrap } from '../core/index.ts';
import type { Database } from '../db/index.ts';
import {
  type AuditPage,
  type AuditQuery,
  type AuditRecord,
  auditQuerySchema,
  recordAudit,
  searchAudit,
} from './index.ts';

const alice: RequestContext = {
  actor: { type: 'user', id: 'alice', name: 'Alice' },
  correlationId: 'c-alice',
};
const bot: RequestContext = { actor: { type: 'token', id: 'bot', name: null }, correlationId: 'c-bot' };
const system: RequestContext = {
  actor: { type: 'system', id: null, name: 'joinery' },
  correlationId: 'c-sys',
};

/** 60 rows, one per minute from 2026-01-01T00:00Z: actor, action and target cycle with different periods. */
const contexts = [alice, bot, system];
const actions = ['user.create', 'user.update', 'user.delete', 'group.create'];
const targets = ['t-1', 't-2', 't-3', 't-4', 't-5'];
const START = Date.parse('2026-01-01T00:00:00Z');
const MINUTE = 60_000;

describe('audit search', () => {
  let database: Database;
  let all: Array<{ i: number; actor: RequestContext; action: string; target: string; at: string }>;

  beforeAll(async () => {
    database = await openTestDatabase();
    const clock = fakeClock(new Date(START));
    all = [];
    for (let i = 0; i < 60; i++) {
      const entry = {
        i,
        actor: contexts[i % 3]!,
        action: actions[i % 4]!,
        target: targets[i % 5]!,
        at: new Date(START + i * MINUTE).toISOString(),
      };
      all.push(entry);
      await database.db.transaction().execute((tx) =>
        recordAudit(tx, clock, entry.actor, [
          {
            action: entry.action,
            targetType: entry.action.split('.')[0]!,
            targetId: entry.target,
            changes: [{ attribute: 'n', before: i - 1, after: i }],
            details: { i },
          },
        ]),
      );
      clock.advance(MINUTE);
    }
  });
  afterAll(async () => {
    await database.close();
  });

  const search = async (query: Partial<AuditQuery>): Promise<AuditPage> =>
    unwrap(await searchAudit(database.db, auditQuerySchema.parse(query)));
  const numbers = (records: AuditRecord[]) => records.map((r) => (r.details as { i: number }).i);
  const expected = (pred: (e: (typeof all)[number]) => boolean) =>
    all
      .filter(pred)
      .map((e) => e.i)
      .reverse();

  /** Every page until the end: checks no page exceeds the limit and returns the rows in order. */
  async function walk(query: Partial<AuditQuery>, limit: number): Promise<{ rows: number[]; pages: number }> {
    const rows: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await search({ ...query, limit, ...(cursor ? { cursor } : {}) });
      expect(page.records.length).toBeLessThanOrEqual(limit);
      rows.push(...numbers(page.records));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    return { rows, pages };
  }

  it('returns records newest first with every field', async () => {
    const page = await search({ limit: 2 });
    expect(numbers(page.records)).toEqual([59, 58]);
    expect(page.records[0]).toEqual({
      id: expect.any(Number),
      occurredAt: all[59]!.at,
      actor: { type: 'system', id: null, name: 'joinery' },
      action: 'group.create',
      targetType: 'group',
      targetId: 't-5',
      changes: [{ attribute: 'n', before: 58, after: 59 }],
      correlationId: 'c-sys',
      details: { i: 59 },
    });
    expect(page.records[1]?.actor).toEqual({ type: 'token', id: 'bot', name: null });
    expect(page.records[1]?.action).toBe('user.delete');
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it('filters by target, actor, action and target type', async () => {
    expect(numbers((await search({ targetId: 't-2' })).records)).toEqual(expected((e) => e.target === 't-2'));
    expect(numbers((await search({ actorId: 'bot' })).records)).toEqual(expected((e) => e.actor === bot));
    expect(numbers((await search({ action: 'user.delete' })).records)).toEqual(
      expected((e) => e.action === 'user.delete'),
    );
    expect(numbers((await search({ targetType: 'group' })).records)).toEqual(
      expected((e) => e.action === 'group.create'),
    );
    expect(
      numbers((await search({ actorId: 'alice', action: 'user.create', targetId: 't-1' })).records),
    ).toEqual(expected((e) => e.actor === alice && e.action === 'user.create' && e.target === 't-1'));
    expect((await search({ actorId: 'nobody' })).records).toEqual([]);
  });

  it('filters by time: from inclusive, to exclusive, any offset', async () => {
    const from = all[10]!.at;
    const to = all[20]!.at;
    expect(numbers((await search({ from, to })).records)).toEqual(expected((e) => e.i >= 10 && e.i < 20));
    // The same instants written with a +02:00 offset.
    const shifted = (iso: string) =>
      new Date(Date.parse(iso) + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
    expect(numbers((await search({ from: shifted(from), to: shifted(to) })).records)).toEqual(
      expected((e) => e.i >= 10 && e.i < 20),
    );
    expect(numbers((await search({ from: all[55]!.at })).records)).toEqual([59, 58, 57, 56, 55]);
    expect(numbers((await search({ to: all[3]!.at })).records)).toEqual([2, 1, 0]);
  });

  it('pages through everything by keyset without duplicates or gaps', async () => {
    const { rows, pages } = await walk({}, 7);
    expect(pages).toBe(9);
    expect(rows).toEqual(expected(() => true));
    // An exact multiple ends without an empty extra page.
    const exact = await walk({}, 20);
    expect(exact.pages).toBe(3);
    expect(exact.rows).toHaveLength(60);
  });

  it('pages through a filtered result the same way', async () => {
    const { rows, pages } = await walk({ actorId: 'alice', from: all[6]!.at }, 4);
    const want = expected((e) => e.actor === alice && e.i >= 6);
    expect(want).toHaveLength(18);
    expect(pages).toBe(5);
    expect(rows).toEqual(want);
  });

  it('keeps later pages stable while new records are appended', async () => {
    const database2 = await openTestDatabase();
    try {
      const clock = fakeClock();
      const add = (n: number) =>
        database2.db.transaction().execute((tx) =>
          recordAudit(
            tx,
            clock,
            alice,
            Array.from({ length: n }, (_, k) => ({ action: 'x', details: { k } })),
          ),
        );
      await add(5);
      const first = unwrap(await searchAudit(database2.db, auditQuerySchema.parse({ limit: 3 })));
      await add(4);
      const second = unwrap(
        await searchAudit(
          database2.db,
          auditQuerySchema.parse({ limit: 3, cursor: first.nextCursor ?? undefined }),
        ),
      );
      expect(first.records.map((r) => r.details)).toEqual([{ k: 4 }, { k: 3 }, { k: 2 }]);
      expect(second.records.map((r) => r.details)).toEqual([{ k: 1 }, { k: 0 }]);
      expect(second.nextCursor).toBeNull();
    } finally {
      await database2.close();
    }
  });

  it('rejects a cursor it did not issue as audit.invalid_cursor', async () => {
    const forged = [
      'garbage!',
      Buffer.from('a:abc').toString('base64url'),
      Buffer.from('u:12').toString('base64url'),
      Buffer.from('a:-1').toString('base64url'),
      Buffer.from('a:99999999999999999999999').toString('base64url'),
      '',
    ];
    for (const cursor of forged.filter((c) => c !== '')) {
      const result = await searchAudit(database.db, auditQuerySchema.parse({ cursor }));
      expect(failed(result).code).toBe('audit.invalid_cursor');
    }
    // A genuine cursor works.
    const page = await search({ limit: 1 });
    expect((await searchAudit(database.db, auditQuerySchema.parse({ cursor: page.nextCursor }))).ok).toBe(
      true,
    );
  });

  it('parses queries at the edge: defaults, coercion and bounds', () => {
    expect(auditQuerySchema.parse({})).toEqual({ limit: 100 });
    expect(auditQuerySchema.parse({ limit: '25' }).limit).toBe(25);
    expect(auditQuerySchema.safeParse({ limit: 0 }).success).toBe(false);
    expect(auditQuerySchema.safeParse({ limit: 1001 }).success).toBe(false);
    expect(auditQuerySchema.safeParse({ from: 'yesterday' }).success).toBe(false);
    expect(auditQuerySchema.safeParse({ from: '2026-01-01T00:00:00' }).success).toBe(false);
    expect(auditQuerySchema.safeParse({ to: '2026-01-01T00:00:00+01:00' }).success).toBe(true);
  });
});
