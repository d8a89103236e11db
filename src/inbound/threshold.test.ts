import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInboundTestApp, type InboundTestApp, worker } from '../../test/inbound.ts';

let t: InboundTestApp;
const people = Array.from({ length: 10 }, (_, i) => `T${i}`);

async function setThreshold(threshold: { count: number | null; percent: number | null }) {
  const res = await t.call('GET', '/api/v1/inbound/sources/hr', { token: t.admin });
  const source = (await res.json()) as { config: Record<string, unknown> };
  const put = await t.call('PUT', '/api/v1/inbound/sources/hr', {
    token: t.admin,
    body: { ...source.config, deletionThreshold: threshold },
  });
  expect(put.status, await put.clone().text()).toBe(200);
}

beforeAll(async () => {
  t = await createInboundTestApp();
  await t.settle((await t.bulkUpload(people.map((id) => worker(id)))).id);
});
afterAll(async () => {
  await t.close();
});

describe('deletion threshold', () => {
  it('holds a run that would disable more than N people; nothing of it is applied, later runs wait', async () => {
    await setThreshold({ count: 3, percent: null });
    const leavers = await t.bulkUpload(people.slice(0, 4).map((id) => worker(id, { active: false })));
    const held = await t.settle(leavers.id);
    expect(held.status).toBe('held');
    expect(held.hold).toMatchObject({
      hold: true,
      disables: 4,
      limitCount: 3,
      reason: 'the run would disable 4 people, more than the threshold of 3',
    });
    expect(held.operations.every((o) => o.status === 'pending')).toBe(true);
    expect((await t.getUserByEmployeeId('T0'))?.accountEnabled).toBe(true);

    // Arrival order holds: a later update of the same person waits behind the held run.
    const later = await t.bulkUpload([worker('T0', { active: false, title: 'Gone' })]);
    expect((await t.settle(later.id)).status).toBe('accepted');

    const approve = await t.call('POST', `/api/v1/inbound/runs/${leavers.id}/approve`, { token: t.admin });
    expect(approve.status, await approve.clone().text()).toBe(200);
    const done = await t.settle(leavers.id);
    expect(done.status).toBe('completed');
    expect(done.counts).toEqual({ disabled: 4 });
    expect(done.hold).toMatchObject({ decision: 'approve' });
    expect((await t.settle(later.id)).operations[0]).toMatchObject({ status: 'updated' });
    expect(await t.getUserByEmployeeId('T0')).toMatchObject({ accountEnabled: false, title: 'Gone' });
  });

  it('a rejected run applies none of its records and the source moves on', async () => {
    const leavers = await t.bulkUpload(people.slice(4, 9).map((id) => worker(id, { active: false })));
    expect((await t.settle(leavers.id)).status).toBe('held');
    const reject = await t.call('POST', `/api/v1/inbound/runs/${leavers.id}/reject`, { token: t.admin });
    expect(reject.status).toBe(200);
    const done = await t.settle(leavers.id);
    expect(done.status).toBe('rejected');
    expect(done.operations.every((o) => o.status === 'rejected')).toBe(true);
    expect((await t.getUserByEmployeeId('T4'))?.accountEnabled).toBe(true);
    const next = await t.settle((await t.bulkUpload([worker('T4', { title: 'Stays' })])).id);
    expect(next.operations[0]?.status).toBe('updated');
  });

  it('holds by percentage of the people the source matches', async () => {
    await setThreshold({ count: null, percent: 10 });
    // 10 people, 4 disabled already: disabling 2 more enabled people is 20% > 10%.
    const run = await t.bulkUpload([worker('T5', { active: false }), worker('T6', { active: false })]);
    const held = await t.settle(run.id);
    expect(held.status).toBe('held');
    expect(held.hold).toMatchObject({ disables: 2, population: 10, limitPercent: 10 });
    expect(String(held.hold?.reason)).toContain('(20.0%)');
    const approve = await t.call('POST', `/api/v1/inbound/runs/${run.id}/approve`, { token: t.admin });
    expect(approve.status).toBe(200);
    expect((await t.settle(run.id)).counts).toEqual({ disabled: 2 });
  });

  it('people who are disabled already do not count', async () => {
    await setThreshold({ count: 1, percent: null });
    const run = await t.bulkUpload(['T1', 'T2', 'T3'].map((id) => worker(id, { active: false })));
    const done = await t.settle(run.id);
    expect(done.status).toBe('completed');
    expect(done.counts.unchanged).toBe(3);
  });

  it('only held runs can be approved or rejected', async () => {
    const run = await t.bulkUpload([worker('T9')]);
    await t.settle(run.id);
    const res = await t.call('POST', `/api/v1/inbound/runs/${run.id}/approve`, { token: t.admin });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('inbound.run_not_held');
  });
});

describe('retention', () => {
  it('prunes finished runs past the retention, never held or pending ones', async () => {
    const rehires = await t.bulkUpload(
      people.slice(0, 3).map((id) => worker(id, { active: true, title: 'Back' })),
    );
    await setThreshold({ count: 0, percent: null });
    const leaving = await t.bulkUpload([worker('T9', { active: false })]);
    expect((await t.settle(leaving.id)).status).toBe('held');
    expect((await t.settle(rehires.id)).status).toBe('completed');
    const total = (await t.app.database.db.selectFrom('inbound_runs').select('id').execute()).length;
    expect(await t.app.inbound.pruneRuns(30)).toBe(0);
    const pruned = await t.app.inbound.pruneRuns(-1);
    const left = await t.app.database.db.selectFrom('inbound_runs').select(['id', 'status']).execute();
    expect(pruned).toBe(total - left.length);
    expect(left.map((r) => r.status).sort()).toEqual(['held']);
    expect(
      await t.app.database.db
        .selectFrom('inbound_records')
        .select('run_id')
        .where('run_id', '<>', leaving.id)
        .execute(),
    ).toEqual([]);
  });
});
