import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openTestDatabase } from '../../test/database.ts';
import { failed } from '../../test/results.ts';
import { type FakeClock, fakeClock, newId, type RequestContext, unwrap } from '../core/index.ts';
import type { Database } from '../db/index.ts';
import { createDirectory, type Directory, type UpsertOutcome, type UserCreateInput } from './index.ts';

// Ids are generated server-side, so a batch item can name a manager created in the same batch only
// if its id is known in advance: the test plans the ids the next creates will get.
const ids = vi.hoisted(() => ({ planned: [] as string[] }));
vi.mock('../core/index.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../core/index.ts')>();
  return { ...actual, newId: (now?: number) => ids.planned.shift() ?? actual.newId(now) };
});

const ctx: RequestContext = {
  actor: { type: 'token', id: 'hr-feed', name: 'HR feed' },
  correlationId: 'corr-upsert',
};

function kinds(outcomes: UpsertOutcome[]): string[] {
  return outcomes.map((o) => o.kind);
}

function userOf(outcome: UpsertOutcome | undefined) {
  if (!outcome || outcome.kind === 'failed')
    throw new Error(`expected a user, got ${JSON.stringify(outcome)}`);
  return outcome.user;
}

function errorOf(outcome: UpsertOutcome | undefined) {
  if (outcome?.kind !== 'failed') throw new Error(`expected a failure, got ${JSON.stringify(outcome)}`);
  return outcome.error;
}

