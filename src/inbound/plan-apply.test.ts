import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInboundTestApp, type InboundTestApp, worker } from '../../test/inbound.ts';
import { systemContext } from '../core/index.ts';

let t: InboundTestApp;

beforeAll(async () => {
  t = await createInboundTestApp();
  await t.settle((await t.bulkUpload([worker('P1', { given: 'Ann' }), worker('P2', { given: 'Bob' })])).id);
});
afterAll(async () => {
  await t.close();
});

async function apply(runId: string) {
  return t.call('POST', `/api/v1/inbound/runs/${runId}/apply`, { token: t.admin });
}

describe('dry-run and plan', () => {
  it('a preview computes counts and per-person diffs and applies nothing', async () => {
    const usersBefore = await t.app.database.db.selectFrom('users').select('id').execute();
    const eventsBefore = await t.app.database.db.selectFrom('events').select('id').execute();
    const run = await t.bulkUpload(
      [
        worker('P1', { given: 'Ann', title: 'Lead' }),
        worker('P2', { given: 'Bob' }),
        worker('P3', { given: 'Cy' }),
        worker('P2', { given: 'Bob', active: false }),
      ],
      { dryRun: true },
    );
    const plan = await t.settle(run.id);
    expect(plan).toMatchObject({ mode: 'preview', status: 'planned' });
    expect(plan.counts).toEqual({ updated: 1, unchanged: 1, created: 1, disabled: 1 });
    expect(plan.operations.map((o) => [o.status, o.plannedStatus, o.lifecycle])).toEqual([
      ['planned', 'updated', 'mover'],
      ['planned', 'unchanged', null],
      ['planned', 'created', 'joiner'],
      ['planned', 'disabled', 'leaver'],
    ]);
    expect(plan.operations[0]?.changed).toEqual([
      { attribute: 'title', oldValue: 'Engineer', newValue: 'Lead' },
    ]);
    expect(await t.app.database.db.selectFrom('users').select('id').execute()).toHaveLength(
      usersBefore.length,
    );
    expect(await t.app.database.db.selectFrom('events').select('id').execute()).toHaveLength(
      eventsBefore.length,
    );
    expect((await t.getUserByEmployeeId('P1'))?.title).toBe('Engineer');
    expect(await t.getUserByEmployeeId('P3')).toBeUndefined();

    const res = await apply(run.id);
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await t.getUserByEmployeeId('P1'))?.title).toBe('Lead');
    expect((await t.getUserByEmployeeId('P3'))?.givenName).toBe('Cy');
    expect((await t.getUserByEmployeeId('P2'))?.accountEnabled).toBe(false);
    const applied = await t.settle(run.id);
    expect(applied.status).toBe('applied');
    expect(applied.operations.map((o) => o.status)).toEqual(['updated', 'unchanged', 'created', 'disabled']);

    const again = await apply(run.id);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe(
      'inbound.plan_already_applied',
    );
  });

  it('applies generated values exactly as planned (no re-evaluation)', async () => {
    const res = await t.call('POST', '/api/v1/inbound/sources', {
      token: t.admin,
      body: {
        id: 'gen',
        type: 'bulk-upload',
        name: 'generated ids',
        mappings: [
          { target: 'userName', type: 'direct', source: 'userName' },
          { target: 'extension.badge', type: 'expression', expression: 'Guid()' },
        ],
      },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const run = await t.bulkUpload([worker('G1')], { source: 'gen', dryRun: true });
    await t.settle(run.id, 'gen');
    const planned = await t.app.database.db
      .selectFrom('inbound_records')
      .select('plan')
      .where('run_id', '=', run.id)
      .executeTakeFirstOrThrow();
    const badge = (planned.plan as { input: { extension: { badge: string } } }).input.extension.badge;
    expect(badge).toMatch(/^[0-9a-f-]{36}$/);
    expect((await apply(run.id)).status).toBe(200);
    expect((await t.getUserByEmployeeId('G1'))?.extension).toEqual({ badge });
  });

  it('a plan is refused with the reason when the directory changed underneath', async () => {
    const run = await t.bulkUpload(
      [worker('P1', { given: 'Ann', title: 'Director' }), worker('P4', { given: 'Di' })],
      { dryRun: true },
    );
    await t.settle(run.id);
    const p1 = await t.getUserByEmployeeId('P1');
    const changed = await t.app.directory.updateUser(systemContext('test'), p1?.id as string, {
      department: 'Sales',
    });
    expect(changed.ok).toBe(true);
    const res = await apply(run.id);
    expect(res.status).toBe(409);
    const body = (await res.json()) as {
      error: { code: string; message: string; details: { drift: { n: number; reason: string }[] } };
    };
    expect(body.error.code).toBe('inbound.plan_stale');
    expect(body.error.details.drift).toEqual([
      {
        n: 0,
        personKey: 'P1',
        reason: expect.stringMatching(/^user .* changed since the plan \(version \d+ → \d+\)$/),
      },
    ]);
    expect((await t.getUserByEmployeeId('P1'))?.title).toBe('Lead');
    expect(await t.getUserByEmployeeId('P4')).toBeUndefined();
  });

  it('a plan to create someone is refused when that person was created since', async () => {
    const run = await t.bulkUpload([worker('P5', { given: 'Eve' })], { dryRun: true });
    await t.settle(run.id);
    await t.settle((await t.bulkUpload([worker('P5', { given: 'Eve' })])).id);
    const res = await apply(run.id);
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { details: { drift: { reason: string }[] } } };
    expect(body.error.details.drift[0]?.reason).toMatch(/^a user with employeeId "P5" now exists/);
  });

  it('only previews can be applied', async () => {
    const run = await t.bulkUpload([worker('P6')]);
    await t.settle(run.id);
    const res = await apply(run.id);
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('inbound.not_a_plan');
  });
});