describe('upsertUsers', () => {
  let database: Database;
  let clock: FakeClock;
  let dir: Directory;

  beforeAll(async () => {
    database = await openTestDatabase();
    clock = fakeClock('2026-02-01T08:00:00Z');
    dir = createDirectory({ db: database.db, clock, retentionDays: 30 });
  });
  afterAll(async () => {
    await database.close();
  });

  const count = async (table: 'users' | 'audit_log' | 'events', correlationId?: string) => {
    let q = database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
    if (correlationId && table !== 'users') q = q.where('correlation_id', '=', correlationId);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };
  const snapshot = async () => ({
    users: await count('users'),
    audit: await count('audit_log'),
    events: await count('events'),
  });

  it('creates 500 users, then reports created / updated / unchanged per item on a re-upsert', async () => {
    const batch: UserCreateInput[] = Array.from({ length: 500 }, (_, i) => ({
      userName: `worker${i}@bulk.example`,
      externalId: `W${String(i).padStart(4, '0')}`,
      employeeId: `E${i}`,
      displayName: `Worker ${i}`,
      department: 'Ops',
    }));
    const first = unwrap(await dir.upsertUsers(ctx, batch, { matchOn: 'externalId' }));
    expect(first).toHaveLength(500);
    expect(new Set(kinds(first))).toEqual(new Set(['created']));
    expect(first.map((o) => userOf(o).externalId)).toEqual(batch.map((b) => b.externalId));
    expect(first.every((o) => userOf(o).version === 1)).toBe(true);
    const stored = unwrap(await dir.listUsers({ department: 'Ops', limit: 1000 }));
    expect(stored.items).toHaveLength(500);
    const audits = await database.db
      .selectFrom('audit_log')
      .select(['action', 'target_id'])
      .where('action', '=', 'user.create')
      .where('correlation_id', '=', 'corr-upsert')
      .execute();
    expect(audits).toHaveLength(500);
    expect(new Set(audits.map((a) => a.target_id))).toEqual(new Set(first.map((o) => userOf(o).id)));
    const created = await database.db
      .selectFrom('events')
      .select('type')
      .where('type', '=', 'user.created')
      .execute();
    expect(created).toHaveLength(500);

    clock.advance(3_600_000);
    const second = batch.map((item, i) => {
      if (i % 10 === 0) return { ...item, department: 'Logistics' };
      if (i % 10 === 1) return { ...item, title: 'Lead', accountEnabled: false };
      return item;
    });
    const lastEvent = await database.db
      .selectFrom('events')
      .select((eb) => eb.fn.max('id').as('max'))
      .executeTakeFirstOrThrow();
    const outcomes = unwrap(await dir.upsertUsers(ctx, second, { matchOn: 'externalId' }));
    expect(kinds(outcomes).filter((k) => k === 'updated')).toHaveLength(100);
    expect(kinds(outcomes).filter((k) => k === 'unchanged')).toHaveLength(400);
    const tenth = outcomes[10];
    expect(tenth).toMatchObject({ kind: 'updated', changed: ['department'] });
    expect(userOf(tenth)).toMatchObject({
      department: 'Logistics',
      version: 2,
      updatedAt: clock.now().toISOString(),
    });
    expect(outcomes[11]).toMatchObject({ kind: 'updated', changed: ['title', 'accountEnabled'] });
    expect(outcomes[12]).toMatchObject({ kind: 'unchanged', user: { version: 1, department: 'Ops' } });
    expect(userOf(outcomes[10]).id).toBe(userOf(first[10]).id);

    const newEvents = await database.db
      .selectFrom('events')
      .select(['type', 'aggregate_id', 'payload'])
      .where('id', '>', Number(lastEvent.max))
      .orderBy('id')
      .execute();
    expect(newEvents.filter((e) => e.type === 'user.updated')).toHaveLength(100);
    expect(newEvents.filter((e) => e.type === 'user.disabled')).toHaveLength(50);
    expect(
      newEvents.find((e) => e.aggregate_id === userOf(first[11]).id && e.type === 'user.updated')?.payload,
    ).toEqual({
      changed: ['title'],
    });
    expect(newEvents).toHaveLength(150);

    // A third identical run changes nothing at all.
    const before = await snapshot();
    const third = unwrap(await dir.upsertUsers(ctx, second, { matchOn: 'externalId' }));
    expect(new Set(kinds(third))).toEqual(new Set(['unchanged']));
    expect(await snapshot()).toEqual(before);
  });

  it('keeps attributes an item does not send', async () => {
    const [created] = unwrap(
      await dir.upsertUsers(
        ctx,
        [{ userName: 'keep@x.example', externalId: 'KEEP-1', title: 'Chef', department: 'Kitchen' }],
        {
          matchOn: 'externalId',
        },
      ),
    );
    const [updated] = unwrap(
      await dir.upsertUsers(ctx, [{ userName: 'keep@x.example', externalId: 'KEEP-1', title: 'Head chef' }], {
        matchOn: 'externalId',
      }),
    );
    expect(updated).toMatchObject({ kind: 'updated', changed: ['title'] });
    expect(userOf(updated)).toMatchObject({
      id: userOf(created).id,
      title: 'Head chef',
      department: 'Kitchen',
    });
  });

  it('matches on userName case-insensitively', async () => {
    const [created] = unwrap(
      await dir.upsertUsers(ctx, [{ userName: 'Mixed.Case@x.example' }], { matchOn: 'userName' }),
    );
    const [again] = unwrap(
      await dir.upsertUsers(ctx, [{ userName: 'mixed.case@X.example', title: 'Now lower' }], {
        matchOn: 'userName',
      }),
    );
    expect(again).toMatchObject({ kind: 'updated', changed: ['userName', 'title'] });
    expect(userOf(again).id).toBe(userOf(created).id);
    expect(userOf(again).userName).toBe('mixed.case@X.example');
  });

  it('fails duplicates within the batch per item and writes the rest', async () => {
    const before = await snapshot();
    const outcomes = unwrap(
      await dir.upsertUsers(
        ctx,
        [
          { userName: 'dup-a@x.example', externalId: 'DUP-1' },
          { userName: 'dup-b@x.example', externalId: 'DUP-1' },
          { userName: 'dup-c@x.example', externalId: 'DUP-2' },
          { userName: 'DUP-C@x.example', externalId: 'DUP-3' },
          { userName: 'dup-d@x.example', externalId: 'DUP-4', employeeId: 'DUP-E' },
          { userName: 'dup-e@x.example', externalId: 'DUP-5', employeeId: 'DUP-E' },
        ],
        { matchOn: 'externalId' },
      ),
    );
    expect(kinds(outcomes)).toEqual(['created', 'failed', 'created', 'failed', 'created', 'failed']);
    expect(errorOf(outcomes[1])).toMatchObject({
      code: 'directory.uniqueness',
      details: { attribute: 'externalId', value: 'DUP-1', firstIndex: 0 },
    });
    expect(errorOf(outcomes[3])).toMatchObject({
      code: 'directory.uniqueness',
      details: { attribute: 'userName' },
    });
    expect(errorOf(outcomes[5])).toMatchObject({
      code: 'directory.uniqueness',
      details: { attribute: 'employeeId' },
    });
    const after = await snapshot();
    expect(after.users - before.users).toBe(3);
    expect(after.audit - before.audit).toBe(3);
    expect(after.events - before.events).toBe(3);
    const names = unwrap(await dir.listUsers({ search: 'dup-', limit: 10 }))
      .items.map((u) => u.userName)
      .sort();
    expect(names).toEqual(['dup-a@x.example', 'dup-c@x.example', 'dup-d@x.example']);
  });

  it('fails conflicts with stored users, a missing match key and unknown managers per item', async () => {
    const holder = unwrap(await dir.createUser(ctx, { userName: 'holder@x.example', employeeId: 'HOLD-E' }));
    const ghost = newId();
    const outcomes = unwrap(
      await dir.upsertUsers(
        ctx,
        [
          { userName: 'HOLDER@x.example', externalId: 'C-1' },
          { userName: 'c2@x.example', externalId: 'C-2', employeeId: 'HOLD-E' },
          { userName: 'c3@x.example' },
          { userName: 'c4@x.example', externalId: 'C-4', managerId: ghost },
          { userName: 'c5@x.example', externalId: 'C-5', managerId: holder.id },
        ],
        { matchOn: 'externalId' },
      ),
    );
    expect(kinds(outcomes)).toEqual(['failed', 'failed', 'failed', 'failed', 'created']);
    expect(errorOf(outcomes[0])).toMatchObject({
      code: 'directory.uniqueness',
      details: { attribute: 'userName', conflictingId: holder.id },
    });
    expect(errorOf(outcomes[1])).toMatchObject({
      code: 'directory.uniqueness',
      details: { attribute: 'employeeId', conflictingId: holder.id },
    });
    expect(errorOf(outcomes[2])).toMatchObject({
      code: 'directory.invalid_value',
      details: { attribute: 'externalId' },
    });
    expect(errorOf(outcomes[3])).toMatchObject({
      code: 'directory.invalid_value',
      details: { attribute: 'managerId', value: ghost },
    });
    expect(userOf(outcomes[4]).managerId).toBe(holder.id);
    expect(unwrap(await dir.listUsers({ externalId: 'C-4', limit: 5 })).items).toEqual([]);
  });

  it('accepts a manager created in the same batch, before or after the report', async () => {
    const bossId = newId();
    const deputyId = newId();
    const internId = newId();
    // Creates draw ids in item order: intern, boss, deputy.
    ids.planned.push(internId, bossId, deputyId);
    const outcomes = unwrap(
      await dir.upsertUsers(
        ctx,
        [
          { userName: 'intern@x.example', externalId: 'M-3', managerId: deputyId },
          { userName: 'boss@x.example', externalId: 'M-1' },
          { userName: 'deputy@x.example', externalId: 'M-2', managerId: bossId },
        ],
        { matchOn: 'externalId' },
      ),
    );
    expect(ids.planned).toEqual([]);
    expect(kinds(outcomes)).toEqual(['created', 'created', 'created']);
    expect(outcomes.map((o) => userOf(o).id)).toEqual([internId, bossId, deputyId]);
    expect((await dir.managerChain(internId)).map((u) => u.userName)).toEqual([
      'deputy@x.example',
      'boss@x.example',
    ]);
  });

  it('fails every item whose manager chain leads to a new user that failed, without failing the batch', async () => {
    unwrap(await dir.createUser(ctx, { userName: 'taken@x.example' }));
    const failingId = newId();
    const middleId = newId();
    const leafId = newId();
    const okId = newId();
    ids.planned.push(failingId, middleId, leafId, okId);
    const outcomes = unwrap(
      await dir.upsertUsers(
        ctx,
        [
          { userName: 'taken@x.example', externalId: 'F-1' },
          { userName: 'middle@x.example', externalId: 'F-2', managerId: failingId },
          { userName: 'leaf@x.example', externalId: 'F-3', managerId: middleId },
          { userName: 'fine@x.example', externalId: 'F-4' },
        ],
        { matchOn: 'externalId' },
      ),
    );
    expect(kinds(outcomes)).toEqual(['failed', 'failed', 'failed', 'created']);
    expect(errorOf(outcomes[0]).code).toBe('directory.uniqueness');
    expect(errorOf(outcomes[1])).toMatchObject({
      code: 'directory.invalid_value',
      details: { value: failingId },
    });
    expect(errorOf(outcomes[2])).toMatchObject({
      code: 'directory.invalid_value',
      details: { value: middleId },
    });
    expect(userOf(outcomes[3]).id).toBe(okId);
    expect(ids.planned).toEqual([]);
    const stored = await database.db
      .selectFrom('users')
      .select('id')
      .where('id', 'in', [middleId, leafId])
      .execute();
    expect(stored).toEqual([]);
  });

  it('rolls the whole batch back when it would close a manager loop', async () => {
    const [a, b] = unwrap(
      await dir.upsertUsers(
        ctx,
        [
          { userName: 'loop-a@x.example', externalId: 'L-A' },
          { userName: 'loop-b@x.example', externalId: 'L-B' },
        ],
        { matchOn: 'externalId' },
      ),
    );
    const before = await snapshot();
    const result = await dir.upsertUsers(
      ctx,
      [
        { userName: 'loop-a@x.example', externalId: 'L-A', managerId: userOf(b).id },
        { userName: 'loop-b@x.example', externalId: 'L-B', managerId: userOf(a).id },
        { userName: 'loop-c@x.example', externalId: 'L-C' },
      ],
      { matchOn: 'externalId' },
    );
    expect(failed(result).code).toBe('directory.manager_cycle');
    expect(await snapshot()).toEqual(before);
    expect(unwrap(await dir.getUser(userOf(a).id)).managerId).toBeNull();
  });

  it('leaves a deleted user alone when the batch brings nothing new', async () => {
    const [created] = unwrap(
      await dir.upsertUsers(ctx, [{ userName: 'binned@x.example', externalId: 'BIN-1', title: 'T' }], {
        matchOn: 'externalId',
      }),
    );
    unwrap(await dir.deleteUser(ctx, userOf(created).id));
    const before = await snapshot();
    const [again] = unwrap(
      await dir.upsertUsers(ctx, [{ userName: 'binned@x.example', externalId: 'BIN-1', title: 'T' }], {
        matchOn: 'externalId',
      }),
    );
    expect(again).toMatchObject({ kind: 'unchanged', user: { version: 2 } });
    expect(userOf(again).deletedAt).not.toBeNull();
    expect(await snapshot()).toEqual(before);
  });
});
